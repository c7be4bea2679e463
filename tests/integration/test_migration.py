"""A database of before the Merkle tree upgrades on start: its leaves are computed once from
the log, its old chain and checkpoints are kept and still checked (docs/AUDIT.md)."""
import os
import shutil
from pathlib import Path

import pytest

from api.bootstrap import Services
from domain.context import acting_as
from inspector import merkle
from inspector.leaves import actor_of, canonical
from tests.conftest import schedule, RawSQL, wib

LEGACY = Path(__file__).parents[1] / "fixtures" / "legacy-v1"  # made by the service as of 66a186e


@pytest.fixture
def legacy(tmp_path, monkeypatch):
    folder = tmp_path / "db"
    folder.mkdir()
    shutil.copy(LEGACY / "iku.sqlite3", folder / "iku.sqlite3")
    key = tmp_path / "keys" / "log-signing-key.pem"
    key.parent.mkdir()
    shutil.copy(LEGACY / "legacy-signing-key.pem", key)
    os.chmod(key, 0o600)
    monkeypatch.setenv("IKU_SIGNING_KEY", str(key))
    return str(folder / "iku.sqlite3")


def leaves_of(services):
    return [merkle.leaf_hash(canonical(p, i, v, t, r, actor_of(s), s))
            for p, i, v, t, s, r in services.agenda.recorder.select_rows(0, 2**62, 10**6)]


def test_a_database_of_the_hash_chain_gets_its_tree_and_keeps_its_old_checkpoints(legacy):
    services = Services(legacy, "Asia/Jakarta")
    try:
        assert services.tree.size() == 10
        assert services.tree.root(10) == merkle.root_of(leaves_of(services))
        result = services.verify()
        assert result.ok, result.reason
        assert result.checkpoints == 3  # the three IKU-CHECKPOINT v1 of the old chain
        with acting_as("protokol.ani"):
            services.agenda.schedule(title="Rapat baru", leaders=["bupati"], starts_at=wib(2021, 3, 22, 9),
                                     location="Pendopo", scope="dalam_daerah")
        assert services.tree.size() == 11 and services.checkpoints.latest().size == 11
        assert services.verify().ok
    finally:
        services.close()
    again = Services(legacy, "Asia/Jakarta")  # the upgrade runs once
    assert again.tree.size() == 11
    again.close()


def test_an_old_checkpoint_is_checked_with_the_configured_keys_not_its_row(legacy, tmp_path, monkeypatch):
    Services(legacy, "Asia/Jakarta").close()
    with RawSQL(legacy) as db:
        db.execute("UPDATE iku_checkpoints SET signature = ? WHERE position = (SELECT min(position) FROM iku_checkpoints)",
                   ("AAAA",))
    services = Services(legacy, "Asia/Jakarta")
    result = services.verify()
    services.close()
    assert result.ok is False and "titik periksa lama" in result.reason and "kunci log tepercaya" in result.reason


def test_an_old_checkpoint_no_longer_matching_the_log_is_named(legacy):
    Services(legacy, "Asia/Jakarta").close()
    with RawSQL(legacy) as db:
        db.execute("UPDATE iku_chain SET hash = ? WHERE position = 1", ("00" * 32,))  # the kept chain is not trusted
    services = Services(legacy, "Asia/Jakarta")
    assert services.verify().ok  # the chain is recomputed from the log, the checkpoints are what count
    with RawSQL(legacy) as db:
        (position,) = db.execute("SELECT min(position) FROM iku_checkpoints")[0]
        db.execute("UPDATE iku_checkpoints SET hash = ? WHERE position = ?", ("00" * 32, position))
    result = services.verify()
    services.close()
    assert result.ok is False and "titik periksa lama" in result.reason


def test_the_old_key_beside_the_database_moves_outside_its_folder(tmp_path, monkeypatch):
    folder = tmp_path / "db"
    folder.mkdir()
    shutil.copy(LEGACY / "iku.sqlite3", folder / "iku.sqlite3")
    shutil.copy(LEGACY / "legacy-signing-key.pem", folder / "iku-signing-key.pem")
    os.chmod(folder / "iku-signing-key.pem", 0o600)
    monkeypatch.delenv("IKU_SIGNING_KEY")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    services = Services(str(folder / "iku.sqlite3"), "Asia/Jakarta")
    try:
        moved = tmp_path / "config" / "iku" / "log-signing-key.pem"
        assert not (folder / "iku-signing-key.pem").exists()
        assert moved.read_bytes() == (LEGACY / "legacy-signing-key.pem").read_bytes()
        assert moved.stat().st_mode & 0o777 == 0o600
        assert services.verify().ok  # the old checkpoints verify with the moved key
    finally:
        services.close()


def test_the_upgrade_computes_the_same_tree_the_write_would_have(services, database):
    """On both stores: a log whose tree is gone entirely (as before the upgrade) gets the
    tree back from the log, identical."""
    schedule(services, 7)
    root = services.tree.root(7)
    import base64
    import hashlib

    chain = bytes(32)  # the previous version's chain, and a checkpoint of it signed with the key
    for p, i, v, t, st, r in services.agenda.recorder.select_rows(0, 2**62, 100):
        chain = hashlib.sha256(chain + canonical(p, i, v, t, r, actor_of(st), st)).digest()
    statement = f"IKU-CHECKPOINT v1\nposition: 7\nhash: {chain.hex()}\nsigned_at: 2026-01-01T00:00:00+00:00\n"
    signature = base64.b64encode(services.checkpoints.signer.key.sign(statement.encode())).decode()
    services.checkpoints.head.path.unlink()  # the host of the previous version had none
    with RawSQL(database) as db:  # as the previous version left it: its tables, no tree
        db.execute("UPDATE stored_events SET tree = NULL")
        db.execute("DELETE FROM iku_tree_checkpoints")
        db.execute("CREATE TABLE iku_chain (position BIGINT PRIMARY KEY, hash TEXT NOT NULL)")
        db.execute("CREATE TABLE iku_checkpoints (position BIGINT NOT NULL, hash TEXT NOT NULL, "
                   "signed_at TEXT NOT NULL, signature TEXT NOT NULL, public_key TEXT NOT NULL)")
        db.execute("INSERT INTO iku_checkpoints VALUES (7, ?, '2026-01-01T00:00:00+00:00', ?, '')",
                   (chain.hex(), signature))
    upgraded = Services(database, "Asia/Jakarta")
    try:
        assert upgraded.tree.size() == 7 and upgraded.tree.root(7) == root
        result = upgraded.verify()
        assert result.ok and result.checkpoints == 1, result.reason
    finally:
        upgraded.close()


@pytest.mark.parametrize("everything", [False, True])
def test_a_tree_that_lost_leaves_is_never_filled_in_again(services, database, everything):
    """Only a log of the previous version (its chain's tables there, no tree at all, no
    checkpoint of the tree) is upgraded: an insider cannot get a changed log re-hashed by
    deleting its tree and restarting the service."""
    schedule(services, 3)
    with RawSQL(database) as db:
        db.execute("UPDATE stored_events SET tree = NULL" + ("" if everything else " WHERE {position} = 3"))
        if everything:
            db.execute("DELETE FROM iku_tree_checkpoints")
    again = Services(database, "Asia/Jakarta")
    try:
        result = again.verify()
        assert result.ok is False and result.first_bad_position == (1 if everything else 3)
        assert "tidak punya daun" in result.reason
    finally:
        again.close()



def test_empty_tables_of_the_previous_version_do_not_trigger_an_upgrade(services, database):
    """An insider cannot have a changed log re-hashed by making it look like the previous
    version's: the upgrade needs the old version's signed checkpoints, on a host whose key
    has not signed the tree."""
    schedule(services, 3)
    with RawSQL(database) as db:
        db.execute("UPDATE stored_events SET tree = NULL")
        db.execute("DELETE FROM iku_tree_checkpoints")
        db.execute("CREATE TABLE iku_chain (position BIGINT PRIMARY KEY, hash TEXT NOT NULL)")
        db.execute("CREATE TABLE iku_checkpoints (position BIGINT NOT NULL, hash TEXT NOT NULL, "
                   "signed_at TEXT NOT NULL, signature TEXT NOT NULL, public_key TEXT NOT NULL)")
    again = Services(database, "Asia/Jakarta")
    try:
        result = again.verify()
        assert result.ok is False and "tidak punya daun" in result.reason
    finally:
        again.close()

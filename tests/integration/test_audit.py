"""The audit log (issue 9), on both stores: the Merkle tree written with the events, its
checkpoints as C2SP signed notes, proofs and receipts, `iku verify` naming each kind of
tampering, and what only a witness or a kept checkpoint can catch."""
import base64

import pytest
from click.testing import CliRunner

from api.cli import main
from domain.context import acting_as
from inspector import merkle
from inspector.leaves import actor_of, canonical
from inspector.note import Checkpoint, Proof, Signer, Verifier, open_checkpoint
from tests.api.test_pages import login, logins  # noqa: F401 - fixtures
from tests.conftest import schedule, RawSQL, whole_log, wib


YEARS = 365 * 24 * 3600 * 1_000_000


@pytest.fixture
def recorded(services):
    with acting_as("protokol.ani"):
        for i in range(6):
            w = services.agenda.schedule(title=f"Rapat {i}", leaders=["bupati"], starts_at=wib(2021, 3, 1 + i, 9),
                                         location="Pendopo", scope="dalam_daerah")
            services.agenda.record_protocol(w.activity_id, officers=["Ani"])
    return services


def forge_tree(services, database, *, drop_checkpoints=True, resign=True):
    """What an insider with the tools, the key and the host does after changing the log:
    recompute the whole tree from the rows, drop the checkpoints, remove the key's record of
    the last head it signed, and sign the new head with the genuine key (which seals the
    changed events anew, as the service would)."""
    frontier, trees = merkle.Frontier(), []
    sealer = services.agenda.recorder.sealer
    for p, i, v, t, s, r in services.agenda.recorder.select_rows(0, 2**62, 10**6):
        made = frontier.append(merkle.leaf_hash(canonical(p, i, v, t, r, actor_of(s), s)))
        trees.append((b"".join(h for _, _, h in made), sealer.seal(made[0][2]), p))
    with RawSQL(database) as db:
        for tree, seal, position in trees:
            db.execute("UPDATE stored_events SET tree = ?, seal = ? WHERE {position} = ?", (tree, seal, position))
        if drop_checkpoints:
            db.execute("DELETE FROM iku_cosignatures")
            db.execute("DELETE FROM iku_tree_checkpoints")
    services.agenda.recorder._committed = None  # the insider's change is not in this process's memory
    if resign:
        services.checkpoints.head.path.unlink(missing_ok=True)
        services.checkpoints.sign()


def holding(database, text: bytes) -> int:
    """The position of the first event whose state holds `text`."""
    with RawSQL(database) as db:
        for position, state in db.execute("SELECT {position}, state FROM stored_events ORDER BY {position}"):
            if text in bytes(state):
                return position
    raise LookupError(text)


def change_state(database, position, old: bytes, new: bytes):
    """Change an event's stored bytes beneath the service (`position` None: the first
    event that holds `old`)."""
    position = holding(database, old) if position is None else position
    with RawSQL(database) as db:
        state = bytes(db.execute("SELECT state FROM stored_events WHERE {position} = ?", (position,))[0][0])
        assert old in state
        db.execute("UPDATE stored_events SET state = ? WHERE {position} = ?", (state.replace(old, new), position))


def forged_row(database, position, recorded_at, *, with_leaf=False):
    """Append a ProtocolServed beneath the service (and, knowing the format, its leaf)."""
    with RawSQL(database) as db:
        activity_id, version = db.execute(
            "SELECT originator_id, originator_version FROM stored_events WHERE {position} = 1")[0]
        state = (b'{"timestamp":{"_type_":"datetime_iso","_data_":"2016-01-01T00:00:00+00:00"},'
                 b'"actor":"protokol.ani","officers":["Palsu"],"notes":null}')
        topic = "domain.model:Activity.ProtocolServed"
        tree = None
        if with_leaf:
            hex_id = activity_id.hex if hasattr(activity_id, "hex") and not isinstance(activity_id, str) else activity_id
            tree = merkle.leaf_hash(canonical(position, hex_id, 99, topic, recorded_at, "protokol.ani", state))
        db.execute("INSERT INTO stored_events ({position}, originator_id, originator_version, topic, state, "
                   "recorded_at, tree) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   (position, activity_id, 99, topic, state, recorded_at, tree))


def last_recorded_at(database):
    with RawSQL(database) as db:
        return db.execute("SELECT max(recorded_at) FROM stored_events")[0][0]


# The tree in the write ---------------------------------------------------------------


def test_every_write_adds_its_leaf_and_the_tree_matches_an_independent_computation(recorded):
    rows = recorded.agenda.recorder.select_rows(0, 2**62, 100)
    leaves = [merkle.leaf_hash(canonical(p, i, v, t, r, actor_of(s), s)) for p, i, v, t, s, r in rows]
    assert recorded.tree.size() == 12
    assert recorded.tree.root(12) == merkle.root_of(leaves)
    assert recorded.tree.root(5) == merkle.root_of(leaves[:5])


def test_an_untouched_log_verifies(recorded):
    result = recorded.verify()
    assert (result.ok, result.checked, result.head_position) == (True, 12, 12)
    assert result.checkpoints == 12  # one after each write (IKU_CHECKPOINT_INTERVAL=0 in tests)


def test_a_checkpoint_is_a_c2sp_signed_note_of_the_tree(recorded):
    latest = recorded.checkpoints.latest()
    note, checkpoint = open_checkpoint(latest.text, [recorded.checkpoints.signer.verifier])
    assert checkpoint == Checkpoint("jemberkab.go.id/prokopim/iku", 12, recorded.tree.root(12))
    assert note.text == f"jemberkab.go.id/prokopim/iku\n12\n{base64.b64encode(checkpoint.root).decode()}\n"
    assert note.signatures[0].line.startswith("\u2014 jemberkab.go.id/prokopim/iku ")


# Tampering named by iku verify ----------------------------------------------------------


def test_changing_one_byte_of_a_stored_event_is_named(recorded, database):
    with RawSQL(database) as db:
        state = bytearray(db.execute("SELECT state FROM stored_events WHERE {position} = 7")[0][0])
        state[state.index(b"Rapat 3")] ^= 0x01
        db.execute("UPDATE stored_events SET state = ? WHERE {position} = 7", (bytes(state),))
    result = recorded.verify()
    assert (result.ok, result.first_bad_position) == (False, 7)
    assert "tidak cocok dengan daunnya" in result.reason


def test_deleting_a_stored_event_is_named(recorded, database):
    with RawSQL(database) as db:
        db.execute("DELETE FROM stored_events WHERE {position} = 4")
    result = recorded.verify()
    assert (result.ok, result.first_bad_position) == (False, 4)
    assert "hilang dari log" in result.reason


def test_swapping_two_stored_events_is_named(recorded, database):
    with RawSQL(database) as db:
        columns = "originator_id, originator_version, topic, state, recorded_at, tree"
        a = db.execute(f"SELECT {columns} FROM stored_events WHERE {{position}} = 3")[0]
        b = db.execute(f"SELECT {columns} FROM stored_events WHERE {{position}} = 5")[0]
        db.execute("DELETE FROM stored_events WHERE {position} IN (3, 5)")
        db.execute(f"INSERT INTO stored_events ({{position}}, {columns}) VALUES (3, ?, ?, ?, ?, ?, ?)", b)
        db.execute(f"INSERT INTO stored_events ({{position}}, {columns}) VALUES (5, ?, ?, ?, ?, ?, ?)", a)
    result = recorded.verify()
    assert (result.ok, result.first_bad_position) == (False, 3)
    assert "tidak cocok dengan daunnya" in result.reason


def test_a_row_appended_beneath_the_service_five_years_back_is_named(recorded, database):
    forged_row(database, 13, last_recorded_at(database) - 5 * YEARS)
    result = recorded.verify()
    assert (result.ok, result.first_bad_position) == (False, 13)
    assert "tidak punya daun" in result.reason


def test_a_backdated_row_appended_with_its_leaf_is_named(recorded, database):
    forged_row(database, 13, last_recorded_at(database) - 5 * YEARS, with_leaf=True)
    result = recorded.verify()
    assert (result.ok, result.first_bad_position) == (False, 13)
    assert "waktunya dimundurkan" in result.reason


def test_backdating_a_recorded_at_is_named(recorded, database):
    with RawSQL(database) as db:
        db.execute("UPDATE stored_events SET recorded_at = recorded_at - ? WHERE {position} = 8", (5 * YEARS,))
    result = recorded.verify()
    assert (result.ok, result.first_bad_position) == (False, 8)


def test_a_changed_inner_node_is_named(recorded, database):
    with RawSQL(database) as db:  # node (2, 1) covers leaves 4-7: the row of position 8 holds it
        (tree,) = db.execute("SELECT tree FROM stored_events WHERE {position} = 8")[0]
        db.execute("UPDATE stored_events SET tree = ? WHERE {position} = 8", (bytes(tree)[:64] + bytes(32) + bytes(tree)[96:],))
    result = recorded.verify()
    assert result.ok is False and "tingkat 2, indeks 1" in result.reason


def test_truncating_the_log_with_its_leaves_is_named_against_the_checkpoints(recorded, database):
    with RawSQL(database) as db:
        db.execute("DELETE FROM stored_events WHERE {position} > 10")
    result = recorded.verify()
    assert result.ok is False and "log dipotong" in result.reason


def test_a_checkpoint_signed_by_an_unknown_key_is_named(recorded, database):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    stranger = Signer("jemberkab.go.id/prokopim/iku", Ed25519PrivateKey.generate())
    body = Checkpoint("jemberkab.go.id/prokopim/iku", 12, recorded.tree.root(12)).body
    with RawSQL(database) as db:
        db.execute("UPDATE iku_tree_checkpoints SET note = ? WHERE size = 12", (body + "\n" + stranger.sign_note(body),))
    result = recorded.verify()
    assert result.ok is False and "tidak dikenal" in result.reason and "berukuran 12" in result.reason


def test_a_rewritten_history_resigned_with_the_genuine_key_passes_verify_alone(recorded, database):
    """What the database alone cannot show: the witness and kept checkpoints catch it (below)."""
    change_state(database, 7, b"Rapat 3", b"Rapat X")
    forge_tree(recorded, database)
    assert recorded.verify().ok is True


def test_an_insider_without_the_key_gets_no_rewritten_history_signed_and_verify_names_it(recorded, database):
    """The database alone, tree included, rewritten by someone who cannot reach the key's
    folder: the service refuses to sign a tree that does not extend the last head its key
    signed, and `iku verify` on the host names the rewrite."""
    change_state(database, 7, b"Rapat 3", b"Rapat X")
    forge_tree(recorded, database, resign=False)  # tree recomputed, checkpoints deleted
    from projections.audit.checkpoints import CheckpointRefused

    with pytest.raises(CheckpointRefused, match="riwayat ditulis ulang"):
        recorded.checkpoints.sign()
    with acting_as("protokol.ani"):  # a write still succeeds; its checkpoint is refused and logged
        recorded.agenda.schedule(title="Rapat baru", leaders=["bupati"], starts_at=wib(2021, 3, 9, 9),
                                 location="Pendopo", scope="dalam_daerah")
    assert recorded.checkpoints.latest() is None
    result = recorded.verify()
    assert result.ok is False and "terakhir ditandatangani kunci host ini (riwayat ditulis ulang)" in result.reason
    result = CliRunner().invoke(main, ["checkpoint"], env={"IKU_DATABASE": database})
    assert result.exit_code == 1 and "riwayat ditulis ulang" in result.output
    result = CliRunner().invoke(main, ["checkpoint"], env={"IKU_DATABASE": database, "IKU_LANGUAGE": "en"})
    assert result.exit_code == 1 and "history was rewritten; nothing is signed" in result.output


def test_an_insider_deleting_the_tree_and_restarting_gets_nothing_recomputed_or_signed(recorded, database):
    from api.bootstrap import Services

    change_state(database, 7, b"Rapat 3", b"Rapat X")
    with RawSQL(database) as db:
        db.execute("UPDATE stored_events SET tree = NULL")
        db.execute("DELETE FROM iku_tree_checkpoints")
    restarted = Services(database, "Asia/Jakarta")
    try:
        result = restarted.verify()
        assert result.ok is False and "tidak punya daun" in result.reason
        assert restarted.checkpoints.latest() is None
    finally:
        restarted.close()


def test_verify_checks_the_configured_keys_never_a_key_in_the_database(recorded, database, tmp_path, monkeypatch):
    other = Signer.from_file("jemberkab.go.id/prokopim/iku", tmp_path / "other.pem", create=True)
    monkeypatch.setenv("IKU_LOG_KEYS", other.verifier.vkey)
    runner = CliRunner()
    result = runner.invoke(main, ["verify"], env={"IKU_DATABASE": database})
    assert result.exit_code == 1 and "tidak dikenal" in result.stdout
    result = runner.invoke(main, ["verify"], env={"IKU_DATABASE": database, "IKU_LANGUAGE": "en"})
    # the events' seals are checked first, with the same keys as the checkpoints
    assert result.exit_code == 1 and ("the event at position 1 was not written by the service: sealed by an "
                                      "unknown key, not by a trusted log key") in result.stdout


def test_iku_verify_says_ok_or_names_the_first_bad_position(recorded, database):
    runner = CliRunner()
    result = runner.invoke(main, ["verify"], env={"IKU_DATABASE": database})
    assert result.exit_code == 0 and "utuh: 12 peristiwa, ukuran pohon 12" in result.stdout
    with RawSQL(database) as db:
        db.execute("DELETE FROM stored_events WHERE {position} = 6")
    result = runner.invoke(main, ["verify"], env={"IKU_DATABASE": database})
    assert result.exit_code == 1 and "GAGAL pada posisi 6" in result.stdout


def test_a_write_on_a_damaged_tree_is_refused_with_a_503_and_appends_nothing(client, auth, app, database):
    response = client.post("/api/v1/activities", headers=auth("protokol"), json={
        "title": "Rapat", "leaders": ["bupati"], "starts_at": "2021-03-01T09:00:00+07:00",
        "location": "Pendopo", "scope": "dalam_daerah"})
    assert response.status_code == 201
    with RawSQL(database) as db:
        db.execute("UPDATE stored_events SET tree = NULL")
    app.extensions["iku"].agenda.recorder._committed = None  # as after a restart
    before = app.extensions["iku"].agenda.recorder.max_notification_id()
    response = client.post("/api/v1/activities", headers=auth("protokol"), json={
        "title": "Rapat 2", "leaders": ["bupati"], "starts_at": "2021-03-02T09:00:00+07:00",
        "location": "Pendopo", "scope": "dalam_daerah"})
    assert response.status_code == 503 and "iku verify" in response.json["message"]
    assert app.extensions["iku"].agenda.recorder.max_notification_id() == before


# Proofs, receipts, the key --------------------------------------------------------------


def test_a_write_answers_its_tree_size_and_its_receipt_proves_inclusion(client, auth, app):
    auth()  # the users' accounts are in the log first
    base = len(whole_log(app.extensions["iku"].agenda))
    response = client.post("/api/v1/activities", headers=auth("protokol"), json={
        "title": "Rapat", "leaders": ["bupati"], "starts_at": "2021-03-01T09:00:00+07:00",
        "location": "Pendopo", "scope": "dalam_daerah"})
    activity = response.json["activity_id"]
    served = client.post(f"/api/v1/activities/{activity}/protocol", headers=auth("protokol"),
                         json={"officers": ["Ani"]}).json
    assert served["tree_size"] == served["position"] == base + 2
    receipt = client.get(served["receipt"])  # public
    assert receipt.status_code == 200 and receipt.mimetype == "text/plain"
    proof = Proof.parse(receipt.data)
    vkey = Verifier.parse(client.get("/api/v1/audit/key").get_data(as_text=True))
    _, checkpoint = open_checkpoint(proof.checkpoint, [vkey])
    leaf = base64.b64decode(client.get(f"/api/v1/audit/proofs/inclusion?position={base + 2}&tree_size={checkpoint.size}").json["leaf_hash"])
    assert proof.index == base + 1
    assert merkle.verify_inclusion(base + 1, checkpoint.size, leaf, list(proof.hashes), checkpoint.root)
    assert client.get(f"/api/v1/audit/receipts/{base + 3}").status_code == 404


def test_proofs_over_http_verify_and_bad_sizes_are_clear_errors(client, auth, app):
    with acting_as("protokol"):
        for i in range(9):
            app.extensions["iku"].agenda.schedule(title=f"R{i}", leaders=["bupati"], starts_at=wib(2021, 3, 1, 9),
                                                  location="P", scope="dalam_daerah")
    tree = app.extensions["iku"].tree
    body = client.get("/api/v1/audit/proofs/consistency?from=3&to=9").json
    hashes = [base64.b64decode(h) for h in body["hashes"]]
    assert merkle.verify_consistency(3, 9, tree.root(3), tree.root(9), hashes)
    assert client.get("/api/v1/audit/proofs/consistency?from=9&to=3").status_code == 404
    assert client.get("/api/v1/audit/proofs/consistency?from=3&to=99").status_code == 404
    assert client.get("/api/v1/audit/proofs/inclusion?position=0").status_code == 422
    assert client.get("/api/v1/audit/proofs/inclusion?position=x").status_code == 422
    leaves = client.get("/api/v1/audit/leaves?start=2&end=5", headers=auth("inspektorat")).json
    assert [line["position"] for line in leaves["leaves"]] == [3, 4, 5]
    assert client.get("/api/v1/audit/leaves?start=2&end=5").status_code == 401
    assert client.get("/api/v1/audit/leaves?start=5&end=2", headers=auth("inspektorat")).status_code == 422
    note = client.get("/api/v1/audit/checkpoint")
    assert note.mimetype == "text/plain" and note.get_data(as_text=True).startswith(
        f"jemberkab.go.id/prokopim/iku\n{tree.size()}\n")


def test_no_get_appends_or_signs_anything(client, auth, app, login):
    services = app.extensions["iku"]
    login("admin")  # making the users appends their accounts: before the GETs are counted
    with acting_as("protokol"):
        written = services.agenda.schedule(title="R", leaders=["bupati"], starts_at=wib(2021, 3, 1, 9),
                                           location="P", scope="dalam_daerah")
    with RawSQL(services.database) as db:
        db.execute("DELETE FROM iku_tree_checkpoints")  # nothing signed: a GET must not sign it
    activity = str(written.activity_id)
    size = services.agenda.recorder.max_notification_id()
    paths = ["/api/v1/audit/verify", "/api/v1/audit/checkpoint", "/api/v1/audit/key", "/api/v1/audit/public-key",
             "/api/v1/audit/checkpoints/latest", "/api/v1/audit/proofs/inclusion?position=1&tree_size=1",
             "/api/v1/audit/proofs/consistency?from=0&to=1", "/api/v1/audit/leaves?start=0&end=1",
             "/api/v1/audit/receipts/1", "/api/v1/iku?period=2021", f"/api/v1/activities/{activity}",
             f"/api/v1/activities/{activity}/history", "/api/v1/reports/2021-Q1", "/metrics", "/api/v1/health"]
    for path in paths:
        client.get(path, headers=auth("admin"))
    for path in ["/", "/agenda", "/dashboard?period=2021", "/audit", "/audit?verify=1",
                 "/audit/export.zip?period=2021", f"/activities/{activity}"]:
        client.get(path)
    assert services.checkpoints.latest() is None
    assert services.agenda.recorder.max_notification_id() == size


def test_the_audit_page_shows_the_note_and_the_verifier_key(client, login, app):
    login("inspektorat")
    with acting_as("protokol"):
        app.extensions["iku"].agenda.schedule(title="R", leaders=["bupati"], starts_at=wib(2021, 3, 1, 9),
                                              location="P", scope="dalam_daerah")
    html = client.get("/audit").get_data(as_text=True)
    assert app.extensions["iku"].checkpoints.signer.verifier.vkey in html
    size = app.extensions["iku"].tree.size()
    assert f"jemberkab.go.id/prokopim/iku\n{size}\n" in html and "Belum disaksikan" in html


# Keys ------------------------------------------------------------------------------------


def test_the_signing_key_is_made_private_and_refused_when_others_may_read_it(tmp_path, monkeypatch):
    import os

    from api.bootstrap import Services
    from inspector.note import NoteError

    key = tmp_path / "keys" / "log.pem"
    monkeypatch.setenv("IKU_SIGNING_KEY", str(key))
    Services(str(tmp_path / "db" / "iku.sqlite3")).close()
    assert key.stat().st_mode & 0o777 == 0o600
    assert not (tmp_path / "db" / "iku-signing-key.pem").exists()
    os.chmod(key, 0o644)
    with pytest.raises(NoteError, match="dapat dibaca selain pemiliknya"):
        Services(str(tmp_path / "db" / "iku.sqlite3"))


def test_the_default_signing_key_lives_outside_the_database_folder(tmp_path, monkeypatch):
    from api.config import Config

    monkeypatch.delenv("IKU_SIGNING_KEY")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert Config.from_environment().signing_key == tmp_path / "config" / "iku" / "log-signing-key.pem"


def test_a_rotated_key_keeps_old_checkpoints_verifiable_with_the_configured_list(recorded, tmp_path, monkeypatch):
    old = recorded.checkpoints.signer.verifier
    new_key = tmp_path / "new.pem"
    monkeypatch.setenv("IKU_SIGNING_KEY", str(new_key))
    monkeypatch.setenv("IKU_LOG_KEYS", "")
    from api.bootstrap import Services

    rotated = Services(recorded.database, "Asia/Jakarta")
    try:
        with acting_as("protokol.ani"):
            rotated.agenda.schedule(title="R", leaders=["bupati"], starts_at=wib(2021, 3, 9, 9),
                                    location="P", scope="dalam_daerah")
        assert rotated.verify().ok is False  # the old checkpoints: not by the new key alone
        monkeypatch.setenv("IKU_LOG_KEYS", f"{old.vkey}\n{rotated.checkpoints.signer.verifier.vkey}")
        result = CliRunner().invoke(main, ["verify"], env={"IKU_DATABASE": recorded.database})
        assert result.exit_code == 0, result.stdout
    finally:
        rotated.close()




def test_a_tree_column_of_the_wrong_length_is_named(recorded, database):
    with RawSQL(database) as db:
        (tree,) = db.execute("SELECT tree FROM stored_events WHERE {position} = 3")[0]
        db.execute("UPDATE stored_events SET tree = ? WHERE {position} = 3", (bytes(tree) + bytes(32),))
    result = recorded.verify()
    assert (result.ok, result.first_bad_position) == (False, 3) and "berisi 64 bita, bukan 32" in result.reason


def test_a_checkpoint_row_planted_beneath_the_service_is_passed_over(client, app, database):
    services = app.extensions["iku"]
    schedule(services, 3)
    with RawSQL(database) as db:
        db.execute("INSERT INTO iku_tree_checkpoints VALUES (?, ?, ?, ?)",
                   (2**40, bytes(32), "jemberkab.go.id/prokopim/iku\n1099511627776\nAAAA\n\n\u2014 x AAAAAAA=\n", 0))
    assert services.checkpoints.latest().size == 3
    assert client.get("/api/v1/audit/checkpoint").get_data(as_text=True).startswith("jemberkab.go.id/prokopim/iku\n3\n")
    assert client.get("/api/v1/audit/receipts/3").status_code == 200
    with acting_as("protokol.ani"):
        services.agenda.schedule(title="Rapat 9", leaders=["bupati"], starts_at=wib(2021, 3, 9, 9),
                                 location="Pendopo", scope="dalam_daerah")
    assert services.checkpoints.latest().size == 4  # signing goes on
    assert "berukuran 1099511627776" in services.verify().reason  # and verify names the planted row


def test_a_receipt_of_a_deleted_event_is_a_503_not_a_500(client, app, database):
    services = app.extensions["iku"]
    schedule(services, 3)
    with RawSQL(database) as db:
        db.execute("DELETE FROM stored_events WHERE {position} = 2")
    assert client.get("/api/v1/audit/receipts/2").status_code == 503
    assert client.get("/api/v1/audit/receipts/99").status_code == 404


def test_a_tree_column_of_another_type_is_named_not_a_traceback(recorded, database):
    with RawSQL(database) as db:
        if database.startswith("postgresql"):
            db.execute("UPDATE stored_events SET tree = NULL WHERE {position} = 4")
        else:
            db.execute("UPDATE stored_events SET tree = 'text' WHERE {position} = 4")
    result = recorded.verify()
    assert (result.ok, result.first_bad_position) == (False, 4) and "tidak punya daun" in result.reason


def test_verify_during_writes_is_ok_on_an_intact_store(services):
    """Writers appending meanwhile are not taken for tampering: verify pins the head."""
    import threading

    stop = threading.Event()
    failures = []

    def write(n):
        with acting_as(f"petugas.{n}"):
            while not stop.is_set():
                services.agenda.schedule(title="Rapat", leaders=["bupati"], starts_at=wib(2021, 3, 1, 9),
                                         location="Pendopo", scope="dalam_daerah")

    writers = [threading.Thread(target=write, args=(n,)) for n in range(3)]
    for w in writers:
        w.start()
    try:
        for _ in range(15):
            result = services.verify()
            if not result.ok:
                failures.append(result.reason)
    finally:
        stop.set()
        for w in writers:
            w.join()
    assert failures == [] and services.verify().ok


def test_with_an_interval_writes_arm_one_timer_and_closing_signs_what_is_due(database, monkeypatch):
    """IKU_CHECKPOINT_INTERVAL > 0: the first write signs at once, later ones within the
    interval wait for the timer; a process that ends (a CLI command) signs what is due."""
    from api.bootstrap import Services

    monkeypatch.setenv("IKU_CHECKPOINT_INTERVAL", "60")
    services = Services(database, "Asia/Jakarta")
    schedule(services, 3)
    assert services.checkpoints.latest().size == 1
    assert services.checkpoints._timer.is_alive()
    services.close()
    again = Services(database, "Asia/Jakarta")
    try:
        assert again.checkpoints.latest().size == 3
    finally:
        again.close()


def test_a_committed_write_answers_201_even_when_its_checkpoint_cannot_be_signed(client, auth, app, database):
    """Signing comes after the commit: whatever fails there is logged, never the write's answer."""
    services = app.extensions["iku"]
    body = {"title": "Rapat", "leaders": ["bupati"], "starts_at": "2021-03-01T09:00:00+07:00",
            "location": "Pendopo", "scope": "dalam_daerah"}
    auth()  # the users' accounts are in the log first
    base = services.agenda.recorder.max_notification_id()
    size = 1 << base.bit_length()  # a whole tree: its one node sits at the top of its last row
    for _ in range(size - base):
        assert client.post("/api/v1/activities", headers=auth("protokol"), json=body).status_code == 201
    level = size.bit_length() - 1
    with RawSQL(database) as db:  # the top node cut from the row of the last position
        (tree,) = db.execute("SELECT tree FROM stored_events WHERE {position} = ?", (size,))[0]
        db.execute("UPDATE stored_events SET tree = ? WHERE {position} = ?", (bytes(tree)[:32 * level], size))
    response = client.post("/api/v1/activities", headers=auth("protokol"), json=body)
    assert response.status_code == 201  # recorded (this process knew the tree), but nothing signed
    assert services.agenda.recorder.max_notification_id() == size + 1 and services.checkpoints.latest().size == size
    services.checkpoints.head.path.write_text('{"size": 1e999, "root": "x"}')
    services.agenda.recorder._committed = None
    with RawSQL(database) as db:
        db.execute("UPDATE stored_events SET tree = ? WHERE {position} = ?", (bytes(tree), size))
    assert client.post("/api/v1/activities", headers=auth("protokol"), json=body).status_code == 201


@pytest.mark.parametrize("head", ['{"size": -1, "root": "AAAA"}', '{"size": 2, "root": "' + "A" * 43 + '="}',
                                  '{"size": 1, "root": "' + "A" * 43 + '=", "origin": "elsewhere"}', "Infinity"])
def test_a_head_file_that_is_not_a_head_is_refused_by_name(recorded, head):
    from projections.audit.checkpoints import CheckpointRefused

    recorded.checkpoints.head.path.write_text(head)
    with pytest.raises(CheckpointRefused, match="tidak dapat dibaca"):
        recorded.checkpoints.sign()


def test_rows_planted_at_the_next_sizes_are_replaced_and_many_huge_ones_passed_over(recorded, database):
    with RawSQL(database) as db:
        for size in range(13, 16):
            db.execute("INSERT INTO iku_tree_checkpoints VALUES (?, ?, ?, ?)", (size, bytes(32), "forged\n", 0))
        for n in range(60):
            db.execute("INSERT INTO iku_tree_checkpoints VALUES (?, ?, ?, ?)", (2**40 + n, bytes(32), "forged\n", 0))
    assert recorded.checkpoints.latest().size == 12
    with acting_as("protokol.ani"):
        recorded.agenda.schedule(title="Rapat baru", leaders=["bupati"], starts_at=wib(2021, 3, 9, 9),
                                 location="Pendopo", scope="dalam_daerah")
    assert recorded.checkpoints.latest().size == 13  # the planted row of size 13 was replaced


def test_a_log_cut_and_refilled_to_the_same_size_is_refused_when_signing(recorded, database):
    from projections.audit.checkpoints import CheckpointRefused

    change_state(database, 12, b'"Ani"', b'"Bob"')
    forge_tree(recorded, database, drop_checkpoints=False, resign=False)  # as if refilled by the service
    with pytest.raises(CheckpointRefused, match="bukan log yang ditandatangani titik periksa berukuran 12"):
        recorded.checkpoints.sign()


def test_text_that_is_not_utf8_in_a_column_is_named_not_a_traceback(tmp_path):
    """SQLite stores what it is given (PostgreSQL refuses text that is not UTF-8)."""
    from api.bootstrap import Services

    database = str(tmp_path / "utf8.sqlite3")
    services = Services(database, "Asia/Jakarta")
    try:
        schedule(services, 5)
        with RawSQL(database) as db:
            db.execute("UPDATE stored_events SET topic = CAST(X'ff00' AS TEXT) WHERE {position} = 5")
        result = services.verify()
        assert result.ok is False and "tidak dapat dibaca" in result.reason
    finally:
        services.close()
    cli = CliRunner().invoke(main, ["verify"], env={"IKU_DATABASE": database})
    assert cli.exit_code == 1 and "Traceback" not in cli.output and "tidak dapat dibaca" in cli.output

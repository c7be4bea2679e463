"""Issue 23, row 1 (both stores): someone who can write the database but does not hold the
key folder appends a well-formed `Documented` — its leaf and its tree computed with the
inspector's own code, recorded_at = now, any actor's name. Every event the service writes
is sealed with the log's key (inspector/seal.py), so the row is named by `iku verify`,
nothing is signed over it (the service says so in health and metrics, and writes on), and
the witness and `verify-export` refuse a log that holds it even when the key's holder signs
over it."""
import json

import pytest
from click.testing import CliRunner

from api import create_app
from api.cli import main
from domain.context import acting_as
from domain.store.clock import SystemClock
from inspector import merkle
from inspector.export import ExportRefused, verify_export
from inspector.leaves import canonical
from inspector.note import Checkpoint
from inspector.witness import WitnessRefused
from tests.conftest import RawSQL, ensure_accounts, wib
from tests.integration.test_witness import run_witness, witness_key  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("english")

TOPIC = "domain.model:Activity.Documented"


@pytest.fixture
def recorded(services):
    ensure_accounts(services, protokol__ani="protokol")
    with acting_as("protokol.ani"):
        for i in range(3):
            w = services.agenda.schedule(title=f"Rapat {i}", leaders=["bupati"], starts_at=wib(2021, 4, 5 + i, 9),
                                         location="Pendopo", scope="dalam_daerah")
            services.agenda.record_protocol(w.activity_id, officers=["Ani"])
    return services


def forge_documented(services, database, *, actor="rt_dokumentasi", seal=None) -> int:
    """What the review did: a Documented of the first activity, appended beneath the
    service with everything the tree needs, at the present time. Returns its position."""
    rows = services.agenda.recorder.select_rows(0, 2**62, 10**6)
    first = next(row for row in rows if row[3].endswith(".ActivityScheduled"))
    activity_id = first[1]
    version = max(row[2] for row in rows if row[1] == activity_id) + 1
    position, recorded_at = rows[-1][0] + 1, max(SystemClock().now(), rows[-1][5] + 1)
    state = json.dumps({"timestamp": {"_type_": "datetime_iso", "_data_": "2026-12-07T10:00:00+00:00"},
                        "actor": actor, "media": "foto", "evidence_uri": None, "evidence_sha256": None,
                        "notes": None, "evidence": [], "documented_by": []}, separators=(",", ":")).encode()
    frontier = services.tree.frontier(position - 1)
    made = frontier.append(merkle.leaf_hash(canonical(position, activity_id, version, TOPIC, recorded_at,
                                                      actor, state)))
    with RawSQL(database) as db:
        identifier = db.execute("SELECT originator_id FROM stored_events WHERE {position} = ?", (first[0],))[0][0]
        db.execute("INSERT INTO stored_events ({position}, originator_id, originator_version, topic, state, "
                   "recorded_at, tree, seal) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   (position, identifier, version, TOPIC, state, recorded_at, b"".join(h for *_, h in made), seal))
    services.agenda.recorder._committed = None  # not this process's own append
    return position


def sign_over(services, database):
    """What only the key's holder can do: sign the head, forged row and all, bypassing the
    service's check (and move the head the key keeps)."""
    size = services.tree.size()
    root = services.tree.root(size)
    body = Checkpoint(services.checkpoints.origin, size, root).body
    note = body + "\n" + services.checkpoints.signer.sign_note(body)
    with RawSQL(database) as db:
        db.execute("INSERT INTO iku_tree_checkpoints VALUES (?, ?, ?, ?)", (size, root, note, SystemClock().now()))
    services.checkpoints.head.write(services.checkpoints.origin, size, root)


def test_a_well_formed_event_appended_beneath_the_service_is_named_by_iku_verify(recorded, database):
    position = forge_documented(recorded, database)
    result = recorded.verify()
    assert (result.ok, result.first_bad_position) == (False, position)
    assert result.reason == (f"the event at position {position} was not written by the service: it has no seal, "
                             "though the events are sealed from position 1 on")
    cli = CliRunner().invoke(main, ["verify"], env={"IKU_DATABASE": database})
    assert cli.exit_code == 1 and f"FAILED at position {position}" in cli.stdout


def test_a_seal_copied_from_another_event_does_not_seal_the_forged_one(recorded, database):
    with RawSQL(database) as db:
        genuine = bytes(db.execute("SELECT seal FROM stored_events WHERE {position} = 6")[0][0])
    position = forge_documented(recorded, database, seal=genuine)
    result = recorded.verify()
    assert result.first_bad_position == position
    assert result.reason.endswith("its seal does not match its event (written or changed outside the service)")


def test_nothing_is_signed_over_it_the_service_says_so_and_writes_on(recorded, database, tmp_path):
    signed = recorded.checkpoints.latest().size
    position = forge_documented(recorded, database)
    app = create_app({"IKU_DATABASE": database, "IKU_TIMEZONE": "Asia/Jakarta", "TESTING": True,
                      "IKU_EVIDENCE_DIR": str(tmp_path / "evidence")})
    try:
        services = app.extensions["iku"]
        with acting_as("protokol.ani"):  # the next genuine write is recorded and acknowledged
            written = services.agenda.schedule(title="Apel", leaders=["bupati"], starts_at=wib(2021, 4, 12, 7),
                                               location="Alun-alun", scope="dalam_daerah")
        assert written.position == position + 1
        assert services.checkpoints.latest().size == signed  # nothing signed over the forged row
        client = app.test_client()
        health = client.get("/api/v1/health").json
        assert health["status"] == "degraded" and health["checkpoints"] == "refused"
        assert health["checkpoint_refused"].startswith(
            f"the event at position {position} was not written by the service: it has no seal")
        metrics = client.get("/metrics").get_data(as_text=True)
        assert "iku_checkpoint_refused 1.0" in metrics and f"iku_checkpoint_lag_events {position + 1 - signed}.0" in metrics
    finally:
        app.extensions["iku"].close()
    cli = CliRunner().invoke(main, ["checkpoint"], env={"IKU_DATABASE": database})
    assert cli.exit_code != 0 and f"the event at position {position} was not written by the service" in cli.output


@pytest.fixture
def witnessed(database, witness_key):  # noqa: F811
    """A service on a port, the inspectorate's token, and protokol.ani's account."""
    from tests.conftest import scaffold_user
    from tests.support.server import serve_in_thread

    app = create_app({"IKU_DATABASE": database, "IKU_TIMEZONE": "Asia/Jakarta", "TESTING": True})
    server, url = serve_in_thread(app)
    services = app.extensions["iku"]
    token = scaffold_user(services.users, "inspektorat.bpk", "inspektorat")
    ensure_accounts(services, protokol__ani="protokol")
    yield services, url, token
    server.shutdown()
    services.close()


def test_the_event_of_a_log_key_holder_is_refused_by_the_witness(witnessed, database, witness_key, tmp_path):  # noqa: F811
    services, url, token = witnessed
    with acting_as("protokol.ani"):
        services.agenda.schedule(title="Rapat", leaders=["bupati"], starts_at=wib(2021, 4, 5, 9),
                                 location="Pendopo", scope="dalam_daerah")
    assert run_witness(services, url, token, tmp_path, witness_key)["size"] == services.tree.size()
    position = forge_documented(services, database)
    sign_over(services, database)
    with pytest.raises(WitnessRefused, match=f"the event at position {position} was not written by the service"):
        run_witness(services, url, token, tmp_path, witness_key)


def test_an_export_holding_a_row_the_service_did_not_write_is_refused_offline(recorded, database, tmp_path):
    position = forge_documented(recorded, database)
    sign_over(recorded, database)
    out = tmp_path / "export"
    result = CliRunner().invoke(main, ["export", "audit", "--period", "2021-Q2", "--out", str(out)],
                                env={"IKU_DATABASE": database})
    assert result.exit_code == 0, result.output
    with pytest.raises(ExportRefused, match=f"leaves.jsonl line {position}: the event at position {position} was "
                                            "not written by the service: it has no seal"):
        verify_export(out, [recorded.checkpoints.signer.verifier])


def test_a_moved_seal_boundary_is_named(recorded, database):
    with RawSQL(database) as db:  # to exempt the forged row, the boundary is moved after it
        db.execute("UPDATE iku_meta SET value = '99' WHERE key = 'events_sealed_from'")
    recorded.checkpoints.head.path.with_suffix(".seals").unlink()  # and the key's record with it
    position = forge_documented(recorded, database)
    result = recorded.verify()  # the seals themselves state their boundary, under their signature
    assert result.first_bad_position == position
    assert result.reason.startswith(f"the event at position {position} was not written by the service")


def test_a_log_of_before_the_seals_upgrades_on_start_without_rehashing_what_is_signed(recorded, database, tmp_path):
    signed = recorded.checkpoints.latest()
    recorded.close()
    with RawSQL(database) as db:  # the database as the previous version left it
        db.execute("ALTER TABLE stored_events DROP COLUMN seal")
        db.execute("DELETE FROM iku_meta WHERE key = 'events_sealed_from'")
    recorded.checkpoints.head.path.with_suffix(".seals").unlink()
    app = create_app({"IKU_DATABASE": database, "IKU_TIMEZONE": "Asia/Jakarta", "TESTING": True,
                      "IKU_EVIDENCE_DIR": str(tmp_path / "evidence")})
    services = app.extensions["iku"]
    try:
        assert services.agenda.recorder.sealer.sealed_from == signed.size + 1  # the boundary, documented
        assert services.checkpoints.latest() == signed  # nothing hashed or signed again
        with acting_as("protokol.ani"):
            services.agenda.schedule(title="Apel", leaders=["bupati"], starts_at=wib(2021, 4, 12, 7),
                                     location="Alun-alun", scope="dalam_daerah")
        result = services.verify()
        assert result.ok and result.checked == signed.size + 1
        with RawSQL(database) as db:
            seals = [row[0] for row in db.execute("SELECT seal FROM stored_events ORDER BY {position}")]
        assert seals[:signed.size] == [None] * signed.size and seals[-1] is not None
        # a row forged at the boundary's side is still named: the boundary is the key's
        position = forge_documented(services, database)
        assert services.verify().first_bad_position == position
    finally:
        services.close()


def test_an_event_whose_actor_lacked_the_role_is_refused_offline(recorded, database, tmp_path):
    """Past the service's own check (the domain takes any actor: the key's holder, or a bug):
    a target set as a protokol user is sealed, signed — and refused from the leaves alone."""
    from decimal import Decimal

    ensure_accounts(recorded, rt_protokol="protokol")
    with acting_as("rt_protokol"):
        written = recorded.agenda.set_target(indicator="IKU-1", year=2021, target=Decimal("80"))
    out = tmp_path / "export"
    result = CliRunner().invoke(main, ["export", "audit", "--period", "2021-Q2", "--out", str(out)],
                                env={"IKU_DATABASE": database})
    assert result.exit_code == 0, result.output
    p = written.position
    with pytest.raises(ExportRefused, match=f"leaves.jsonl line {p}: the event at position {p}: rt_protokol was "
                                            "protokol then and may not set a target"):
        verify_export(out, [recorded.checkpoints.signer.verifier])


def test_the_witness_refuses_an_event_of_a_disabled_account(witnessed, witness_key, tmp_path):  # noqa: F811
    services, url, token = witnessed
    services.users.set_disabled("protokol.ani", True, "pindah tugas")
    with acting_as("protokol.ani"):
        written = services.agenda.schedule(title="Rapat", leaders=["bupati"], starts_at=wib(2021, 4, 5, 9),
                                           location="Pendopo", scope="dalam_daerah")
    with pytest.raises(WitnessRefused, match=f"the event at position {written.position}: the account "
                                             "protokol.ani was disabled then"):
        run_witness(services, url, token, tmp_path, witness_key)


def test_a_receipt_carries_its_events_seal_and_a_seal_of_another_event_is_refused(recorded):
    from inspector.note import Proof
    from inspector.receipt import ReceiptRefused, verify_receipt

    latest = recorded.checkpoints.latest()
    key = recorded.checkpoints.signer.verifier
    line, other = recorded.tree.leaves(3, 5)
    proof = lambda line: str(Proof(3, tuple(recorded.tree.inclusion(3, latest.size)), latest.text,  # noqa: E731
                                   json.dumps(line, separators=(",", ":")).encode()))
    assert verify_receipt(proof(line), [key])["sealed"] is True
    with pytest.raises(ReceiptRefused, match="the receipt's event was not written by the service: its seal does "
                                             "not match its event"):
        verify_receipt(proof({**line, "seal": other["seal"]}), [key])


def test_a_database_of_the_previous_version_upgrades_and_its_users_keep_their_token_and_password(
        tmp_path, monkeypatch):
    """tests/fixtures/previous-version: made by the version before the seals (a user `ani`,
    protokol, with a token and a password; one imported activity), with its key."""
    import shutil
    from pathlib import Path

    from tests.api.test_pages import token_of

    fixture = Path(__file__).parents[1] / "fixtures" / "previous-version"
    keys = tmp_path / "keys"
    keys.mkdir(mode=0o700)
    for name in ("log-signing-key.pem", "log-signing-key.head"):
        shutil.copy(fixture / name, keys / name)
        (keys / name).chmod(0o600)
    shutil.copy(fixture / "iku.sqlite3", tmp_path / "iku.sqlite3")
    monkeypatch.setenv("IKU_SIGNING_KEY", str(keys / "log-signing-key.pem"))
    app = create_app({"IKU_DATABASE": str(tmp_path / "iku.sqlite3"), "IKU_TIMEZONE": "Asia/Jakarta",
                      "TESTING": True, "IKU_EVIDENCE_DIR": str(tmp_path / "evidence")})
    services = app.extensions["iku"]
    try:
        assert services.agenda.recorder.sealer.sealed_from == 4  # its three events stay as they were
        client = app.test_client()
        token = (fixture / "token.txt").read_text().strip()
        headers = {"Authorization": f"Bearer {token}"}
        assert client.get("/api/v1/iku?period=2021-Q1", headers=headers).status_code == 200
        page = client.get("/login").get_data(as_text=True)
        assert client.post("/login", data={"csrf_token": token_of(page), "name": "ani",
                                           "password": "kata-sandi-lama"}).status_code == 302
        written = client.post("/api/v1/activities", headers=headers, json={
            "title": "Apel", "leaders": ["bupati"], "starts_at": "2021-03-02T07:00:00+07:00",
            "location": "Alun-alun", "scope": "dalam_daerah"})
        assert written.status_code == 201
        kinds = [n.topic.rsplit(".", 1)[1] for n in services.agenda.recorder.select_notifications(None, 100)]
        assert kinds == ["AccountCreated", "TokenIssued", "ActivityScheduled", "CredentialsRecorded",
                         "ActivityScheduled"]
        assert services.verify().ok
        out = tmp_path / "export"
        result = CliRunner().invoke(main, ["export", "audit", "--period", "2021-Q1", "--out", str(out)],
                                    env={"IKU_DATABASE": str(tmp_path / "iku.sqlite3")})
        assert result.exit_code == 0, result.output
        checked = verify_export(out, [services.checkpoints.signer.verifier])
        assert (checked["sealed"], checked["sealed_from"]) == (2, 4)
        assert "the first 3 events were written before seals" in " ".join(checked["warnings"])
    finally:
        services.close()


def test_a_process_without_the_key_to_seal_appends_nothing_and_says_why(client, auth, app):
    agenda = app.extensions["iku"].agenda
    auth()  # the users' accounts first
    before = agenda.recorder.max_notification_id()
    agenda.recorder.sealer = None  # as a process that could not read the log's key
    response = client.post("/api/v1/activities", headers=auth("protokol"), json={
        "title": "Rapat", "leaders": ["bupati"], "starts_at": "2021-03-01T09:00:00+07:00",
        "location": "Pendopo", "scope": "dalam_daerah"})
    assert response.status_code == 503 and response.headers["Retry-After"] == "60"
    assert response.json["message"].startswith("this process holds no key to seal events with; nothing was recorded")
    assert agenda.recorder.max_notification_id() == before

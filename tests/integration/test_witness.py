"""The inspectorate's witness against a running service (both stores): it cosigns only a
log that grew from what it cosigned before and whose submitted figures it recomputed, and
refuses a rewritten history, a truncated log, deleted checkpoints and a split view."""
import pytest
from click.testing import CliRunner

from api import create_app
from api.cli import main
from api.service_layer.commands import submit_report
from api.users import User
from domain.context import acting_as
from inspector.note import COSIGNATURE_V1, Note, Signer
from inspector.witness import WitnessRefused, witness
from projections.periods import Period
from tests.api.test_pages import login, logins  # noqa: F401 - fixtures
from tests.conftest import ensure_accounts, scaffold_user, RawSQL, wib
from tests.integration.test_audit import change_state, forge_tree
from tests.support.server import serve_in_thread as serve

# The refusals are read in English here (IKU_LANGUAGE=en); test_languages.py reads them in
# Bahasa Indonesia, the default.
pytestmark = pytest.mark.usefixtures("english")

KABAG = User(name="kabag", role="pimpinan")

NAME = "inspektorat.jemberkab.go.id/witness"


@pytest.fixture
def witness_key(tmp_path, monkeypatch):
    key = tmp_path / "witness" / "key.pem"
    signer = Signer.from_file(NAME, key, COSIGNATURE_V1, create=True)
    monkeypatch.setenv("IKU_WITNESS_KEYS", signer.verifier.vkey)
    return key


@pytest.fixture
def service(database, witness_key):
    app = create_app({"IKU_DATABASE": database, "IKU_TIMEZONE": "Asia/Jakarta", "TESTING": True})
    server, url = serve(app)
    services = app.extensions["iku"]
    token = scaffold_user(services.users, "inspektorat.bpk", "inspektorat")
    yield services, url, token
    server.shutdown()
    services.close()


def record(services, n, start=0, title="Rapat"):
    ensure_accounts(services, protokol__ani="protokol", kabag="pimpinan")
    with acting_as("protokol.ani"):
        for i in range(start, start + n):
            w = services.agenda.schedule(title=f"{title} {i}", leaders=["bupati"], starts_at=wib(2021, 3, 1 + i % 28, 9),
                                         location="Pendopo", scope="dalam_daerah")
            if i % 2:
                services.agenda.record_protocol(w.activity_id, officers=["Ani"])


def run_witness(services, url, token, tmp_path, witness_key, **options):
    log_key = services.checkpoints.signer.verifier
    return witness(url, str(witness_key), str(tmp_path / "witness" / "state.json"), token=token,
                   log_keys=[log_key], name=NAME, say=lambda *_: None, **options)


def test_the_witness_cosigns_a_growing_log_and_the_service_shows_it(service, tmp_path, witness_key):
    services, url, token = service
    record(services, 4)
    submit_report(services, KABAG, Period.parse("2021-Q1"))
    first = run_witness(services, url, token, tmp_path, witness_key)
    assert first["size"] == services.tree.size() and first["submissions_recomputed"] == 1
    latest = services.checkpoints.latest()
    assert services.checkpoints.witnesses_of(latest) and NAME in latest.text
    record(services, 3, start=10)
    second = run_witness(services, url, token, tmp_path, witness_key)  # a consistency proof from the first size
    assert second["size"] == services.tree.size() > first["size"]
    result = services.verify()
    assert result.ok and result.witnesses == {NAME: 2}
    import urllib.request

    with urllib.request.urlopen(f"{url}/api/v1/audit/checkpoint") as response:
        assert response.headers["IKU-Cosigned-By"] == NAME
        assert Note.parse(response.read()).cosigned_by([Signer.from_file(NAME, witness_key, COSIGNATURE_V1).verifier])


def test_the_audit_page_shows_who_witnessed_the_latest_checkpoint(service, tmp_path, witness_key, client, login):
    services, url, token = service
    record(services, 2)
    login("inspektorat")  # before the witness runs: making the user appends to the log
    run_witness(services, url, token, tmp_path, witness_key)
    html = client.get("/audit").get_data(as_text=True)
    assert f"Disaksikan (ditandatangani bersama) oleh: {NAME}" in html


def test_the_witness_refuses_a_history_rewritten_and_resigned_with_the_genuine_key(service, tmp_path, witness_key, database):
    services, url, token = service
    record(services, 6)
    run_witness(services, url, token, tmp_path, witness_key)
    change_state(database, None, b"Rapat 1", b"Rapat 9")
    forge_tree(services, database)
    record(services, 1, start=20)
    assert services.verify().ok is True  # the database alone cannot tell
    with pytest.raises(WitnessRefused, match="history was rewritten"):
        run_witness(services, url, token, tmp_path, witness_key)


def test_the_witness_refuses_a_truncated_log(service, tmp_path, witness_key, database):
    services, url, token = service
    record(services, 6)
    run_witness(services, url, token, tmp_path, witness_key)
    with RawSQL(database) as db:
        db.execute("DELETE FROM stored_events WHERE {position} > 5")
    forge_tree(services, database)
    with pytest.raises(WitnessRefused, match="truncated"):
        run_witness(services, url, token, tmp_path, witness_key)


def test_the_witness_refuses_when_the_latest_checkpoints_were_deleted(service, tmp_path, witness_key, database):
    services, url, token = service
    record(services, 6)
    size = run_witness(services, url, token, tmp_path, witness_key)["size"]
    with RawSQL(database) as db:
        db.execute("DELETE FROM iku_tree_checkpoints WHERE size >= ?", (size - 2,))
    with pytest.raises(WitnessRefused, match="truncated"):
        run_witness(services, url, token, tmp_path, witness_key)


def test_the_witness_refuses_a_split_view(service, tmp_path, witness_key, monkeypatch):
    services, url, token = service
    record(services, 4)
    run_witness(services, url, token, tmp_path, witness_key)
    import os
    import shutil

    copy = tmp_path / "elsewhere" / "key.pem"  # the genuine key, copied to another host
    copy.parent.mkdir()
    shutil.copy(os.environ["IKU_SIGNING_KEY"], copy)
    os.chmod(copy, 0o600)
    monkeypatch.setenv("IKU_SIGNING_KEY", str(copy))
    other = create_app({"IKU_DATABASE": str(tmp_path / "other.sqlite3"), "IKU_TIMEZONE": "Asia/Jakarta", "TESTING": True})
    record(other.extensions["iku"], 4, title="Lain")  # same key, same origin, same size, other events
    other_token = scaffold_user(other.extensions["iku"].users, "inspektorat.bpk", "inspektorat")
    server, other_url = serve(other)
    try:
        assert other.extensions["iku"].tree.size() == services.tree.size()
        with pytest.raises(WitnessRefused, match="split view"):
            run_witness(services, other_url, other_token, tmp_path, witness_key)
    finally:
        server.shutdown()
        other.extensions["iku"].close()


def test_the_witness_refuses_submitted_figures_the_log_does_not_give(service, tmp_path, witness_key, database):
    services, url, token = service
    record(services, 4)
    written = submit_report(services, KABAG, Period.parse("2021-Q1"))
    change_state(database, written.position, b'"numerator":2', b'"numerator":4')
    forge_tree(services, database)
    with pytest.raises(WitnessRefused, match="2021-Q1.*IKU-1 numerator"):
        run_witness(services, url, token, tmp_path, witness_key)


def test_iku_witness_exits_non_zero_with_the_reason_and_zero_once_stored(service, tmp_path, witness_key, database):
    services, url, token = service
    record(services, 2)
    runner = CliRunner()
    state = str(tmp_path / "witness" / "state.json")
    vkey = services.checkpoints.signer.verifier.vkey
    result = runner.invoke(main, ["witness", url, "--key", str(witness_key), "--state", state], env={"IKU_TOKEN": token})
    assert result.exit_code == 1 and "--log-key" in result.stderr
    result = runner.invoke(main, ["witness", url, "--key", str(witness_key), "--state", state, "--log-key", vkey],
                           env={"IKU_TOKEN": token})
    assert result.exit_code == 0, result.output
    assert "cosigned jemberkab.go.id/prokopim/iku at size" in result.stdout
    printed = runner.invoke(main, ["witness", "--key", str(witness_key), "--print-vkey"]).stdout.strip()
    assert printed == Signer.from_file(NAME, witness_key, COSIGNATURE_V1).verifier.vkey
    with RawSQL(database) as db:
        db.execute("DELETE FROM iku_tree_checkpoints WHERE size > (SELECT min(size) FROM iku_tree_checkpoints)")
    result = runner.invoke(main, ["witness", url, "--key", str(witness_key), "--state", state], env={"IKU_TOKEN": token})
    assert result.exit_code == 1 and "REFUSED: the log was truncated" in result.stderr


def test_cosignatures_are_kept_only_from_a_configured_witness_of_the_inspectorate(service, client, auth, tmp_path):
    services, url, token = service
    record(services, 1)
    size = services.tree.size()
    body = services.checkpoints.latest().checkpoint.body
    stranger = Signer(NAME, Signer.from_file("x", tmp_path / "stranger.pem", create=True).key, COSIGNATURE_V1)
    genuine = Signer.from_file(NAME, tmp_path / "witness" / "key.pem", COSIGNATURE_V1)
    post = lambda role, line, n=size: client.post("/api/v1/audit/cosignatures", headers=auth(role),  # noqa: E731
                                                  json={"size": n, "cosignature": line})
    assert post("admin", genuine.cosign(body)).status_code == 403
    assert post("inspektorat", stranger.cosign(body)).status_code == 422
    assert post("inspektorat", genuine.cosign(body + "x")).status_code == 422
    assert post("inspektorat", "garbage").status_code == 422
    assert post("inspektorat", genuine.cosign(body), n=99).status_code == 404
    assert client.post("/api/v1/audit/cosignatures", json={"size": size, "cosignature": "x"}).status_code == 401
    assert post("inspektorat", genuine.cosign(body)).status_code == 201


def test_a_forged_cosignature_in_the_database_is_named_by_verify(service, tmp_path, witness_key, database):
    services, url, token = service
    record(services, 2)
    run_witness(services, url, token, tmp_path, witness_key)
    with RawSQL(database) as db:
        (line,) = db.execute("SELECT line FROM iku_cosignatures")[0]
        parts = line.split(" ")
        import base64

        raw = bytearray(base64.b64decode(parts[2]))
        raw[-1] ^= 1
        db.execute("UPDATE iku_cosignatures SET line = ?", (" ".join(parts[:2] + [base64.b64encode(bytes(raw)).decode()]) + "\n",))
    result = services.verify()
    assert result.ok is False and "forged cosignature" in result.reason


def test_the_witness_refuses_a_checkpoint_with_lines_it_does_not_know(service, tmp_path, witness_key, database):
    """Signed with the genuine key, but with an extension line: the witness cosigns only what it checked."""
    services, url, token = service
    record(services, 2)
    size = services.tree.size()
    body = f"jemberkab.go.id/prokopim/iku\n{size}\n" + __import__("base64").b64encode(services.tree.root(size)).decode() + "\nextra: anything\n"
    note = body + "\n" + services.checkpoints.signer.sign_note(body)
    with RawSQL(database) as db:
        db.execute("UPDATE iku_tree_checkpoints SET note = ? WHERE size = ?", (note, size))
    with pytest.raises(WitnessRefused, match="extension lines"):
        run_witness(services, url, token, tmp_path, witness_key)


def test_an_older_cosignature_never_replaces_a_newer_one(service, client, auth, tmp_path):
    services, url, token = service
    record(services, 1)
    size = services.tree.size()
    body = services.checkpoints.latest().checkpoint.body
    genuine = Signer.from_file(NAME, tmp_path / "witness" / "key.pem", COSIGNATURE_V1)
    newer, older = genuine.cosign(body, timestamp=2_000_000_000), genuine.cosign(body, timestamp=1)
    for line in (newer, older):
        assert client.post("/api/v1/audit/cosignatures", headers=auth("inspektorat"),
                           json={"size": size, "cosignature": line}).status_code == 201
    assert services.checkpoints.latest().cosignatures == (newer,)


def test_the_witness_holds_the_goal_to_the_definition_it_is_told(database, witness_key, tmp_path, monkeypatch):
    """An office's own TUJUAN-1 (IKU_TUJUAN): a report stating it is refused by a witness
    holding the default definition, and cosigned by one told the office's (--tujuan)."""
    monkeypatch.setenv("IKU_TUJUAN", "IKU-1,PENDUKUNG-1")
    app = create_app({"IKU_DATABASE": database, "IKU_TIMEZONE": "Asia/Jakarta", "TESTING": True})
    server, url = serve(app)
    services = app.extensions["iku"]
    token = scaffold_user(services.users, "inspektorat.bpk", "inspektorat")
    try:
        record(services, 4)
        submit_report(services, KABAG, Period.parse("2021-Q1"))
        with pytest.raises(WitnessRefused, match="TUJUAN-1"):
            run_witness(services, url, token, tmp_path, witness_key)
        told = run_witness(services, url, token, tmp_path, witness_key, goal_parts=("IKU-1", "PENDUKUNG-1"))
        assert told["submissions_recomputed"] == 1
    finally:
        server.shutdown()
        services.close()

"""Audit integrity: the hash chain finds and locates tampering; signed checkpoints; an
audit export verified offline with nothing but the export and the public key."""
import json

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from api.cli import main
from domain.context import acting_as
from projections.audit import ExportRefused, public_pem, verify_export
from projections.periods import Period
from tests.conftest import RawSQL, wib


@pytest.fixture
def recorded(services):
    with acting_as("protokol.ani"):
        for i in range(6):
            w = services.agenda.schedule(title=f"Rapat {i}", leaders=["bupati"], starts_at=wib(2021, 3, 1 + i, 9),
                                         location="Pendopo", scope="dalam_daerah")
            services.agenda.record_protocol(w.activity_id, officers=["Ani"])
    services.chain.catch_up()
    return services


def tamper(database, *statements):
    with RawSQL(database) as db:
        for statement, params in statements:
            db.execute(statement, params)


def test_an_untouched_log_verifies(recorded):
    result = recorded.checkpoints.verify()
    assert (result.ok, result.checked, result.head_position) == (True, 12, 12)


def test_changing_one_byte_of_a_stored_event_is_detected_and_located(recorded, database):
    with RawSQL(database) as db:
        state = bytearray(db.execute("SELECT state FROM stored_events WHERE {position} = 7")[0][0])
        state[state.index(b"Rapat 3")] ^= 0x01  # one bit of one byte
        db.execute("UPDATE stored_events SET state = ? WHERE {position} = 7", (bytes(state),))
    result = recorded.checkpoints.verify()
    assert (result.ok, result.first_bad_position) == (False, 7)


def test_deleting_a_stored_event_is_detected_and_located(recorded, database):
    tamper(database, ("DELETE FROM stored_events WHERE {position} = 4", ()))
    result = recorded.checkpoints.verify()
    assert (result.ok, result.first_bad_position) == (False, 4)
    assert "missing" in result.reason


def test_swapping_two_stored_events_is_detected_and_located(recorded, database):
    with RawSQL(database) as db:
        columns = "originator_id, originator_version, topic, state, recorded_at"
        a = db.execute(f"SELECT {columns} FROM stored_events WHERE {{position}} = 3")[0]
        b = db.execute(f"SELECT {columns} FROM stored_events WHERE {{position}} = 5")[0]
        db.execute("DELETE FROM stored_events WHERE {position} IN (3, 5)")
        db.execute(f"INSERT INTO stored_events ({{position}}, {columns}) VALUES (3, ?, ?, ?, ?, ?)", b)
        db.execute(f"INSERT INTO stored_events ({{position}}, {columns}) VALUES (5, ?, ?, ?, ?, ?)", a)
    result = recorded.checkpoints.verify()
    assert (result.ok, result.first_bad_position) == (False, 3)


def test_deleting_the_last_events_and_their_hashes_is_caught_by_the_signed_checkpoint(recorded, database):
    recorded.checkpoints.take()
    tamper(database, ("DELETE FROM stored_events WHERE {position} > 10", ()),
           ("DELETE FROM iku_chain WHERE position > 10", ()))
    result = recorded.checkpoints.verify()
    assert result.ok is False and "checkpoint" in result.reason


def test_changing_the_chain_itself_is_detected(recorded, database):
    tamper(database, ("UPDATE iku_chain SET hash = ? WHERE position = 9", ("00" * 32,)))
    result = recorded.checkpoints.verify()
    assert (result.ok, result.first_bad_position) == (False, 9)


def test_a_forged_checkpoint_signature_is_detected(recorded, database):
    recorded.checkpoints.take()
    tamper(database, ("UPDATE iku_checkpoints SET position = 11", ()))
    assert recorded.checkpoints.verify().ok is False


def test_verify_and_the_public_key_through_the_api(client, auth, app):
    with acting_as("protokol"):
        app.extensions["iku"].agenda.schedule(title="Rapat", leaders=["bupati"], starts_at=wib(2021, 3, 1, 9),
                                              location="Pendopo", scope="dalam_daerah")
    verified = client.get("/api/v1/audit/verify", headers=auth("inspektorat")).json
    assert verified["ok"] is True and verified["checked"] == 1
    assert client.get("/api/v1/audit/verify").status_code == 401
    key = client.get("/api/v1/audit/public-key").json  # public, like the OpenAPI document
    assert key["algorithm"] == "Ed25519" and key["public_key"].startswith("-----BEGIN PUBLIC KEY-----")
    latest = client.get("/api/v1/audit/checkpoints/latest", headers=auth("pimpinan"))
    assert latest.status_code == 200 and latest.json["position"] == 1  # the daily checkpoint


@pytest.fixture
def exported(recorded, cli_env, tmp_path):
    runner = CliRunner()
    out = tmp_path / "export"
    result = runner.invoke(main, ["export", "audit", "--period", "2021-Q1", "--out", str(out)], env=cli_env)
    assert result.exit_code == 0, result.output
    key = tmp_path / "public.pem"
    key.write_text(runner.invoke(main, ["public-key"], env=cli_env).stdout)
    return out, key


def test_an_audit_export_verifies_offline_with_the_public_key(exported):
    out, key = exported
    result = CliRunner().invoke(main, ["verify-export", str(out), "--public-key", str(key)], env={"IKU_DATABASE": "/nonexistent/no.db"})
    assert result.exit_code == 0 and "ok: 12 events" in result.stdout
    figures = json.loads((out / "figures.json").read_text())
    assert figures["as_known_now"]["indicators"][0]["numerator"] == 6


def test_an_export_with_another_key_is_refused(exported, tmp_path):
    out, _ = exported
    wrong = tmp_path / "wrong.pem"
    wrong.write_text(public_pem(Ed25519PrivateKey.generate().public_key()))
    with pytest.raises(ExportRefused, match="signature"):
        verify_export(out, wrong.read_bytes())


def test_an_export_with_a_changed_line_is_refused_naming_the_line(exported):
    out, key = exported
    lines = (out / "events.jsonl").read_text().splitlines()
    event = json.loads(lines[4])
    event["recorded_at"] -= 1_000_000  # backdated by a second
    lines[4] = json.dumps(event)
    (out / "events.jsonl").write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(main, ["verify-export", str(out), "--public-key", str(key)])
    assert result.exit_code == 1
    assert "events.jsonl line 5" in result.stdout


def test_an_export_with_changed_figures_is_refused(exported):
    out, key = exported
    (out / "figures.json").write_text((out / "figures.json").read_text().replace('"numerator": 6', '"numerator": 7'))
    with pytest.raises(ExportRefused, match="figures.json"):
        verify_export(out, key.read_bytes())


def test_an_export_into_a_folder_that_is_not_empty_or_of_a_bad_period_is_refused(recorded, cli_env, tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    runner = CliRunner()
    assert runner.invoke(main, ["export", "audit", "--period", "2021", "--out", str(tmp_path / "full")], env=cli_env).exit_code == 1
    assert runner.invoke(main, ["export", "audit", "--period", "2021-Q7", "--out", str(tmp_path / "new")], env=cli_env).exit_code == 2


def test_iku_verify_says_ok_or_names_the_first_bad_position(recorded, cli_env, database):
    runner = CliRunner()
    assert "ok: 12 events" in runner.invoke(main, ["verify"], env=cli_env).stdout
    tamper(database, ("DELETE FROM stored_events WHERE {position} = 6", ()))
    result = runner.invoke(main, ["verify"], env=cli_env)
    assert result.exit_code == 1 and "FAILED at position 6" in result.stdout


def test_the_export_figures_are_those_of_the_api(recorded, client, auth, exported):
    out, _ = exported
    figures = json.loads((out / "figures.json").read_text())["as_known_now"]
    assert Period.parse(figures["period"]["label"]).label == "2021-Q1"
    as_of = figures["as_of"].replace("+", "%2B")
    api = client.get(f"/api/v1/iku?period=2021-Q1&as_of={as_of}", headers=auth("inspektorat")).json
    assert figures["indicators"] == api["indicators"]
    assert [i["denominator"] for i in figures["indicators"]] == [6, 6]


def test_checkpoints_signed_before_a_key_rotation_still_verify(recorded, tmp_path):
    recorded.checkpoints.take()
    old_key = recorded.checkpoints.signer.path
    old_key.rename(tmp_path / "retired-key.pem")  # rotation: a new key is made on next use
    with acting_as("protokol.ani"):
        recorded.agenda.schedule(title="Rapat", leaders=["bupati"], starts_at=wib(2021, 3, 9, 9),
                                 location="Pendopo", scope="dalam_daerah")
    recorded.checkpoints.take()
    keys = {c.public_key for c in recorded.checkpoints.all()}
    assert len(keys) == 2
    assert recorded.checkpoints.verify().ok is True

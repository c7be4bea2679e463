"""The audit export (v2) verified offline (both stores): with the log's key, the witnesses'
keys and checkpoints an inspector kept; every refusal names what is wrong, never with a
traceback; the figures are recomputed from the leaves by an implementation of its own."""
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import main
from api.service_layer.commands import submit_report
from api.users import User
from inspector.export import ExportRefused, verify_export
from inspector.note import COSIGNATURE_V1, Signer, Verifier
from projections.periods import Period
from tests.conftest import ensure_accounts
from tests.integration.test_audit import change_state, forge_tree, holding
from tests.integration.test_witness import record

# The refusals are read in English here (IKU_LANGUAGE=en); test_languages.py reads them in
# Bahasa Indonesia, the default.
pytestmark = pytest.mark.usefixtures("english")

KABAG = User(name="kabag", role="pimpinan")

ROOT = Path(__file__).parents[2]


@pytest.fixture
def logged(services):
    record(services, 6)
    submit_report(services, KABAG, Period.parse("2021-Q1"))
    record(services, 2, start=20)  # recorded after the submission
    return services


def export(services, database, out):
    result = CliRunner().invoke(main, ["export", "audit", "--period", "2021-Q1", "--out", str(out)],
                                env={"IKU_DATABASE": database})
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def exported(logged, database, tmp_path):
    return export(logged, database, tmp_path / "export")


@pytest.fixture
def key(logged):
    return logged.checkpoints.signer.verifier


def rehash(out):
    """What a forger does after editing a file: make the manifest agree."""
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["files"] = {name: hashlib.sha256((out / name).read_bytes()).hexdigest() for name in manifest["files"]
                         if (out / name).is_file()}
    (out / "manifest.json").write_text(json.dumps(manifest))


def refused(out, key, match, **options):
    with pytest.raises(ExportRefused, match=match):
        verify_export(out, [key], **options)


def test_an_export_verifies_offline_with_the_logs_key(exported, key, logged):
    result = verify_export(exported, [key])
    assert result["events"] == logged.tree.size() and result["submissions_recomputed"] == 1
    figures = json.loads((exported / "figures.json").read_text())
    assert figures["as_known_at_checkpoint"]["indicators"][0]["numerator"] == 4
    assert figures["as_submitted"][0]["indicators"][0]["numerator"] == 3


def test_the_verifier_runs_from_a_copy_of_the_inspector_folder_alone(exported, key, tmp_path):
    """Nothing of domain/, projections/ or api/: its agreement with the service is evidence."""
    shutil.copytree(ROOT / "inspector", tmp_path / "alone" / "inspector")
    check = ("import sys, runpy; sys.argv = ['inspector', 'verify-export', sys.argv[1], '--key', sys.argv[2]];"
             "code = 0\ntry:\n    runpy.run_module('inspector', run_name='__main__')\nexcept SystemExit as e:\n"
             "    code = e.code\nbad = [m for m in sys.modules if m.split('.')[0] in ('domain', 'projections', 'api')]\n"
             "print('imported:', bad); sys.exit(code or (1 if bad else 0))")
    for language, said in (({}, "UTUH: "), ({"IKU_LANGUAGE": "en"}, "ok: ")):  # its catalog comes along
        done = subprocess.run([sys.executable, "-I", "-c", check, str(exported), key.vkey],
                              cwd=tmp_path / "alone", capture_output=True, text=True,
                              env={"PATH": os.environ["PATH"], "PYTHONPATH": str(tmp_path / "alone"), **language})
        assert done.returncode == 0, done.stderr
        assert said in done.stdout and "imported: []" in done.stdout


def test_iku_verify_export_says_ok_or_refused(exported, key, tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["verify-export", str(exported), "--key", key.vkey])
    assert result.exit_code == 0 and result.stdout.startswith("ok: ")
    other = Signer.from_file("jemberkab.go.id/prokopim/iku", tmp_path / "other.pem", create=True).verifier
    result = runner.invoke(main, ["verify-export", str(exported), "--key", other.vkey])
    assert result.exit_code == 1 and "REFUSED: checkpoint.txt: the checkpoint is not signed by a trusted log key" in result.stderr


def test_a_changed_leaf_is_refused(exported, key):
    lines = (exported / "leaves.jsonl").read_text().splitlines()
    n = next(i for i, text in enumerate(lines) if b"Rapat 1" in base64.b64decode(json.loads(text)["state"]))
    line = json.loads(lines[n])
    state = base64.b64decode(line["state"])
    assert b"Rapat 1" in state
    line["state"] = base64.b64encode(state.replace(b"Rapat 1", b"Rapat 7")).decode()
    lines[n] = json.dumps(line)
    (exported / "leaves.jsonl").write_text("\n".join(lines) + "\n")
    rehash(exported)
    refused(exported, key, f"leaves.jsonl line {n + 1}: the event at position {n + 1} was not written by the "
                           "service: its seal does not match its event")
    # without the seals (as a log of before them), the root still gives it away
    unsealed = [json.dumps({k: v for k, v in json.loads(text).items() if k != "seal"}) for text in lines]
    (exported / "leaves.jsonl").write_text("\n".join(unsealed) + "\n")
    rehash(exported)
    refused(exported, key, "leaves.jsonl: the root of its leaves is not the checkpoint's root")


def test_a_backdated_line_is_refused_naming_it(exported, key):
    lines = (exported / "leaves.jsonl").read_text().splitlines()
    line = json.loads(lines[4])
    line["recorded_at"] -= 5 * 365 * 24 * 3600 * 10**6
    lines[4] = json.dumps(line)
    (exported / "leaves.jsonl").write_text("\n".join(lines) + "\n")
    rehash(exported)
    refused(exported, key, "leaves.jsonl line 5: recorded_at is not after")


def test_a_line_appended_after_the_checkpoint_is_refused(exported, key):
    lines = (exported / "leaves.jsonl").read_text().splitlines()
    forged = json.loads(lines[-1])
    forged["position"] += 1
    forged["recorded_at"] += 1
    (exported / "leaves.jsonl").write_text("\n".join(lines + [json.dumps(forged)]) + "\n")
    rehash(exported)
    refused(exported, key, f"leaves.jsonl line {len(lines) + 1}: beyond the checkpoint's size")


def test_a_field_the_leaf_does_not_cover_is_refused(exported, key):
    lines = (exported / "leaves.jsonl").read_text().splitlines()
    line = json.loads(lines[0])
    line["type"] = "ProtocolServed"
    lines[0] = json.dumps(line)
    (exported / "leaves.jsonl").write_text("\n".join(lines) + "\n")
    rehash(exported)
    refused(exported, key, r"leaves.jsonl line 1: fields not covered by the leaf: \['type'\]")


def test_an_actor_that_disagrees_with_the_leaf_bytes_is_refused(exported, key):
    lines = (exported / "leaves.jsonl").read_text().splitlines()
    line = json.loads(lines[1])
    line["actor"] = "kabag"
    lines[1] = json.dumps(line)
    (exported / "leaves.jsonl").write_text("\n".join(lines) + "\n")
    rehash(exported)
    refused(exported, key, "leaves.jsonl line 2: actor differs")


def test_inflated_figures_with_a_rehashed_manifest_are_refused(exported, key):
    figures = json.loads((exported / "figures.json").read_text())
    figures["as_known_at_checkpoint"]["indicators"][0]["numerator"] = 6
    (exported / "figures.json").write_text(json.dumps(figures))
    rehash(exported)
    refused(exported, key, "figures.json, as known at the checkpoint: IKU-1 numerator")


def test_forged_submitted_figures_in_figures_json_are_refused(exported, key):
    figures = json.loads((exported / "figures.json").read_text())
    figures["as_submitted"][0]["indicators"][0]["numerator"] = 6
    (exported / "figures.json").write_text(json.dumps(figures))
    rehash(exported)
    refused(exported, key, "differs from its ReportSubmitted leaf")


def test_forged_figures_inside_the_log_resigned_with_the_genuine_key_are_refused(logged, database, key, tmp_path):
    submitted = next(e for e in logged.agenda.report_history("2021-Q1") if e.type == "ReportSubmitted")
    change_state(database, submitted.position, b'"numerator":3', b'"numerator":6')
    forge_tree(logged, database)
    out = export(logged, database, tmp_path / "forged")
    refused(out, key, "the ReportSubmitted figures of 2021-Q1 are not those of the log")


def test_a_rewritten_history_is_refused_against_a_checkpoint_the_inspector_kept(logged, database, key, tmp_path):
    kept = logged.checkpoints.latest().text
    change_state(database, None, b"Rapat 0", b"Rapat X")
    forge_tree(logged, database)
    out = export(logged, database, tmp_path / "rewritten")
    assert verify_export(out, [key])["ok"]  # consistent in itself, and signed with the genuine key
    refused(out, key, "--previous #1: the log no longer matches this checkpoint", previous=[kept])
    result = CliRunner().invoke(main, ["verify-export", str(out), "--key", key.vkey, "--previous",
                                       str(_write(tmp_path / "kept.txt", kept))])
    assert result.exit_code == 1 and "history rewritten" in result.stderr


def _write(path, text):
    path.write_text(text)
    return path


def test_an_export_of_a_truncated_log_is_refused_against_a_kept_checkpoint(logged, database, key, tmp_path):
    kept = logged.checkpoints.latest().text
    from tests.conftest import RawSQL

    with RawSQL(database) as db:
        db.execute("DELETE FROM stored_events WHERE {position} > 5")
    forge_tree(logged, database)
    out = export(logged, database, tmp_path / "truncated")
    refused(out, key, "larger than the export's checkpoint", previous=[kept])


def test_missing_files_and_an_empty_manifest_are_refused(exported, key):
    (exported / "figures.json").unlink()
    refused(exported, key, "figures.json: named by the manifest, missing")
    rehash(exported)
    refused(exported, key, "manifest.json: does not name figures.json")
    (exported / "manifest.json").write_text(json.dumps({"files": {}}))
    refused(exported, key, "manifest.json: names no files")
    (exported / "manifest.json").unlink()
    refused(exported, key, "manifest.json: missing")


def test_garbage_is_refused_by_name_never_with_a_traceback(exported, key):
    runner = CliRunner()
    (exported / "leaves.jsonl").write_text("not json\n")
    rehash(exported)
    result = runner.invoke(main, ["verify-export", str(exported), "--key", key.vkey])
    assert result.exit_code == 1 and "leaves.jsonl line 1" in result.stderr and "Traceback" not in result.output
    (exported / "checkpoint.txt").write_text("\x00\x01")
    rehash(exported)
    result = runner.invoke(main, ["verify-export", str(exported), "--key", key.vkey])
    assert result.exit_code == 1 and "checkpoint.txt" in result.stderr
    result = runner.invoke(main, ["verify-export", str(exported), "--key", "not-a-key"])
    assert result.exit_code == 1 and "not a verifier key" in result.stderr


def test_witness_cosignatures_are_checked_with_the_keys_given(exported, key, tmp_path):
    witness = Signer.from_file("inspektorat.jemberkab.go.id/witness", tmp_path / "w.pem", COSIGNATURE_V1, create=True)
    refused(exported, key, "not cosigned by the witness", witness_keys=[witness.verifier])
    text = (exported / "checkpoint.txt").read_text()
    body = text.split("\n\n")[0] + "\n"
    line = witness.cosign(body)
    (exported / "checkpoint.txt").write_text(text + line)
    rehash(exported)
    assert set(verify_export(exported, [key], [witness.verifier])["witnesses"]) == {witness.name}
    raw = bytearray(base64.b64decode(line.split(" ")[2]))
    raw[20] ^= 1
    (exported / "checkpoint.txt").write_text(text + f"\u2014 {witness.name} {base64.b64encode(bytes(raw)).decode()}\n")
    rehash(exported)
    refused(exported, key, "cosignature of inspektorat.jemberkab.go.id/witness does not verify",
            witness_keys=[witness.verifier])
    assert Verifier.parse(witness.verifier.vkey) == witness.verifier


def test_a_submitted_report_has_a_receipt_an_inspector_checks_offline_years_later(client, auth, app, tmp_path):
    services = app.extensions["iku"]
    record(services, 4)
    submitted = client.post("/api/v1/reports", headers=auth("pimpinan"), json={"period": "2021-Q1"}).json
    report = client.get("/api/v1/reports/2021-Q1", headers=auth("inspektorat")).json
    event = report["events"][-1]
    assert event["receipt"] == submitted["receipt"] == f"/api/v1/audit/receipts/{submitted['position']}"
    receipt = tmp_path / "laporan.tlog-proof"
    receipt.write_bytes(client.get(event["receipt"]).data)
    key = services.checkpoints.signer.verifier.vkey
    runner = CliRunner()
    result = runner.invoke(main, ["verify-receipt", str(receipt), "--key", key])
    assert result.exit_code == 0 and f"position {submitted['position']} (ReportSubmitted, by pimpinan.user)" in result.stdout
    record(services, 3, start=10)  # the log grows; later, an export of it
    out = export(services, services.database, tmp_path / "later")
    result = runner.invoke(main, ["verify-receipt", str(receipt), "--key", key, "--export", str(out)])
    assert result.exit_code == 0 and "and in the export's log" in result.stdout
    from inspector.note import Proof

    proof = Proof.parse(receipt.read_bytes())
    line = json.loads(proof.extra)
    state = base64.b64decode(line["state"])
    assert b'"numerator":2' in state
    line["state"] = base64.b64encode(state.replace(b'"numerator":2', b'"numerator":4')).decode()
    forged = Proof(proof.index, proof.hashes, proof.checkpoint, json.dumps(line).encode())
    (tmp_path / "forged.tlog-proof").write_text(str(forged))
    result = runner.invoke(main, ["verify-receipt", str(tmp_path / "forged.tlog-proof"), "--key", key])
    assert result.exit_code == 1 and "not included in the checkpoint" in result.stderr
    html = _dashboard(client, app)
    assert f'href="{event["receipt"]}"' in html


def _dashboard(client, app):
    from tests.api.test_pages import PASSWORD, token_of

    users = app.extensions["iku"].users
    ensure_accounts(app.extensions["iku"], kabag="pimpinan")
    users.set_password("kabag", PASSWORD)
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"csrf_token": token_of(page), "name": "kabag", "password": PASSWORD, "next": ""})
    return client.get("/dashboard?period=2021-Q1").get_data(as_text=True)


def test_a_receipt_is_refused_against_an_export_of_a_rewritten_log(logged, database, key, tmp_path):
    from inspector.note import Proof
    from inspector.receipt import ReceiptRefused, verify_receipt

    first = holding(database, b"Rapat 0")
    line = logged.tree.leaves(first - 1, first)[0]
    latest = logged.checkpoints.latest()
    proof = Proof(first - 1, tuple(logged.tree.inclusion(first - 1, latest.size)), latest.text,
                  json.dumps(line, separators=(",", ":")).encode())
    assert verify_receipt(str(proof), [key])["position"] == first
    change_state(database, None, b"Rapat 1", b"Rapat 8")
    forge_tree(logged, database)
    out = export(logged, database, tmp_path / "rewritten")
    with pytest.raises(ReceiptRefused, match="history rewritten"):
        verify_receipt(str(proof), [key], export=out)


def test_a_deleted_line_is_refused(exported, key):
    lines = (exported / "leaves.jsonl").read_text().splitlines()
    del lines[3]
    (exported / "leaves.jsonl").write_text("\n".join(lines) + "\n")
    rehash(exported)
    refused(exported, key, "leaves.jsonl line 4: holds position 5")


def test_swapped_lines_are_refused(exported, key):
    lines = (exported / "leaves.jsonl").read_text().splitlines()
    lines[2], lines[3] = lines[3], lines[2]
    (exported / "leaves.jsonl").write_text("\n".join(lines) + "\n")
    rehash(exported)
    refused(exported, key, "leaves.jsonl line 3: holds position 4")


def test_the_last_lines_deleted_are_refused(exported, key):
    lines = (exported / "leaves.jsonl").read_text().splitlines()
    (exported / "leaves.jsonl").write_text("\n".join(lines[:-2]) + "\n")
    rehash(exported)
    refused(exported, key, f"leaves.jsonl: ends at line {len(lines) - 2}, before the checkpoint's size {len(lines)}")


def test_figures_read_in_another_timezone_are_refused(exported, key):
    """The timezone in figures.json is signed by nothing: the inspector's is used."""
    figures = json.loads((exported / "figures.json").read_text())
    figures["timezone"] = "Pacific/Kiritimati"
    (exported / "figures.json").write_text(json.dumps(figures))
    rehash(exported)
    refused(exported, key, "computed in the timezone 'Pacific/Kiritimati', not 'Asia/Jakarta'")


FORGERIES = {
    "an indicator code of the wrong type": lambda f: f["as_known_at_checkpoint"]["indicators"][0].update(code=[]),
    "a submission position of the wrong type": lambda f: f["as_submitted"][0].update(position=[11]),
    "submissions that are not a list": lambda f: f.update(as_submitted=5),
    "every submission left out": lambda f: f.update(as_submitted=[]),
}


@pytest.mark.parametrize("forgery", sorted(FORGERIES))
def test_forged_figures_json_shapes_are_named_refusals(exported, key, forgery):
    figures = json.loads((exported / "figures.json").read_text())
    FORGERIES[forgery](figures)
    (exported / "figures.json").write_text(json.dumps(figures))
    rehash(exported)
    result = CliRunner().invoke(main, ["verify-export", str(exported), "--key", key.vkey])
    assert result.exit_code == 1 and "REFUSED: figures.json" in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize("damage", ["nested", "not utf-8", "duplicate key"])
def test_odd_bytes_in_the_leaves_are_named_refusals(exported, key, damage):
    lines = (exported / "leaves.jsonl").read_bytes().splitlines()
    if damage == "nested":
        lines[1] = b"[" * 100_000 + b"]" * 100_000
    elif damage == "not utf-8":
        lines[1] = lines[1][:-2] + b"\xff}"
    else:
        lines[1] = lines[1][:-1] + b',"position":2}'
    (exported / "leaves.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    rehash(exported)
    result = CliRunner().invoke(main, ["verify-export", str(exported), "--key", key.vkey])
    assert result.exit_code == 1 and "REFUSED:" in result.stderr and "Traceback" not in result.output


def test_a_manifest_that_omits_the_leaves_or_names_files_outside_is_refused(exported, key):
    manifest = json.loads((exported / "manifest.json").read_text())
    del manifest["files"]["leaves.jsonl"]
    (exported / "manifest.json").write_text(json.dumps(manifest))
    refused(exported, key, "does not name leaves.jsonl")
    manifest["files"]["/etc/hostname"] = "0" * 64
    (exported / "manifest.json").write_text(json.dumps(manifest))
    refused(exported, key, "names a file outside the export")


def test_a_report_submitted_without_its_opening_is_a_named_refusal(logged, database, key, tmp_path):
    from tests.conftest import RawSQL

    submitted = next(e for e in logged.agenda.report_history("2021-Q1") if e.type == "ReportSubmitted")
    import uuid

    with RawSQL(database) as db:  # the ReportOpened moved to another aggregate
        opened = submitted.position - 1
        db.execute("UPDATE stored_events SET originator_id = ? WHERE {position} = ?", (uuid.uuid4().hex, opened))
    forge_tree(logged, database)
    out = export(logged, database, tmp_path / "orphan")
    result = CliRunner().invoke(main, ["verify-export", str(out), "--key", key.vkey])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "REFUSED: " in result.stderr and "ReportOpened is not in the log" in result.stderr


def test_a_file_of_two_witness_keys_is_read_whole(exported, key, tmp_path):
    one = Signer.from_file("a.example/w", tmp_path / "a.pem", COSIGNATURE_V1, create=True).verifier
    two = Signer.from_file("b.example/w", tmp_path / "b.pem", COSIGNATURE_V1, create=True).verifier
    (tmp_path / "witnesses").write_text(f"{one.vkey}\n{two.vkey}\n")
    result = CliRunner().invoke(main, ["verify-export", str(exported), "--key", key.vkey,
                                       "--witness", str(tmp_path / "witnesses")])
    assert result.exit_code == 1 and "not cosigned by the witness a.example/w" in result.stderr


def test_an_export_lists_the_evidence_the_leaves_name_and_a_changed_photo_is_refused(logged, database, key, tmp_path):
    """Issue 12, problem 6: the inventory always; the files with --with-evidence, each
    checked offline against the SHA-256 its Documented event (a leaf) names."""
    import io

    from domain.context import acting_as
    from tests.api.test_evidence import photo
    from tests.conftest import wib

    stored = logged.evidence.put(io.BytesIO(photo()))
    ensure_accounts(logged, dokumentasi="dokumentasi")
    with acting_as("protokol.ani"):  # each by the role that may (verify-export holds them to it)
        w = logged.agenda.schedule(title="Rapat", leaders=["bupati"], starts_at=wib(2021, 3, 1, 9),
                                   location="Pendopo", scope="dalam_daerah")
    with acting_as("dokumentasi"):
        documented = logged.agenda.record_documentation(w.activity_id, media="foto",
                                                        evidence=[stored.as_event_data()])
    out = tmp_path / "with-evidence"
    result = CliRunner().invoke(main, ["export", "audit", "--period", "2021-Q1", "--out", str(out), "--with-evidence"],
                                env={"IKU_DATABASE": database, "IKU_EVIDENCE_DIR": str(logged.evidence.root)})
    assert result.exit_code == 0, result.output
    inventory = json.loads((out / "evidence.json").read_text())["files"]
    assert inventory == [{"sha256": stored.sha256, "size": stored.size, "type": "image/jpeg",
                          "positions": [documented.position], "in_store": True}]
    checked = verify_export(out, [key])
    assert (checked["evidence_named"], checked["evidence_files_verified"]) == (1, 1)
    photo_file = out / "evidence" / stored.sha256
    photo_file.write_bytes(photo_file.read_bytes() + b"edited")
    rehash(out)
    refused(out, key, "the file was changed")


def test_the_verifier_reports_what_is_odd_in_the_evidence_instead_of_failing(logged, database, key, tmp_path):
    """A folder named by a hash, a file left out of an export that says it includes them,
    an inventory that lies: each reported, never a traceback."""
    import io

    from domain.context import acting_as
    from tests.api.test_evidence import photo
    from tests.conftest import wib

    stored = [logged.evidence.put(io.BytesIO(photo(colour=(i, 0, 0)))) for i in (1, 2)]
    ensure_accounts(logged, dokumentasi="dokumentasi")
    with acting_as("protokol.ani"):
        w = logged.agenda.schedule(title="Rapat", leaders=["bupati"], starts_at=wib(2021, 3, 1, 9),
                                   location="Pendopo", scope="dalam_daerah")
    with acting_as("dokumentasi"):
        logged.agenda.record_documentation(w.activity_id, media="foto", evidence=[s.as_event_data() for s in stored])
    out = tmp_path / "odd"
    result = CliRunner().invoke(main, ["export", "audit", "--period", "2021-Q1", "--out", str(out), "--with-evidence"],
                                env={"IKU_DATABASE": database, "IKU_EVIDENCE_DIR": str(logged.evidence.root)})
    assert result.exit_code == 0, result.output
    (out / "evidence" / stored[0].sha256).unlink()
    (out / "evidence" / stored[0].sha256).mkdir()
    inventory = json.loads((out / "evidence.json").read_text())
    inventory["files"][0]["size"] = 1
    (out / "evidence.json").write_text(json.dumps(inventory))
    rehash(out)
    checked = verify_export(out, [key])
    assert checked["evidence_files_verified"] == 1
    assert any("not a regular file" in w for w in checked["warnings"])
    assert any("1 of the 2 files the leaves name are not included" in w for w in checked["warnings"])
    assert any("evidence.json: its inventory is not the files the leaves name" in w for w in checked["warnings"])


def test_the_ucapan_and_the_goal_indicator_are_recomputed_offline_and_a_forged_one_is_refused(
        services, database, tmp_path):
    """Issue 14: the export's figures carry PENDUKUNG-1 and TUJUAN-1; the inspector
    recomputes them from the leaves alone, and refuses one inflated."""
    from domain.context import acting_as
    from tests.conftest import wib

    record(services, 4)
    with acting_as("protokol.ani"):
        for day, delivered_on in ((2, 2), (3, 6), (10, None)):
            u = services.agenda.request_ucapan(kind="duka", recipient="r", relation="instansi", occasion="o",
                                               leaders=["bupati"], due_on=f"2021-03-{day:02d}").activity_id
            if delivered_on:
                services.agenda.deliver_ucapan(u, channel="surat", delivered_by=["a"],
                                               delivered_at=wib(2021, 3, delivered_on, 9))
    out = export(services, database, tmp_path / "export")
    key = services.checkpoints.signer.verifier
    figures = json.loads((out / "figures.json").read_text())
    by_code = {f["code"]: f for f in figures["as_known_at_checkpoint"]["indicators"]}
    assert (by_code["PENDUKUNG-1"]["numerator"], by_code["PENDUKUNG-1"]["denominator"]) == (1, 3)
    assert by_code["TUJUAN-1"]["denominator"] == 2 * by_code["IKU-1"]["denominator"] + 3
    assert verify_export(out, [key])["ok"]
    by_code["TUJUAN-1"]["numerator"] += 1
    (out / "figures.json").write_text(json.dumps(figures))
    rehash(out)
    refused(out, key, "TUJUAN-1 numerator")


def test_an_offices_own_goal_definition_is_verified_when_the_inspector_is_told_it(
        services, database, tmp_path, monkeypatch):
    """IKU_TUJUAN changes what TUJUAN-1 sums, without code; the inspector holds the export to
    the definition it is given (--tujuan), never to the export's say-so."""
    from inspector.__main__ import run_verify_export

    record(services, 4)
    monkeypatch.setenv("IKU_TUJUAN", "IKU-1,PENDUKUNG-1")
    out = export(services, database, tmp_path / "export")
    figures = json.loads((out / "figures.json").read_text())
    by_code = {f["code"]: f for f in figures["as_known_at_checkpoint"]["indicators"]}
    assert by_code["TUJUAN-1"]["denominator"] == by_code["IKU-1"]["denominator"] + by_code["PENDUKUNG-1"]["denominator"]
    key = services.checkpoints.signer.verifier
    refused(out, key, "TUJUAN-1 denominator")  # held to the default definition
    assert verify_export(out, [key], goal_parts=("IKU-1", "PENDUKUNG-1"))["ok"]
    said = []
    assert run_verify_export(str(out), [key.vkey], [], [], None, say=lambda text, file=None: said.append(text),
                             goal="IKU-1,PENDUKUNG-1") == 0
    assert run_verify_export(str(out), [key.vkey], [], [], None, say=lambda text, file=None: said.append(text),
                             goal="IKU-1,TUJUAN-1") == 1
    assert "TUJUAN-1 sums IKU-1, IKU-2, PENDUKUNG-1, not TUJUAN-1" in said[-1]

"""Review findings 6 and 8 (both stores): what the `iku` commands cannot do is a named
refusal in the operator's language with a non-zero exit, never a traceback; and the audit
export is its owner's alone (folders 0700, files 0600) whatever the umask."""
import io
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import main
from domain.context import acting_as
from tests.api.test_evidence import photo
from tests.conftest import wib
from tests.integration.test_witness import record


@pytest.fixture
def iku(cli_env, tmp_path):
    cli_env["IKU_EVIDENCE_DIR"] = str(tmp_path / "evidence")

    def iku(*args, **env):
        return CliRunner().invoke(main, list(args), env={**cli_env, **env})

    return iku


def refused(result, message: str) -> None:
    """Refused by name: exit 1 with the message, and no exception escaped (a traceback)."""
    assert type(result.exception) is SystemExit, result.exc_info
    assert result.exit_code == 1, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


def not_a_database(tmp_path) -> dict[str, Path]:
    random_bytes = tmp_path / "random.bin"
    random_bytes.write_bytes(bytes(range(256)) * 64)
    text = tmp_path / "notes.txt"
    text.write_text("bukan cadangan\n", encoding="utf-8")
    return {"random": random_bytes, "text": text}


def test_a_signing_key_readable_by_others_is_refused_by_name(iku, services):
    record(services, 1)
    key = os.environ["IKU_SIGNING_KEY"]
    os.chmod(key, 0o644)
    message = f"berkas kunci {key} dapat dibaca selain pemiliknya (mode 0644): chmod 600 {key}"
    refused(iku("checkpoint"), message)
    refused(iku("public-key"), message)
    refused(iku("export", "audit", "--period", "2021", "--out", str(Path(key).parent.parent / "out")), message)
    refused(iku("checkpoint", IKU_LANGUAGE="en"), f"the key file {key} is readable by others than its owner (mode 0644)")


def test_a_signing_key_that_is_a_folder_is_named(iku, tmp_path):
    (tmp_path / "a-folder").mkdir(mode=0o700)  # its owner's alone: read, not refused for its mode
    refused(iku("checkpoint", IKU_SIGNING_KEY=str(tmp_path / "a-folder")),
            f"{tmp_path / 'a-folder'}: itu sebuah folder, bukan berkas")


@pytest.mark.parametrize("kind", ["random", "text"])
def test_restoring_a_file_that_is_no_backup_is_refused_by_name_and_restores_nothing(iku, database, tmp_path, kind):
    backup = not_a_database(tmp_path)[kind]
    if "://" in database:  # PostgreSQL: pg_restore says what it is not
        refused(iku("restore", str(backup)), "pg_restore gagal: pg_restore: error: input file does not appear to be "
                                             "a valid archive")
        return
    target = tmp_path / "restored" / "iku.sqlite3"
    result = iku("restore", str(backup), IKU_DATABASE=str(target))
    refused(result, f"{backup} bukan cadangan basis data SQLite (dibuat dengan iku backup): tidak ada yang dipulihkan")
    assert not target.exists() or target.stat().st_size == 0
    refused(iku("restore", str(backup), IKU_DATABASE=str(target), IKU_LANGUAGE="en"),
            f"{backup} is not a backup of a SQLite database (made by iku backup): nothing was restored")


def test_a_database_that_is_no_database_is_named_by_every_command(iku, tmp_path):
    text = not_a_database(tmp_path)["text"]
    assert iku("public-key").exit_code == 0  # the signing key made (verify checks with its verifier)
    message = f"basis data {text} tidak dapat dibuka: berkas itu bukan basis data SQLite"
    for command in (["users", "list"], ["verify"], ["backup", str(tmp_path / "copy.sqlite3")],
                    ["--period", "2021"]):
        refused(iku(*command, IKU_DATABASE=str(text)), message)
    assert not (tmp_path / "copy.sqlite3").exists()
    refused(iku("verify", IKU_DATABASE=str(text), IKU_LANGUAGE="en"),
            f"the database {text} cannot be opened: the file is not a SQLite database")


def test_verify_of_a_missing_database_says_so_and_creates_none(iku, tmp_path):
    missing = tmp_path / "nowhere" / "iku.sqlite3"
    refused(iku("verify", IKU_DATABASE=str(missing)), f"tidak ada basis data di {missing}")
    assert not missing.exists()


def test_an_unknown_timezone_is_named(iku):
    refused(iku("users", "list", IKU_TIMEZONE="Mars/Olympus"),
            "IKU_TIMEZONE: zona waktu 'Mars/Olympus' tidak dikenal (misalnya Asia/Jakarta)")


def test_an_unreachable_postgresql_is_named_without_its_password(iku, tmp_path):
    url = "postgresql://iku:rahasia@127.0.0.1:1/iku"
    result = iku("users", "list", IKU_DATABASE=url)
    refused(result, "basis data postgresql://iku:***@127.0.0.1:1/iku tidak dapat dibuka: ")
    assert "rahasia" not in result.output


@pytest.mark.parametrize("where", ["MISSING/x", "notes.txt/x"])
def test_an_export_into_a_folder_that_does_not_exist_is_refused_by_name(iku, services, tmp_path, where):
    record(services, 1)
    not_a_database(tmp_path)
    out = tmp_path / where
    refused(iku("export", "audit", "--period", "2021", "--out", str(out)),
            f"folder {out.parent} tidak ada (atau bukan folder): buat dahulu, atau pilih tempat lain untuk {out}")
    assert not (tmp_path / "MISSING").exists()
    refused(iku("export", "audit", "--period", "2021", "--out", str(out), IKU_LANGUAGE="en"),
            f"the folder {out.parent} does not exist (or is not a folder): make it first")


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_an_lkjip_into_a_folder_that_does_not_exist_is_refused_by_name(iku, tmp_path, fmt):
    out = tmp_path / "NOPE" / f"lkjip.{fmt}"
    refused(iku("report", "--year", "2021", "--format", fmt, "--out", str(out)),
            f"folder {out.parent} tidak ada (atau bukan folder)")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o277])
def test_the_audit_export_is_its_owners_alone_whatever_the_umask(iku, services, tmp_path, umask):
    """Its leaves hold officers' names and notes: every folder 0700, every file 0600, the
    evidence files and the earlier checkpoints too."""
    record(services, 3)  # several checkpoints: checkpoints/ holds the earlier ones
    stored = services.evidence.put(io.BytesIO(photo()))
    with acting_as("dokumentasi"):
        w = services.agenda.schedule(title="Rapat", leaders=["bupati"], starts_at=wib(2021, 3, 1, 9),
                                     location="Pendopo", scope="dalam_daerah")
        services.agenda.record_documentation(w.activity_id, media="foto", evidence=[stored.as_event_data()])
    out = tmp_path / "export"
    previous = os.umask(umask)
    try:
        result = iku("export", "audit", "--period", "2021", "--out", str(out), "--with-evidence")
    finally:
        os.umask(previous)
    assert result.exit_code == 0, result.output
    folders = [out, *(p for p in out.rglob("*") if p.is_dir())]
    files = [p for p in out.rglob("*") if p.is_file()]
    assert {p.relative_to(out).as_posix() for p in folders} == {".", "evidence", "checkpoints"}
    assert f"evidence/{stored.sha256}" in {p.relative_to(out).as_posix() for p in files}
    assert any(p.parent.name == "checkpoints" for p in files)
    assert {p.relative_to(out).as_posix(): oct(mode(p)) for p in folders} == {
        p.relative_to(out).as_posix(): "0o700" for p in folders}
    assert {p.relative_to(out).as_posix(): oct(mode(p)) for p in files} == {
        p.relative_to(out).as_posix(): "0o600" for p in files}


def test_an_empty_folder_given_for_the_export_is_made_its_owners_alone(iku, services, tmp_path):
    record(services, 1)
    out = tmp_path / "given"
    out.mkdir(mode=0o755)
    os.chmod(out, 0o755)
    assert iku("export", "audit", "--period", "2021", "--out", str(out)).exit_code == 0
    assert mode(out) == 0o700

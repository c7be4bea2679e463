"""A full disk and a read-only SQLite database, on a real (small, tmpfs) filesystem: a clear
error, nothing acknowledged lost, nothing half-written, and recovery once fixed.

Mounting needs root; without it these tests skip, unless IKU_REQUIRE_MOUNT=1 (as in CI)."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from api import create_app
from api.cli import main
from api.bootstrap import Services
from domain.exceptions import StoreNotWritable
from projections.periods import Period
from tests.conftest import scaffold_user

IKU = str(Path(sys.executable).with_name("iku"))
BODY = {"title": "Rapat " + "x" * 400, "leaders": ["bupati"], "starts_at": "2021-03-01T09:00:00+07:00",
        "location": "Pendopo " + "y" * 400, "scope": "dalam_daerah"}


def mount(*args):
    return subprocess.run(["mount", *args], capture_output=True, text=True)


@pytest.fixture
def small_disk(tmp_path, monkeypatch):
    """A 2 MiB tmpfs: small enough to fill in a second."""
    folder = tmp_path / "disk"
    folder.mkdir()
    done = mount("-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder))
    if done.returncode != 0:
        reason = f"cannot mount a small filesystem here (needs root): {done.stderr.strip()}"
        if os.environ.get("IKU_REQUIRE_MOUNT") == "1":
            pytest.fail(f"IKU_REQUIRE_MOUNT=1 but {reason}")
        pytest.skip(reason)
    monkeypatch.setenv("IKU_SIGNING_KEY", str(tmp_path / "signing-key.pem"))  # off the small disk
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=True)


def test_a_full_disk_is_a_clear_503_nothing_acknowledged_is_lost_and_writes_resume(small_disk):
    database = str(small_disk / "iku.sqlite3")
    app = create_app({"IKU_DATABASE": database, "IKU_TIMEZONE": "Asia/Jakarta"})
    token = scaffold_user(app.extensions["iku"].users, "ani", "protokol")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    acknowledged, refused = [], None
    for _ in range(2000):
        response = client.post("/api/v1/activities", headers=headers, json=BODY)
        if response.status_code != 201:
            refused = response
            break
        acknowledged.append(response.json["activity_id"])
    assert refused is not None, "the disk never filled"
    assert refused.status_code == 503
    assert "disk is full" in refused.json["message"] and refused.headers["Retry-After"]
    assert len(acknowledged) > 20
    # Reads never fail with 500 (the view may need to write to catch up: 503 then).
    assert client.get("/api/v1/iku?period=2021", headers=headers).status_code in (200, 503)

    assert mount("-o", "remount,size=8m", str(small_disk)).returncode == 0  # space freed
    response = client.post("/api/v1/activities", headers=headers, json=BODY)
    assert response.status_code == 201
    acknowledged.append(response.json["activity_id"])
    app.extensions["iku"].close()

    svc = Services(database, "Asia/Jakarta")
    stored = [n.originator_id for n in svc.agenda.recorder.select_notifications(start=None, limit=10**6)
              if ".accounts:" not in n.topic]  # ani's account is in the log too
    assert sorted(str(i) for i in stored) == sorted(acknowledged)  # each once, none half-written
    figures = svc.calculator.compute(Period.parse("2021"))
    assert figures.figures[0].denominator == len(acknowledged)
    assert svc.verify().ok is True
    svc.close()


def test_a_read_only_database_is_a_clear_error_at_start_and_works_once_writable(small_disk):
    database = str(small_disk / "iku.sqlite3")
    app = create_app({"IKU_DATABASE": database, "IKU_TIMEZONE": "Asia/Jakarta"})
    scaffold_user(app.extensions["iku"].users, "ani", "protokol")
    app.extensions["iku"].close()
    assert mount("-o", "remount,ro", str(small_disk)).returncode == 0

    with pytest.raises(StoreNotWritable, match="hanya-baca"):
        create_app({"IKU_DATABASE": database, "IKU_TIMEZONE": "Asia/Jakarta"})
    result = CliRunner().invoke(main, ["--period", "2021"], env={"IKU_DATABASE": database})
    assert result.exit_code == 1 and "hanya-baca" in result.output and "Traceback" not in result.output
    served = subprocess.run([IKU, "serve", "--port", "0"], env={**os.environ, "IKU_DATABASE": database},
                            capture_output=True, text=True, timeout=60)
    assert served.returncode == 1 and "hanya-baca" in served.stderr

    assert mount("-o", "remount,rw", str(small_disk)).returncode == 0
    result = CliRunner().invoke(main, ["--period", "2021"], env={"IKU_DATABASE": database})
    assert result.exit_code == 0, result.output


def test_iku_verify_checks_a_copy_on_a_read_only_mount_and_writes_nothing(small_disk, tmp_path):
    from click.testing import CliRunner

    from api.cli import main
    from api.bootstrap import Services
    from tests.conftest import schedule

    services = Services(str(tmp_path / "iku.sqlite3"), "Asia/Jakarta")
    schedule(services, 5)
    services.close()
    subprocess.run(["sqlite3", str(tmp_path / "iku.sqlite3"), f".backup {small_disk / 'copy.sqlite3'}"], check=False)
    if not (small_disk / "copy.sqlite3").exists():  # no sqlite3 shell: the backup API does the same
        import sqlite3

        with sqlite3.connect(tmp_path / "iku.sqlite3") as source, sqlite3.connect(small_disk / "copy.sqlite3") as copy:
            source.backup(copy)
    assert mount("-o", "remount,ro", str(small_disk)).returncode == 0
    try:
        before = sorted(p.name for p in small_disk.iterdir())
        result = CliRunner().invoke(main, ["verify"], env={"IKU_DATABASE": str(small_disk / "copy.sqlite3")})
        assert result.exit_code == 0, result.output
        assert "utuh: 5 peristiwa, ukuran pohon 5," in result.stdout and "; 5 titik periksa cocok" in result.stdout
        assert sorted(p.name for p in small_disk.iterdir()) == before
    finally:
        mount("-o", "remount,rw", str(small_disk))

"""Review finding 7, its second half: uploads that no event names are removed once older than
IKU_EVIDENCE_ORPHAN_HOURS, each with a log line, and counted; never a file an event names
(a documentation entry, an ucapan delivery, retracted ones too), never a young one. Before
the fix a file no event named stayed for ever."""
import io
import logging
import os
import time
from datetime import datetime, timedelta, timezone
from uuid import UUID

import pytest
from click.testing import CliRunner

from api.cli.evidence import named_in_log, sweep_orphans, sweep_periodically
from api.config import Config
from domain.context import acting_as
from tests.api.test_evidence import activity_id, photo, sha  # noqa: F401 (a fixture)
from tests.api.test_metrics import scrape
from tests.api.test_ucapan import BASE, DELIVERY, REQUEST

DAYS = 24 * 3600


def stored(app, colour, age_hours: float = 0) -> str:
    """A photo in the store, uploaded `age_hours` ago."""
    store = app.extensions["iku"].evidence
    found = store.put(io.BytesIO(photo(colour=colour)))
    then = time.time() - age_hours * 3600
    os.utime(store.path(found.sha256), (then, then))
    return found.sha256


def test_an_old_upload_no_event_names_is_removed_counted_and_logged_and_a_young_one_stays(app, client, caplog):
    store = app.extensions["iku"].evidence
    old, young = stored(app, (1, 2, 3), age_hours=73), stored(app, (4, 5, 6), age_hours=71)
    size, used = store.path(old).stat().st_size, store.path(old).stat().st_mtime
    assert store.thumb_path(old).exists()
    with caplog.at_level(logging.WARNING, logger="api.evidence"):
        swept = sweep_orphans(app.extensions["iku"])
    assert store.stored() == [young] and not store.thumb_path(old).exists()
    assert (swept.removed, swept.removed_bytes, swept.unclaimed_files) == (1, size, 1)
    assert [r.getMessage() for r in caplog.records] == [
        f"unclaimed evidence removed: {old} ({size} bytes, last uploaded or named "
        f"{datetime.fromtimestamp(used, timezone.utc).isoformat(timespec='seconds')} UTC): no event names it"]
    metrics = scrape(client)
    assert metrics["iku_evidence_orphans_removed_total"] == 1
    assert metrics["iku_evidence_orphans_removed_bytes_total"] == size
    assert metrics["iku_evidence_unclaimed_files"] == 1
    assert metrics["iku_evidence_unclaimed_bytes"] == store.path(young).stat().st_size
    assert 0 <= metrics["iku_evidence_sweep_age_seconds"] < 60
    again = sweep_orphans(app.extensions["iku"])
    assert (again.removed, again.removed_total, again.unclaimed_files) == (0, 1, 1)  # counted once, for ever


def test_a_file_an_event_names_is_never_removed_however_old(app, client, auth, activity_id):
    svc = app.extensions["iku"]
    documented, retracted, delivered = (stored(app, (10 * i, 0, 0)) for i in (1, 2, 3))
    assert client.post(f"/api/v1/activities/{activity_id}/documentation", headers=auth("dokumentasi"),
                       json={"media": "foto", "evidence": [documented]}).status_code == 201
    entry = client.post(f"/api/v1/activities/{activity_id}/documentation", headers=auth("dokumentasi"),
                        json={"media": "foto", "evidence": [retracted]}).json["version"]
    assert client.post(f"/api/v1/activities/{activity_id}/retractions", headers=auth("dokumentasi"),
                       json={"version": entry, "reason": "foto kegiatan lain"}).status_code == 201
    ucapan = client.post(BASE, headers=auth("protokol"), json=REQUEST).json["ucapan_id"]
    assert client.post(f"{BASE}/{ucapan}/delivery", headers=auth("protokol"),
                       json={**DELIVERY, "evidence": [delivered]}).status_code == 201
    elsewhere = sha(b"a video kept on the office's drive")
    with acting_as("dokumentasi"):
        svc.agenda.record_documentation(UUID(activity_id), media="video", evidence_uri="https://drive.example/v/1",
                                        evidence_sha256=elsewhere)
    assert named_in_log(svc.agenda) == {documented, retracted, delivered, elsewhere}
    later = time.time() + 400 * DAYS  # the files a year older
    swept = svc.evidence.sweep(lambda: named_in_log(svc.agenda), timedelta(hours=72), now=later)
    assert swept.removed == 0 and svc.evidence.stored() == sorted([documented, retracted, delivered])


def test_an_upload_sent_again_or_named_by_a_command_starts_its_clock_again(app):
    """A sweep moves a file out of the store before it removes it, and puts it back if its
    clock started again meanwhile: a command that asked for it (describe) is never left
    naming a removed file."""
    store = app.extensions["iku"].evidence
    sent_again, described = stored(app, (7, 7, 7), age_hours=100), stored(app, (8, 8, 8), age_hours=100)
    store.put(io.BytesIO(photo(colour=(7, 7, 7))))  # a retry on a weak connection, days later
    store.describe(described)  # what a command does before its event names the file
    swept = sweep_orphans(app.extensions["iku"])
    assert swept.removed == 0 and store.stored() == sorted([sent_again, described])


def test_a_file_named_just_as_the_sweep_moves_it_out_is_put_back(app, monkeypatch):
    store = app.extensions["iku"].evidence
    old = stored(app, (9, 9, 9), age_hours=100)
    rename = os.rename

    def named_then_moved(source, target):
        store.describe(old)  # a command asks for it between the sweep's look and its move
        rename(source, target)

    monkeypatch.setattr(os, "rename", named_then_moved)
    swept = sweep_orphans(app.extensions["iku"])
    assert swept.removed == 0 and store.stored() == [old] and os.listdir(store.root / "orphans") == []


def test_a_sweep_stopped_halfway_is_finished_by_the_next(app, activity_id, auth, client):
    store = app.extensions["iku"].evidence
    named, unnamed = stored(app, (20, 0, 0), age_hours=100), stored(app, (30, 0, 0), age_hours=100)
    assert client.post(f"/api/v1/activities/{activity_id}/documentation", headers=auth("dokumentasi"),
                       json={"media": "foto", "evidence": [named]}).status_code == 201
    store._folder(store.root / "orphans")
    for moved in (named, unnamed):  # moved out, then the process stopped
        os.rename(store.path(moved), store.root / "orphans" / moved)
    swept = sweep_orphans(app.extensions["iku"])
    assert swept.removed == 1 and store.stored() == [named] and os.listdir(store.root / "orphans") == []


def test_one_sweep_at_a_time(app):
    import fcntl

    store = app.extensions["iku"].evidence
    stored(app, (40, 0, 0), age_hours=100)
    with open(store.root / "sweep.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process sweeping
        assert sweep_orphans(app.extensions["iku"]) is None
    assert len(store.stored()) == 1


def test_the_limit_is_a_setting_in_hours():
    assert Config.from_environment({}).evidence_orphan_hours == 72
    assert Config.from_environment({"IKU_EVIDENCE_ORPHAN_HOURS": "6"}).evidence_orphan_hours == 6
    with pytest.raises(ValueError, match="IKU_EVIDENCE_ORPHAN_HOURS adalah bilangan bulat"):
        Config.from_environment({"IKU_EVIDENCE_ORPHAN_HOURS": "1.5"})


def test_iku_evidence_sweep_says_what_it_removed(cli_env, tmp_path, app):
    from api.cli import main

    stored(app, (50, 0, 0), age_hours=10)
    stored(app, (60, 0, 0), age_hours=3)
    result = CliRunner().invoke(main, ["evidence", "sweep"], env={
        **cli_env, "IKU_EVIDENCE_DIR": str(app.extensions["iku"].evidence.root), "IKU_EVIDENCE_ORPHAN_HOURS": "6"})
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == ("Bukti tak bertuan: 1 berkas dihapus (0 MB), tidak disebut peristiwa mana "
                                              "pun selama 6 jam; 1 berkas belum disebut tetapi lebih muda, dibiarkan.")


def test_a_store_that_cannot_be_swept_is_said_without_a_traceback(cli_env, tmp_path):
    from api.cli import main

    (tmp_path / "a-file").write_text("")
    result = CliRunner().invoke(main, ["evidence", "sweep"], env={**cli_env, "IKU_EVIDENCE_DIR": str(tmp_path / "a-file" / "x")})
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"penyimpanan bukti tidak dapat disapu: [Errno 20] Not a directory: '{tmp_path / 'a-file' / 'x'}'" in result.output


def test_a_worker_sweeps_by_itself(app):
    store = app.extensions["iku"].evidence
    stored(app, (70, 0, 0), age_hours=100)
    stop = sweep_periodically(app.extensions["iku"], every=0.05)
    deadline = time.time() + 10
    while store.swept() is None and time.time() < deadline:
        time.sleep(0.02)
    stop.set()
    time.sleep(0.1)  # a sweep under way ends
    assert store.stored() == [] and store.swept()["removed_total"] == 1

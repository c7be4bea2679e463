"""Issue 12, problem 10: a working visit of several days (7–9 Desember, luar daerah) is
entered on the page with an end date; it is shown as one range and counted on its first
day."""
import re
from uuid import UUID

from tests.api.test_pages import login, logins, post_form  # noqa: F401 (fixtures)
from tests.conftest import log_of, wib


def schedule(client, **fields):
    return post_form(client, "/activities/new", "/activities/new", {
        "title": "Kunjungan Kerja ke Jakarta", "leaders": ["bupati"], "date": "2026-12-07", "time": "08:00",
        "end_time": "15:00", "end_date": "2026-12-09", "location": "Kementerian Dalam Negeri",
        "scope": "luar_daerah", **fields})


def test_a_visit_of_several_days_is_entered_with_an_end_date(client, login, app, auth):
    login("protokol")
    response = schedule(client)
    assert response.status_code == 303
    activity_id = response.headers["Location"].rsplit("/", 1)[1]
    event = app.extensions["iku"].agenda.history(UUID(activity_id))[0]
    assert (event.data["starts_at"], event.data["ends_at"]) == (wib(2026, 12, 7, 8), wib(2026, 12, 9, 15))
    page = " ".join(client.get(f"/activities/{activity_id}").get_data(as_text=True).split())
    assert "Senin, 7 Desember 2026 08.00 – Rabu, 9 Desember 2026 15.00 WIB (3 hari)" in page
    # The reschedule form starts from both days.
    assert 'id="r-end-date" name="end_date" type="date" value="2026-12-09"' in page
    # Counted once, on its first day.
    listed = client.get("/agenda?period=2026-12-08").get_data(as_text=True)
    assert "Kunjungan Kerja ke Jakarta" not in listed
    assert "(3 hari)" in client.get("/agenda?period=2026-12-07").get_data(as_text=True)
    iku = client.get("/api/v1/iku?period=2026-12", headers=auth("inspektorat")).json
    assert iku["indicators"][0]["denominator"] == 1


def test_one_day_reads_as_one_range(client, login, app):
    login("protokol")
    response = schedule(client, end_date="", end_time="11:00")
    page = " ".join(client.get(response.headers["Location"]).get_data(as_text=True).split())
    assert "Senin, 7 Desember 2026 08.00–11.00 WIB" in page


def test_an_end_date_needs_its_end_time_and_may_not_come_before_the_start(client, login, app):
    login("protokol")
    missing = schedule(client, end_time="")
    assert missing.status_code == 422 and "Isi jam selesai pada tanggal selesai." in missing.get_data(as_text=True)
    before = schedule(client, end_date="2026-12-06")
    assert before.status_code == 422 and "Tidak boleh sebelum waktu mulai." in before.get_data(as_text=True)
    assert log_of(app.extensions["iku"].agenda) == []


def test_a_visit_is_moved_to_other_days_with_the_reschedule_form(client, login, app):
    login("protokol")
    activity_id = schedule(client).headers["Location"].rsplit("/", 1)[1]
    html = client.get(f"/activities/{activity_id}").get_data(as_text=True)
    form = {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', html)[1], "version": "1",
            "form_token": re.findall(r'name="form_token" value="([^"]+)"', html)[-1],
            "date": "2026-12-14", "time": "08:00", "end_date": "2026-12-16", "end_time": "12:00",
            "had_end": "1", "reason": "Jadwal kementerian berubah"}
    assert client.post(f"/activities/{activity_id}/reschedule", data=form).status_code == 303
    moved = app.extensions["iku"].agenda.history(UUID(activity_id))[-1]
    assert (moved.data["starts_at"], moved.data["ends_at"]) == (wib(2026, 12, 14, 8), wib(2026, 12, 16, 12))

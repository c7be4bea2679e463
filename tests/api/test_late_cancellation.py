"""Issue 12, problem 7: an activity cancelled after its time had passed is allowed, and
counted apart — "dibatalkan setelah lewat: N" on the dashboard, in the IKU answer, in
explain and as an agenda status — as known at any instant."""
import re

import pytest

from domain.context import acting_as
from domain.store.clock import SystemClock, to_micros
from tests.api.test_pages import login, logins  # noqa: F401 (fixtures)
from tests.conftest import wib


def april(app, monkeypatch, titles: dict[int, str]):
    """Activities on days of April 2990 at 09.00, scheduled on 1 April; the clock (`now`)
    is the test's to move. Returns (agenda, ids by title, now)."""
    agenda = app.extensions["iku"].agenda
    now = {"t": wib(2990, 4, 1, 8)}
    monkeypatch.setattr(SystemClock, "now", lambda self: to_micros(now["t"]))
    with acting_as("protokol"):
        ids = {title: agenda.schedule(title=title, leaders=["bupati"], starts_at=wib(2990, 4, day, 9),
                                      location="Pendopo", scope="dalam_daerah").activity_id
               for day, title in titles.items()}
    return agenda, ids, now


@pytest.fixture
def cancelled(app, monkeypatch):
    """In April 2990: Apel (5 April) cancelled on the 10th, after its time; Rapat (6 April)
    cancelled on the 2nd, before it; Kunjungan (7 April) held. Returns the instants."""
    agenda, ids, now = april(app, monkeypatch, {5: "Apel", 6: "Rapat", 7: "Kunjungan"})
    with acting_as("protokol"):
        now["t"] = wib(2990, 4, 2, 8)
        agenda.cancel(ids["Rapat"], reason="ditunda DPRD")
        now["t"] = wib(2990, 4, 8, 8)
        served = agenda.record_protocol(ids["Kunjungan"], officers=["Ani"])
        now["t"] = wib(2990, 4, 10, 8)
        agenda.cancel(ids["Apel"], reason="dicatat terlambat: Bupati berhalangan")
        now["t"] = wib(2990, 4, 11, 8)
        agenda.retract(ids["Kunjungan"], version=served.version, reason="salah kegiatan")
    return {"before": "2990-04-09", "after": "2990-04-11"}


def test_the_iku_answer_and_explain_count_the_late_cancellation_as_known_then(client, auth, cancelled):
    for as_of, late in ((cancelled["before"], 0), (cancelled["after"], 1)):
        answer = client.get(f"/api/v1/iku?period=2990-04&as_of={as_of}", headers=auth("inspektorat")).json
        assert answer["cancelled_late"] == late, as_of
        explained = client.get(f"/api/v1/iku/explain?period=2990-04&as_of={as_of}&indicator=IKU-1",
                               headers=auth("inspektorat")).json
        assert (explained["cancelled"], explained["cancelled_late"]) == (1 + late, late), as_of


def test_the_agenda_lists_the_late_cancellations(client, login, cancelled):
    login("pimpinan")
    html = client.get("/agenda?period=2990-04&status=cancelled_late").get_data(as_text=True)
    assert re.findall(r"<strong>([^<]+)</strong></a>", html) == ["Apel"]
    assert 'value="cancelled_late" selected' in html and "Dibatalkan setelah lewat" in html


def test_the_dashboard_says_how_many_were_cancelled_after_their_time_and_leads_to_them(client, login, cancelled):
    login("pimpinan")
    html = client.get("/dashboard?period=2990-04").get_data(as_text=True)
    link = re.search(r'<a class="late" href="([^"]+)">dibatalkan setelah lewat: 1</a>', html)
    assert link and "status=cancelled_late" in link[1]
    assert "dibatalkan setelah lewat" not in client.get(f"/dashboard?period=2990-04&as_of={cancelled['before']}").get_data(as_text=True)
    import html as markup

    number = re.search(r'<a class="number" href="([^"]+part=denominator[^"]*)"', html)[1]
    behind = client.get(markup.unescape(number)).get_data(as_text=True)
    assert "Tidak dihitung karena dibatalkan: 2 kegiatan" in behind and "dibatalkan setelah lewat: 1" in behind


@pytest.fixture
def moved(app, monkeypatch):
    """April 2990: Rapat (5 April) moved to 5 May on the 10th (after its time); Apel (6
    April) moved to 6 May on the 2nd (before it); Audiensi (7 April) moved out on the 10th
    and back on the 12th; Kunjungan (8 April) moved within April on the 10th."""
    agenda, ids, now = april(app, monkeypatch, {5: "Rapat", 6: "Apel", 7: "Audiensi", 8: "Kunjungan"})
    with acting_as("protokol"):
        now["t"] = wib(2990, 4, 2, 8)
        agenda.reschedule(ids["Apel"], starts_at=wib(2990, 5, 6, 9), reason="ditunda")
        now["t"] = wib(2990, 4, 10, 8)
        agenda.reschedule(ids["Rapat"], starts_at=wib(2990, 5, 5, 9), reason="dicatat terlambat")
        agenda.reschedule(ids["Audiensi"], starts_at=wib(2990, 5, 7, 9), reason="salah")
        agenda.reschedule(ids["Kunjungan"], starts_at=wib(2990, 4, 20, 9), reason="diundur")
        now["t"] = wib(2990, 4, 12, 8)
        agenda.reschedule(ids["Audiensi"], starts_at=wib(2990, 4, 7, 9), reason="kembali")


def test_an_activity_moved_out_of_its_period_after_its_time_is_counted_as_known_then(client, auth, login, moved):
    def counts(period, as_of, leader=""):
        answer = client.get(f"/api/v1/iku?period={period}&as_of={as_of}{leader}", headers=auth("inspektorat")).json
        explained = client.get(f"/api/v1/iku/explain?period={period}&as_of={as_of}&indicator=IKU-1{leader}",
                               headers=auth("inspektorat")).json
        assert answer["moved_out_late"] == explained["moved_out_late"]
        return answer["moved_out_late"]

    assert counts("2990-04", "2990-04-09") == 0  # before the late move
    assert counts("2990-04", "2990-04-11") == 2  # Rapat, and Audiensi while it was out
    assert counts("2990-04", "2990-04-13") == 1  # Audiensi came back
    assert counts("2990-05", "2990-04-13") == 0  # moved in, not out
    assert counts("2990-04", "2990-04-13", "&leader=wakil_bupati") == 0
    login("pimpinan")
    html = client.get("/dashboard?period=2990-04").get_data(as_text=True)
    assert "dipindah keluar periode setelah lewat: 1" in html

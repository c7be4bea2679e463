"""Issue 12, problem 2: today is easy to find on the agenda — quick periods, dates as
officers write them, today first, a search across all dates, the filters kept."""
import html as markup
import re
from datetime import date

import pytest

from api.service_layer.parsing import parse_period
from domain.context import acting_as
from projections.periods import InvalidPeriod, Period
from tests.api.test_pages import login, logins  # noqa: F401 (fixtures)
from tests.conftest import wib

THURSDAY = date(2990, 2, 4)


@pytest.mark.parametrize("text, label", [
    ("hari ini", "2990-02-04"), ("Hari  Ini", "2990-02-04"), ("hari-ini", "2990-02-04"),
    ("kemarin", "2990-02-03"), ("besok", "2990-02-05"),
    ("minggu ini", "2990-02-01..2990-02-07"), ("minggu depan", "2990-02-08..2990-02-14"),
    ("minggu lalu", "2990-01-25..2990-01-31"), ("bulan ini", "2990-02"), ("bulan lalu", "2990-01"),
    ("bulan depan", "2990-03"), ("tahun ini", "2990"),
    ("30/11/2026", "2026-11-30"), ("7/12/2026", "2026-12-07"), ("07-12-2026", "2026-12-07"),
    ("1/12/2026 s.d. 7/12/2026", "2026-12-01..2026-12-07"), ("1/12/2026 s/d 7/12/2026", "2026-12-01..2026-12-07"),
    ("01/12/2026 - 07/12/2026", "2026-12-01..2026-12-07"), ("1/12/2026 sampai 7/12/2026", "2026-12-01..2026-12-07"),
    ("2026-11-30", "2026-11-30"), ("2021-Q1", "2021-Q1"), (" 2021-03 ", "2021-03"),
])
def test_a_page_reads_the_periods_officers_write(text, label):
    period = parse_period(text, THURSDAY)
    assert period.label == label and period == Period.parse(label)


@pytest.mark.parametrize("text", ["31/02/2026", "7/12/2026 s.d. 1/12/2026", "minggu", "30/11/1899", "13/13/2026"])
def test_a_page_refuses_what_is_not_a_period(text):
    with pytest.raises(InvalidPeriod):
        parse_period(text, THURSDAY)


def test_a_single_date_is_a_period_everywhere():
    period = Period.parse("2026-11-30")
    assert (period.start, period.end) == (date(2026, 11, 30),) * 2


@pytest.fixture
def week(app, monkeypatch):
    """Activities around Thursday 4 February 2990 (today, 10.00 WIB)."""
    from domain.store.clock import SystemClock, to_micros

    with acting_as("protokol"):
        for day, title in ((1, "Apel Senin"), (3, "Rapat Rabu"), (4, "Kunjungan Kamis"),
                           (5, "Peresmian Jumat"), (12, "Rapat Minggu Depan")):
            app.extensions["iku"].agenda.schedule(title=title, leaders=["bupati"], location="Pendopo",
                                                  starts_at=wib(2990, 2, day, 9), scope="dalam_daerah")
    monkeypatch.setattr(SystemClock, "now", lambda self: to_micros(wib(2990, 2, 4, 10)))


def titles(html: str) -> list[str]:
    return re.findall(r"<strong>([^<]+)</strong></a>", html)


def test_hari_ini_shows_todays_activities_and_minggu_ini_starts_with_today(client, login, week):
    login("protokol")
    assert titles(client.get("/agenda?period=hari+ini").get_data(as_text=True)) == ["Kunjungan Kamis"]
    html = client.get("/agenda?period=minggu+ini").get_data(as_text=True)
    assert titles(html) == ["Kunjungan Kamis", "Peresmian Jumat", "Rapat Rabu", "Apel Senin"]
    assert html.index("Peresmian Jumat") < html.index("Sudah lewat") < html.index("Rapat Rabu")
    assert 'data-period="2990-02-01..2990-02-07">' in html and "4 kegiatan, 1–7 Februari 2990" in html
    assert titles(client.get("/agenda?period=04/02/2990").get_data(as_text=True)) == ["Kunjungan Kamis"]
    assert titles(client.get("/agenda?period=2990-02-12").get_data(as_text=True)) == ["Rapat Minggu Depan"]
    assert titles(client.get("/agenda?period=minggu+depan").get_data(as_text=True)) == ["Rapat Minggu Depan"]


def test_the_agenda_offers_the_quick_periods_and_a_date_picker_keeping_the_other_filters(client, login, week):
    login("protokol")
    html = markup.unescape(client.get("/agenda?period=2990-02&status=unserved&leader=bupati").get_data(as_text=True))
    for word, name in (("hari+ini", "Hari ini"), ("minggu+ini", "Minggu ini"), ("bulan+ini", "Bulan ini")):
        link = re.search(rf'<a href="(/agenda\?[^"]*period={re.escape(word)}[^"]*)"[^>]*>{name}</a>', html)
        assert link and "status=unserved" in link[1] and "leader=bupati" in link[1], name
    assert re.search(r'<input id="day" name="period" type="date"', html)
    # A period that does not hold today keeps the order of time, without "Sudah lewat".
    january = client.get("/agenda?period=2990-02-01..2990-02-03").get_data(as_text=True)
    assert titles(january) == ["Apel Senin", "Rapat Rabu"] and "Sudah lewat" not in january


def test_a_search_looks_across_all_dates_unless_asked_to_stay_in_the_period(client, login, week):
    login("protokol")
    html = client.get("/agenda?period=2021-03&q=rapat").get_data(as_text=True)
    assert titles(html) == ["Rapat Minggu Depan", "Rapat Rabu"]
    assert "2 kegiatan cocok dengan “rapat” di semua tanggal" in html
    assert titles(client.get("/agenda?period=2021-03&q=rapat&in_period=1").get_data(as_text=True)) == []


def test_the_way_back_from_an_activity_keeps_the_agendas_filters(client, login, week):
    login("protokol")
    html = client.get("/agenda?period=minggu+ini&status=unserved").get_data(as_text=True)
    first = re.search(r'<a href="(/activities/[^"]+)"><strong>', html)[1]
    page = markup.unescape(client.get(first).get_data(as_text=True))
    back = re.search(r'<p class="back"><a href="([^"]+)"', page)[1]
    assert back == "/agenda?period=minggu+ini&status=unserved"
    assert f'<a href="{back}">Agenda</a>' in page  # the navigation's link too

"""Long listings are read a page at a time, so that a period of ten years costs what a page
costs (issue 11): the API's activities, explain and diff, and the agenda, the activities
behind a number and the diff page. On both stores."""
import re

import pytest

from api.service_layer.results import MAX_PER_PAGE
from domain.context import acting_as
from tests.api.test_pages import login, logins  # noqa: F401 - fixtures
from tests.conftest import wib

TEN_YEARS = "2016-01-01..2025-12-31"
N = 230  # more than two pages of the pages' 100


@pytest.fixture(autouse=True)
def sign_a_checkpoint_a_minute(monkeypatch):
    """Not one per write: N activities are written (the audit is not what is tested here)."""
    monkeypatch.setenv("IKU_CHECKPOINT_INTERVAL", "60")


@pytest.fixture
def many(app):
    """N activities over ten years, one in three served, one in ten cancelled."""
    agenda = app.extensions["iku"].agenda
    with acting_as("protokol"):
        for i in range(N):
            written = agenda.schedule(title=f"Rapat {i:03d}", leaders=["bupati"],
                                      starts_at=wib(2016 + i % 10, 1 + i % 12, 1 + i % 28, 9),
                                      location="Ambulu" if i % 2 else "Puger", scope="dalam_daerah")
            if i % 3 == 0:
                agenda.record_protocol(written.activity_id, officers=["Ani"])
            if i % 10 == 0:
                agenda.cancel(written.activity_id, reason="batal")


def counting_history(app, monkeypatch):
    """The activities whose events are read from the log, one entry each."""
    recorder, calls = app.extensions["iku"].agenda.recorder, []
    select = recorder.select_recorded_events_of
    monkeypatch.setattr(recorder, "select_recorded_events_of",
                        lambda ids, **k: calls.extend(ids) or select(ids, **k))
    return calls


def test_the_activities_of_ten_years_come_a_page_at_a_time(client, auth, many):
    first = client.get(f"/api/v1/activities?period={TEN_YEARS}&per_page=100", headers=auth("pimpinan"))
    assert first.status_code == 200
    assert (first.json["page"], first.json["per_page"], first.json["total"]) == (1, 100, N)
    assert len(first.json["activities"]) == 100
    following = re.fullmatch(r'<([^>]+)>; rel="next"', first.headers["Link"]).group(1)
    seen = [a["activity_id"] for a in first.json["activities"]]
    while following:
        page = client.get(following, headers=auth("pimpinan"))
        seen += [a["activity_id"] for a in page.json["activities"]]
        link = page.headers.get("Link")
        following = link and re.fullmatch(r'<([^>]+)>; rel="next"', link).group(1)
    everything = client.get(f"/api/v1/activities?period={TEN_YEARS}", headers=auth("pimpinan")).json
    assert seen == [a["activity_id"] for a in everything["activities"]] and len(set(seen)) == N
    assert everything["per_page"] == MAX_PER_PAGE and "Link" not in client.get(
        f"/api/v1/activities?period={TEN_YEARS}", headers=auth("pimpinan")).headers
    starts = [a["starts_at"] for a in everything["activities"]]
    assert starts == sorted(starts, key=lambda s: s)


@pytest.mark.parametrize("query", ["per_page=1001", "per_page=0", "page=0", "page=satu", "per_page=-5"])
def test_a_page_outside_the_limits_is_a_422(client, auth, query):
    for path in (f"/api/v1/activities?period={TEN_YEARS}&{query}",
                 f"/api/v1/iku/explain?period={TEN_YEARS}&indicator=IKU-1&{query}",
                 f"/api/v1/iku/diff?period={TEN_YEARS}&from=2016-01-01&{query}"):
        response = client.get(path, headers=auth("pimpinan"))
        assert response.status_code == 422, path
        assert set(response.json["errors"]["query"]) <= {"page", "per_page"}


def test_explain_reads_the_log_only_for_the_page(app, client, auth, many, monkeypatch):
    calls = counting_history(app, monkeypatch)
    found = client.get(f"/api/v1/iku/explain?period={TEN_YEARS}&indicator=IKU-1&per_page=20&page=2",
                       headers=auth("pimpinan")).json
    counted = N - len(range(0, N, 10))
    assert (found["denominator"], found["numerator"], found["total"], found["page"]) == (
        counted, len([i for i in range(0, N, 3) if i % 10]), counted, 2)
    assert len(found["denominator_activities"]) == 20 and len(found["numerator_activities"]) == 20
    assert len(calls) <= 40
    whole = client.get(f"/api/v1/iku/explain?period={TEN_YEARS}&indicator=IKU-1",
                       headers=auth("pimpinan")).json
    assert found["denominator_activities"] == whole["denominator_activities"][20:40]
    assert found["numerator_activities"] == whole["numerator_activities"][20:40]


def test_diff_reads_the_log_only_for_the_page_of_changes(app, client, auth, many, monkeypatch):
    calls = counting_history(app, monkeypatch)
    found = client.get(f"/api/v1/iku/diff?period={TEN_YEARS}&from=2016-01-01&per_page=25&page=3",
                       headers=auth("pimpinan"))
    assert found.status_code == 200 and found.json["total"] == N and len(found.json["changes"]) == 25
    assert len(calls) <= 25 and 'rel="next"' in found.headers["Link"]
    whole = client.get(f"/api/v1/iku/diff?period={TEN_YEARS}&from=2016-01-01",
                       headers=auth("pimpinan")).json["changes"]
    assert found.json["changes"] == whole[50:75]
    since_all = client.get(f"/api/v1/iku/diff?period={TEN_YEARS}&from=2030-01-01",
                           headers=auth("pimpinan")).json
    assert (since_all["total"], since_all["changes"]) == (0, [])


def test_the_agenda_shows_a_hundred_activities_a_page_with_its_filters_kept(client, login, many):
    login("protokol")
    html = client.get(f"/agenda?period={TEN_YEARS}&status=scheduled&q=AMBULU").get_data(as_text=True)
    listed = re.findall(r"Rapat \d{3}", html)
    expected = [f"Rapat {i:03d}" for i in range(1, N, 2)]
    assert f"{len(expected)} kegiatan" in html and len(listed) == 100 and set(listed) <= set(expected)
    following = re.search(r'<a rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert "status=scheduled" in following and "q=AMBULU" in following and "page=2" in following
    second = client.get(following).get_data(as_text=True)
    assert not set(re.findall(r"Rapat \d{3}", second)) & set(listed)
    assert "Halaman 2 dari 2" in second
    assert client.get(f"/agenda?period={TEN_YEARS}&status=semua").status_code == 200  # a named error, not a 500


def test_the_lists_behind_a_number_and_the_diff_page_are_paged(client, login, many, app):
    login("pimpinan")
    as_of = client.get(f"/dashboard?period={TEN_YEARS}").get_data(as_text=True)
    answered = re.search(r"as_of=([^&\"]+)", as_of).group(1)
    for part, total in (("denominator", N - 23), ("served", len([i for i in range(0, N, 3) if i % 10])),
                        ("cancelled", 23)):
        html = client.get(f"/dashboard/activities?period={TEN_YEARS}&as_of={answered}&part={part}").get_data(as_text=True)
        assert f"{total} kegiatan" in html, part
        assert len(re.findall(r'class="activity"', html)) == min(total, 100), part
    diff = client.get(f"/dashboard/diff?period={TEN_YEARS}&from=2016-01-01&page=3").get_data(as_text=True)
    assert f"Kegiatan yang berubah ({N})" in diff and "Halaman 3 dari 3" in diff
    assert len(re.findall(r'class="card change"', diff)) == N - 200


def test_the_next_page_is_read_at_the_instant_of_the_first(app, client, auth, many):
    first = client.get(f"/api/v1/activities?period={TEN_YEARS}&per_page=100", headers=auth("pimpinan"))
    with acting_as("protokol"):
        app.extensions["iku"].agenda.schedule(title="Sisipan", leaders=["bupati"], starts_at=wib(2016, 1, 1, 0, 5),
                                              location="Puger", scope="dalam_daerah")
    following = re.fullmatch(r'<([^>]+)>; rel="next"', first.headers["Link"]).group(1)
    second = client.get(following, headers=auth("pimpinan")).json
    assert second["total"] == first.json["total"] and second["as_of"] == first.json["as_of"]
    assert not {a["activity_id"] for a in second["activities"]} & {a["activity_id"] for a in first.json["activities"]}
    diff = client.get(f"/api/v1/iku/diff?period={TEN_YEARS}&from=2016-01-01&per_page=10", headers=auth("pimpinan"))
    assert "to=" in diff.headers["Link"]


def test_the_agenda_finds_a_title_as_it_was_written(client, login, app):
    with acting_as("protokol"):
        app.extensions["iku"].agenda.schedule(title="Kunjungan ÉVÉNEMENT Kota", leaders=["bupati"],
                                              starts_at=wib(2021, 3, 5, 9), location="Puger", scope="dalam_daerah")
    login("protokol")
    for q in ("ÉVÉNEMENT", "kunjungan", "KOTA"):
        assert "1 kegiatan" in client.get(f"/agenda?period=2021-03&q={q}").get_data(as_text=True), q
    assert "0 kegiatan" in client.get("/agenda?period=2021-03&q=%00zz").get_data(as_text=True)

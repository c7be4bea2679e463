"""Every input that an adversarial review found to give a 500 (issue 11), sent to every
endpoint, page and command it applies to: each is a 4xx with a message, and the log is
unchanged."""
from decimal import Decimal
from urllib.parse import unquote

import pytest
from click.testing import CliRunner

from api.cli import main
from api.service_layer.commands import submit_report
from api.users import User
from domain.context import acting_as
from projections.periods import Period
from tests.api.test_pages import PASSWORD, login, logins, token_of  # noqa: F401 - fixtures
from tests.conftest import wib

BAD_AS_OF = ["9999-12-31", "0001-01-01T00:00:00%2B01:00", "0001-01-01"]
BAD_PERIODS = ["9999-12", "0001-01-01..9999-12-31", "0001", "%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%91-Q1",
               "%D9%A2%D9%A0%D9%A2%D9%A1-Q1"]  # ２０２１-Q1 and ٢٠٢١-Q1
TEXT_BODIES = {
    "": {"title": "T", "leaders": ["bupati"], "starts_at": "2021-03-01T09:00:00+07:00", "location": "L",
         "scope": "dalam_daerah", "category": "C", "notes": "N"},
    "/reschedule": {"starts_at": "2021-03-02T09:00:00+07:00", "reason": "R"},
    "/cancellation": {"reason": "R"},
    "/protocol": {"officers": ["O"], "notes": "N"},
    "/documentation": {"media": "foto", "notes": "N"},
    "/retractions": {"version": 1, "reason": "R"},
}


@pytest.fixture
def records(app):
    """An activity, a target and a submitted report: (activity id, target id, report id)."""
    svc = app.extensions["iku"]
    with acting_as("protokol"):
        activity = svc.agenda.schedule(title="Rapat", leaders=["bupati"], starts_at=wib(2021, 3, 1, 9),
                                       location="Pendopo", scope="dalam_daerah").activity_id
    with acting_as("kabag"):
        target = svc.agenda.set_target(indicator="IKU-1", year=2021, target=Decimal("90")).activity_id
    report = submit_report(svc, User("kabag", "pimpinan"), Period.parse("2021-Q1")).written.activity_id
    return str(activity), str(target), str(report)


def refused(response, *statuses):
    assert response.status_code in (statuses or (400, 404, 409, 422)), response.get_data(as_text=True)[:300]
    if response.is_json:
        body = response.json
        assert body["code"] == response.status_code and (body.get("message") or body.get("errors"))
    else:
        assert response.get_data(as_text=True).strip()


def test_an_id_of_a_target_or_a_report_is_no_activity_on_any_activity_endpoint(client, auth, records, log):
    _, *others = records
    before = log()
    for other in others:
        refused(client.get(f"/api/v1/activities/{other}", headers=auth()), 404)
        refused(client.get(f"/api/v1/activities/{other}/history", headers=auth()), 404)
        for path, body in TEXT_BODIES.items():
            if path:
                refused(client.post(f"/api/v1/activities/{other}{path}", headers=auth(), json=body), 404)
    assert log() == before


@pytest.mark.parametrize("as_of", BAD_AS_OF)
def test_an_as_of_out_of_range_is_422_on_every_read(client, auth, records, log, as_of):
    activity = records[0]
    before = log()
    for url in ["/api/v1/activities?period=2021", f"/api/v1/activities/{activity}",
                "/api/v1/iku?period=2021", "/api/v1/iku/explain?period=2021&indicator=IKU-1",
                "/api/v1/targets?year=2021"]:
        refused(client.get(f"{url}{'&' if '?' in url else '?'}as_of={as_of}", headers=auth()), 422)
    refused(client.get(f"/api/v1/iku/diff?period=2021&from={as_of}", headers=auth()), 422)
    refused(client.get(f"/api/v1/iku/diff?period=2021&from=2021-01-01&to={as_of}", headers=auth()), 422)
    assert log() == before


@pytest.mark.parametrize("as_of", BAD_AS_OF)
def test_an_as_of_out_of_range_is_a_message_on_every_page(client, login, records, log, as_of):
    login("admin")
    before = log()
    for url in ["/agenda?period=2021", "/dashboard?period=2021", "/dashboard/diff?period=2021&from=2021-01-01"]:
        response = client.get(f"{url}&as_of={as_of}")
        assert response.status_code in (200, 422) and "Tanggal tidak sah." in response.get_data(as_text=True)
    refused(client.get(f"/dashboard/diff?period=2021&from={as_of}"), 422)
    refused(client.get(f"/dashboard/activities?period=2021&as_of={as_of}"), 404)
    assert log() == before


@pytest.mark.parametrize("period", BAD_PERIODS)
def test_a_period_out_of_range_or_in_other_digits_is_refused_everywhere(client, auth, login, records, log, period):
    before = log()
    for url in ["/api/v1/activities", "/api/v1/iku", "/api/v1/iku/explain?indicator=IKU-1&x=1"]:
        url = url.replace("&x=1", "")
        refused(client.get(f"{url}{'&' if '?' in url else '?'}period={period}", headers=auth()), 422)
    refused(client.get(f"/api/v1/reports/{period}", headers=auth()), 404, 422)
    refused(client.post("/api/v1/reports", headers=auth("pimpinan"), json={"period": unquote(period)}), 422)
    login("admin")
    for url in ["/agenda", "/dashboard", "/dashboard/diff?from=2021-01-01"]:
        response = client.get(f"{url}{'&' if '?' in url else '?'}period={period}")
        assert response.status_code in (200, 422) and "Periode tidak dikenal" in response.get_data(as_text=True)
    assert log() == before


def test_a_second_report_for_a_quarter_cannot_be_submitted_by_another_way_of_writing_it(client, auth, records, log):
    before = log()
    for label in ("２０２１-Q1", "٢٠٢١-Q1", "2021-q1", " 2021-Q1"):
        response = client.post("/api/v1/reports", headers=auth("pimpinan"), json={"period": label})
        assert response.status_code in (409, 422), (label, response.json)
    assert log() == before


@pytest.mark.parametrize("path", list(TEXT_BODIES))
def test_a_body_nested_too_deep_to_parse_is_400_or_too_large(client, auth, records, log, path):
    before = log()
    url = "/api/v1/activities" + ("" if not path else f"/{records[0]}{path}")
    for depth, status in ((30_000, 400), (50_000, 413)):  # under and over the 64 KiB of a body
        response = client.post(url, headers={**auth(), "Content-Type": "application/json"},
                               data="[" * depth + "]" * depth)
        refused(response, status)
    assert log() == before


@pytest.mark.parametrize(("path", "field"), [(path, field) for path, body in TEXT_BODIES.items()
                                             for field, value in body.items() if isinstance(value, (str, list))
                                             and field not in ("starts_at", "media", "leaders")])
def test_a_lone_surrogate_in_any_text_is_422_on_that_field(client, auth, records, log, path, field):
    before = log()
    url = "/api/v1/activities" + ("" if not path else f"/{records[0]}{path}")
    body = dict(TEXT_BODIES[path])
    body[field] = ["\ud800"] if isinstance(body[field], list) else "a\ud800b"
    response = client.post(url, headers=auth(), json=body)
    refused(response, 409, 422)
    if response.status_code == 422:
        assert field in response.json["errors"]["json"]
    assert log() == before


@pytest.mark.parametrize("next_path", ["/agenda\r\nX-Evil: 1", "/agenda\nX-Evil: 1", "/\\evil.example"])
def test_control_characters_in_next_go_to_the_agenda(client, logins, next_path):
    logins("protokol")
    html = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"csrf_token": token_of(html), "name": "protokol",
                                           "password": PASSWORD, "next": next_path})
    assert response.status_code in (302, 401)
    if response.status_code == 302:
        assert response.headers["Location"] == "/agenda" and "X-Evil" not in response.headers
    for code in ("id", "en"):
        response = client.get(f"/lang/{code}?next=/agenda%0d%0aX-Evil:%201")
        assert response.status_code == 302 and response.headers["Location"] == "/agenda"


@pytest.mark.parametrize("args", [["--period", "2021", "--as-of", "9999-12-31"],
                                  ["--period", "2021", "--as-of", "0001-01-01T00:00:00+01:00"],
                                  ["--period", "9999-12"], ["--period", "２０２１-Q1"],
                                  ["report", "--year", "2021", "--format", "xlsx", "--as-of", "9999-12-31"]])
def test_the_cli_says_what_is_wrong_without_a_traceback(cli_env, args, tmp_path):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and "Galat: Nilai tidak sah" in result.output, result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, (OverflowError, ValueError))

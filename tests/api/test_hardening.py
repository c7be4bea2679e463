"""Issue 11: who asks comes before what they send; limits on bodies; the headers a browser
needs to keep the forms from being framed and the answers from being cached."""
import pytest

from tests.api.test_no_server_errors_found import TEXT_BODIES
from tests.api.test_pages import login, logins  # noqa: F401 - fixtures

WRITES = ["/api/v1/activities", *(f"/api/v1/activities/{{id}}{path}" for path in TEXT_BODIES if path),
          "/api/v1/targets", "/api/v1/reports", "/api/v1/reports/2021-Q1/reopening", "/api/v1/audit/cosignatures"]
INVALID = {"title": 5, "unknown": True, "version": "x", "reason": 7, "period": 1, "size": "big"}


@pytest.mark.parametrize("url", WRITES)
def test_an_invalid_body_without_a_token_is_401_and_from_a_forbidden_role_403(client, auth, activity, log, url):
    url = url.format(id=activity)
    before = log()
    anonymous = client.post(url, json=INVALID)
    assert anonymous.status_code == 401 and "errors" not in anonymous.json, anonymous.json
    forbidden = client.post(url, headers=auth("inspektorat" if "cosignatures" not in url else "protokol"), json=INVALID)
    assert forbidden.status_code == 403 and "errors" not in forbidden.json, forbidden.json
    assert log() == before


def test_a_body_over_64_kib_is_413_and_many_unknown_fields_get_a_short_answer(client, auth, log):
    before = log()
    big = client.post("/api/v1/activities", headers=auth("protokol"), json={"notes": "x" * 70_000})
    assert big.status_code == 413 and big.json["message"]
    many = client.post("/api/v1/activities", headers=auth("protokol"), json={f"k{i}": 1 for i in range(5000)})
    assert many.status_code == 422 and len(many.json["errors"]["json"]) <= 21 and len(many.data) < 5_000
    assert log() == before


def test_every_answer_forbids_framing_and_sniffing(client, auth):
    for response in (client.get("/login"), client.get("/api/v1/health"), client.get("/api/v1/iku?period=2021", headers=auth())):
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_answers_for_a_signed_in_user_are_never_cached(client, auth, login):
    assert client.get("/api/v1/iku?period=2021", headers=auth()).headers["Cache-Control"] == "no-store"
    login("protokol")
    assert client.get("/agenda?period=2021").headers["Cache-Control"] == "no-store"


def test_a_weak_etag_in_if_match_is_422_and_appends_nothing(client, auth, activity, log):
    before = log()
    response = client.post(f"/api/v1/activities/{activity}/protocol", headers=auth("protokol", **{"If-Match": 'W/"1"'}),
                           json={"officers": ["Ani"]})
    assert response.status_code == 422 and "If-Match" in response.json["errors"]["headers"]
    assert log() == before


@pytest.mark.parametrize("target", ["90", True, None])
def test_a_target_is_a_json_number(client, auth, log, target):
    response = client.post("/api/v1/targets", headers=auth("pimpinan"),
                           json={"indicator": "IKU-1", "year": 2021, "target": target})
    assert response.status_code == 422 and "target" in response.json["errors"]["json"]
    assert log() == []


def test_a_typed_offset_in_the_schedule_form_is_refused_not_dropped(client, login, app, log):
    from tests.api.test_pages import post_form

    login("protokol")
    response = post_form(client, "/activities/new", "/activities/new", {
        "title": "Rapat", "leaders": ["bupati"], "date": "2021-03-01", "time": "09:00+08:00",
        "location": "Pendopo", "scope": "dalam_daerah"})
    assert response.status_code == 422 and "Jam tidak sah" in response.get_data(as_text=True)
    assert log() == []


def test_a_form_whose_version_is_not_a_number_is_refused_not_unchecked(client, login, app, activity, log):
    from tests.api.test_pages import token_of

    login("protokol")
    html = client.get(f"/activities/{activity}").get_data(as_text=True)
    before = log()
    response = client.post(f"/activities/{activity}/protocol", data={
        "csrf_token": token_of(html), "form_token": token_of(html, "form_token"), "version": "abc",
        "officers": "Ani"})
    assert response.status_code == 422 and "Formulir ini rusak" in response.get_data(as_text=True)
    assert log() == before

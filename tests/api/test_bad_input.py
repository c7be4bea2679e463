"""Bad input (SPEC §4, §6): a clear 4xx with a message per field, nothing appended, no 500."""
import uuid

import pytest

BASE = "/api/v1/activities"
GOOD_SCHEDULE = {"title": "Rapat", "leaders": ["bupati"], "starts_at": "2021-03-01T09:00:00+07:00",
                 "location": "Pendopo", "scope": "dalam_daerah"}


def refused(response, status, *fields, location="json"):
    assert response.status_code == status, response.json
    body = response.json
    assert body["code"] == status and body["status"] and ("errors" in body or "message" in body)
    if fields:
        assert set(fields) <= set(body["errors"][location]), body["errors"]


@pytest.mark.parametrize(("change", "fields"), [
    ({"leaders": []}, ["leaders"]),
    ({"leaders": ["camat"]}, ["leaders"]),
    ({"leaders": ["bupati", "bupati"]}, ["leaders"]),
    ({"leaders": "bupati"}, ["leaders"]),
    ({"starts_at": "2021-03-01T09:00:00"}, ["starts_at"]),
    ({"starts_at": "2021-02-30T09:00:00+07:00"}, ["starts_at"]),
    ({"starts_at": "besok pagi"}, ["starts_at"]),
    ({"starts_at": 1614564000}, ["starts_at"]),
    ({"ends_at": "2021-03-01T08:00:00+07:00"}, ["ends_at"]),
    ({"ends_at": "2021-03-01T12:00:00"}, ["ends_at"]),
    ({"scope": "luar_negeri"}, ["scope"]),
    ({"title": ""}, ["title"]),
    ({"title": 42}, ["title"]),
    ({"unexpected": 1}, ["unexpected"]),
    ({"title": None, "location": None}, ["title", "location"]),
])
def test_a_bad_schedule_is_422_per_field_and_appends_nothing(client, auth, log, change, fields):
    before = log()
    refused(client.post(BASE, headers=auth("protokol"), json={**GOOD_SCHEDULE, **change}), 422, *fields)
    assert log() == before


@pytest.mark.parametrize("missing", ["title", "leaders", "starts_at", "location", "scope"])
def test_a_schedule_missing_a_required_field_is_422(client, auth, log, missing):
    body = {k: v for k, v in GOOD_SCHEDULE.items() if k != missing}
    refused(client.post(BASE, headers=auth("protokol"), json=body), 422, missing)
    assert log() == []


@pytest.mark.parametrize(("body", "content_type"), [
    ("[1, 2]", "application/json"), ('"text"', "application/json"), ("{}", "application/json"),
    ("title=Rapat", "application/x-www-form-urlencoded"),
])
def test_a_body_that_is_not_a_json_object_is_refused(client, auth, log, body, content_type):
    response = client.post(BASE, headers=auth("protokol"), data=body, content_type=content_type)
    assert response.status_code in (400, 415, 422)
    assert response.is_json
    assert log() == []


def test_malformed_json_is_refused_with_a_json_error(client, auth, log):
    response = client.post(BASE, headers=auth("protokol"), data="{not json", content_type="application/json")
    assert response.status_code == 400 and response.is_json
    assert log() == []


@pytest.mark.parametrize(("path", "role", "body", "fields"), [
    ("reschedule", "protokol", {"reason": "x"}, ["starts_at"]),
    ("reschedule", "protokol", {"starts_at": "2021-03-02T09:00:00", "reason": "x"}, ["starts_at"]),
    ("reschedule", "protokol", {"starts_at": "2021-03-02T09:00:00+07:00"}, ["reason"]),
    ("reschedule", "protokol", {"starts_at": "2021-03-02T09:00:00+07:00", "ends_at": "2021-03-02T08:00:00+07:00",
                                "reason": "x"}, ["ends_at"]),
    ("cancellation", "protokol", {}, ["reason"]),
    ("cancellation", "protokol", {"reason": ""}, ["reason"]),
    ("protocol", "protokol", {"officers": []}, ["officers"]),
    ("protocol", "protokol", {"officers": "Ani"}, ["officers"]),
    ("protocol", "protokol", {"officers": [""]}, ["officers"]),
    ("documentation", "dokumentasi", {"media": "lukisan"}, ["media"]),
    ("documentation", "dokumentasi", {}, ["media"]),
    ("documentation", "dokumentasi", {"media": "foto", "evidence_uri": "not a uri"}, ["evidence_uri"]),
    ("documentation", "dokumentasi", {"media": "foto", "evidence_sha256": "abc"}, ["evidence_sha256"]),
    ("retractions", "protokol", {"version": "2", "reason": "x"}, ["version"]),
    ("retractions", "protokol", {"version": 0, "reason": "x"}, ["version"]),
    ("retractions", "protokol", {"version": 2}, ["reason"]),
    ("protocol", "protokol", {"officers": ["Ani"], "recorded_at": "2021-01-01T00:00:00Z"}, ["recorded_at"]),
])
def test_a_bad_fact_is_422_per_field_and_appends_nothing(client, auth, activity, log, path, role, body, fields):
    before = log()
    refused(client.post(f"{BASE}/{activity}/{path}", headers=auth(role), json=body), 422, *fields)
    assert log() == before


FACTS = [
    ("reschedule", "protokol", {"starts_at": "2021-03-02T09:00:00+07:00", "reason": "x"}),
    ("cancellation", "protokol", {"reason": "x"}),
    ("protocol", "protokol", {"officers": ["Ani"]}),
    ("documentation", "dokumentasi", {"media": "foto"}),
    ("retractions", "protokol", {"version": 2, "reason": "x"}),
]


@pytest.mark.parametrize(("path", "role", "body"), FACTS)
def test_a_fact_about_an_unknown_activity_is_404(client, auth, log, path, role, body):
    refused(client.post(f"{BASE}/{uuid.uuid4()}/{path}", headers=auth(role), json=body), 404)
    assert log() == []


def test_a_malformed_activity_id_is_404(client, auth):
    assert client.post(f"{BASE}/not-a-uuid/protocol", headers=auth(), json={"officers": ["A"]}).status_code == 404
    assert client.get(f"{BASE}/not-a-uuid", headers=auth()).status_code == 404


@pytest.mark.parametrize(("path", "role", "body"), FACTS[:4])
def test_a_fact_about_a_cancelled_activity_is_409(client, auth, activity, log, path, role, body):
    client.post(f"{BASE}/{activity}/cancellation", headers=auth("protokol"), json={"reason": "batal"})
    before = log()
    refused(client.post(f"{BASE}/{activity}/{path}", headers=auth(role), json=body), 409)
    assert log() == before


def test_a_retraction_is_possible_on_a_cancelled_activity(client, auth, activity):
    client.post(f"{BASE}/{activity}/documentation", headers=auth("dokumentasi"), json={"media": "foto"})
    client.post(f"{BASE}/{activity}/cancellation", headers=auth("protokol"), json={"reason": "batal"})
    response = client.post(f"{BASE}/{activity}/retractions", headers=auth("dokumentasi"),
                           json={"version": 2, "reason": "salah"})
    assert response.status_code == 201


@pytest.mark.parametrize("version", [1, 3, 99])
def test_a_retraction_naming_no_live_entry_is_409(client, auth, activity, log, version):
    client.post(f"{BASE}/{activity}/protocol", headers=auth("protokol"), json={"officers": ["Ani"]})
    client.post(f"{BASE}/{activity}/retractions", headers=auth("protokol"), json={"version": 2, "reason": "x"})
    before = log()  # version 1 is the schedule, 3 the retraction itself, 99 nothing
    refused(client.post(f"{BASE}/{activity}/retractions", headers=auth("protokol"),
                        json={"version": version, "reason": "x"}), 409, "version")
    assert log() == before


def test_retracting_an_already_retracted_entry_is_409(client, auth, activity, log):
    client.post(f"{BASE}/{activity}/protocol", headers=auth("protokol"), json={"officers": ["Ani"]})
    client.post(f"{BASE}/{activity}/retractions", headers=auth("protokol"), json={"version": 2, "reason": "x"})
    before = log()
    refused(client.post(f"{BASE}/{activity}/retractions", headers=auth("protokol"),
                        json={"version": 2, "reason": "again"}), 409)
    assert log() == before


@pytest.mark.parametrize("if_match", ["abc", "-1", "1.5"])
def test_a_malformed_if_match_is_422(client, auth, activity, log, if_match):
    before = log()
    refused(client.post(f"{BASE}/{activity}/protocol", headers=auth("protokol", **{"If-Match": if_match}),
                        json={"officers": ["Ani"]}), 422, "If-Match", location="headers")
    assert log() == before


@pytest.mark.parametrize("query", [
    "period=2021-Q5", "period=", "period=Q1", "period=2021-02-30..2021-03-01", "",
    "period=2021&as_of=2021-04-01T00:00:00", "period=2021&as_of=kemarin", "period=2021&as_of=2021-13-01",
    "period=2021&leader=camat", "period=2021&perod=2021", "period=2021&as_of=2021-04-01T00:00:00%2B99:00",
])
@pytest.mark.parametrize("path", ["/api/v1/iku", BASE])
def test_bad_query_parameters_are_422(client, auth, path, query):
    response = client.get(f"{path}?{query}", headers=auth("inspektorat"))
    assert response.status_code == 422, (query, response.json)
    assert response.json["errors"]["query"]


def test_a_bad_as_of_on_an_activity_is_422(client, auth, activity):
    response = client.get(f"{BASE}/{activity}?as_of=2021-04-01T00:00:00", headers=auth())
    assert response.status_code == 422 and "as_of" in response.json["errors"]["query"]


def test_an_activity_as_of_before_it_was_recorded_is_404(client, auth, activity):
    assert client.get(f"{BASE}/{activity}?as_of=2021-04-01", headers=auth()).status_code == 404
    assert client.get(f"{BASE}/{uuid.uuid4()}/history", headers=auth()).status_code == 404


@pytest.mark.parametrize("instant", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00",
                                     "1899-12-31T12:00:00+07:00", "3000-01-01T00:00:00+07:00"])
def test_a_date_outside_the_years_1900_to_2999_is_422_and_the_figures_still_answer(client, auth, activity, log, instant):
    before = log()
    refused(client.post(BASE, headers=auth("protokol"), json={**GOOD_SCHEDULE, "starts_at": instant}), 422, "starts_at")
    refused(client.post(f"{BASE}/{activity}/reschedule", headers=auth("protokol"),
                        json={"starts_at": instant, "reason": "x"}), 422, "starts_at")
    assert log() == before
    assert client.get("/api/v1/iku?period=2021", headers=auth()).status_code == 200

"""Period submission, restatements and reopening."""
from urllib.parse import quote

import pytest

from tests.conftest import whole_log

BASE = "/api/v1/activities"


@pytest.fixture
def q1_activity(client, auth):
    return client.post(BASE, headers=auth("protokol"), json={
        "title": "Rapat", "leaders": ["bupati"], "starts_at": "2021-03-01T09:00:00+07:00",
        "location": "Pendopo", "scope": "dalam_daerah"}).json["activity_id"]


def test_submitting_freezes_the_figures_with_the_chain_head_and_signs_a_checkpoint(client, auth, q1_activity, app):
    head = len(whole_log(app.extensions["iku"].agenda))
    response = client.post("/api/v1/reports", headers=auth("pimpinan"), json={"period": "2021-Q1"})
    assert response.status_code == 201
    body = response.json
    assert body["indicators"][0]["denominator"] == 1 and body["chain"]["position"] == head
    latest = client.get("/api/v1/audit/checkpoints/latest", headers=auth()).json
    assert latest["position"] == body["position"]  # the checkpoint covers the submission itself
    iku = client.get("/api/v1/iku?period=2021-Q1", headers=auth("inspektorat")).json
    assert iku["report"]["status"] == "submitted" and iku["restated"] is False
    assert iku["report"]["submitted_by"] == "pimpinan.user"


def test_a_later_change_is_shown_as_a_restatement_of_the_submitted_report(client, auth, q1_activity):
    submitted = client.post("/api/v1/reports", headers=auth("pimpinan"), json={"period": "2021-Q1"}).json
    client.post(f"{BASE}/{q1_activity}/protocol", headers=auth("protokol"), json={"officers": ["Ani"]})
    iku = client.get("/api/v1/iku?period=2021-Q1", headers=auth("inspektorat")).json
    assert iku["restated"] is True
    assert iku["report"]["indicators"][0]["numerator"] == 0 and iku["indicators"][0]["numerator"] == 1
    diff = client.get(f"/api/v1/iku/diff?period=2021-Q1&from={quote(submitted['as_of'])}",
                      headers=auth("inspektorat")).json
    assert [c["activity_id"] for c in diff["changes"]] == [q1_activity]
    then = client.get(f"/api/v1/iku?period=2021-Q1&as_of={quote(submitted['as_of'])}", headers=auth()).json
    assert "report" not in then  # the report was recorded after that instant


def test_submitting_a_period_twice_is_409_and_appends_nothing(client, auth, q1_activity, log):
    client.post("/api/v1/reports", headers=auth("pimpinan"), json={"period": "2021-Q1"})
    before = log()
    again = client.post("/api/v1/reports", headers=auth("pimpinan"), json={"period": "2021-Q1"})
    assert again.status_code == 409 and log() == before


def test_reopening_needs_a_submitted_period_and_a_reason_then_allows_resubmission(client, auth, q1_activity, log):
    before = log()
    assert client.post("/api/v1/reports/2021-Q2/reopening", headers=auth("pimpinan"),
                       json={"reason": "koreksi"}).status_code == 409
    assert log() == before
    client.post("/api/v1/reports", headers=auth("pimpinan"), json={"period": "2021-Q1"})
    before = log()
    assert client.post("/api/v1/reports/2021-Q1/reopening", headers=auth("pimpinan"), json={}).status_code == 422
    assert log() == before
    assert client.post("/api/v1/reports/2021-Q1/reopening", headers=auth("pimpinan"),
                       json={"reason": "Data kegiatan Maret terlambat"}).status_code == 201
    assert client.get("/api/v1/reports/2021-Q1", headers=auth()).json["status"] == "reopened"
    assert client.post("/api/v1/reports", headers=auth("pimpinan"), json={"period": "2021-Q1"}).status_code == 201
    history = client.get("/api/v1/reports/2021-Q1", headers=auth("inspektorat")).json
    assert [e["type"] for e in history["events"]] == ["ReportSubmitted", "ReportReopened", "ReportSubmitted"]


@pytest.mark.parametrize("role", ["protokol", "dokumentasi", "inspektorat"])
def test_only_pimpinan_and_admin_submit_reports(client, auth, log, role):
    response = client.post("/api/v1/reports", headers=auth(role), json={"period": "2021-Q1"})
    assert response.status_code == 403 and log() == []


def test_a_bad_period_is_422(client, auth, log):
    assert client.post("/api/v1/reports", headers=auth("pimpinan"), json={"period": "2021-Q5"}).status_code == 422
    assert client.get("/api/v1/reports/2021-Q5", headers=auth()).status_code == 422
    assert log() == []

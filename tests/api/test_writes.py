"""The writes of SPEC §6: each answers 201 {activity_id, version, recorded_at}."""
from datetime import datetime

import pytest

BASE = "/api/v1/activities"


def test_scheduling_answers_the_new_activity_and_its_first_version(client, auth):
    response = client.post(BASE, headers=auth("protokol"), json={
        "title": "Upacara Hari Jadi", "leaders": ["bupati"],
        "starts_at": "2021-01-01T07:00:00+07:00", "location": "Alun-alun", "scope": "dalam_daerah"})
    assert response.status_code == 201
    body = response.json
    assert set(body) >= {"activity_id", "version", "recorded_at"}
    assert body["version"] == 1
    assert datetime.fromisoformat(body["recorded_at"]).utcoffset() is not None
    assert response.headers["ETag"] == '"1"'


@pytest.mark.parametrize(("path", "role", "body"), [
    ("reschedule", "protokol", {"starts_at": "2021-03-02T09:00:00+07:00", "reason": "Pimpinan berhalangan"}),
    ("cancellation", "protokol", {"reason": "Acara ditunda"}),
    ("protocol", "protokol", {"officers": ["Ahmad Fauzi", "Siti Rahmawati"], "notes": "Lancar"}),
    ("documentation", "dokumentasi", {"media": "foto", "evidence_uri": "https://example.org/f/1.jpg",
                                      "evidence_sha256": "a" * 64}),
])
def test_each_fact_appends_the_next_version(client, auth, activity, path, role, body):
    response = client.post(f"{BASE}/{activity}/{path}", headers=auth(role), json=body)
    assert response.status_code == 201, response.json
    assert response.json["activity_id"] == activity
    assert response.json["version"] == 2


def test_a_retraction_corrects_an_entry_and_is_kept_in_history(client, auth, activity):
    served = client.post(f"{BASE}/{activity}/protocol", headers=auth("protokol"), json={"officers": ["Ani"]})
    response = client.post(f"{BASE}/{activity}/retractions", headers=auth("protokol"),
                           json={"version": served.json["version"], "reason": "Salah kegiatan"})
    assert response.status_code == 201
    state = client.get(f"{BASE}/{activity}", headers=auth("inspektorat")).json
    assert state["served"] is False
    assert state["protocol"][0]["retracted"] is True
    history = client.get(f"{BASE}/{activity}/history", headers=auth("inspektorat")).json
    assert [e["type"] for e in history["events"]] == ["ActivityScheduled", "ProtocolServed", "EntryRetracted"]
    assert history["events"][2]["data"] == {"retracted_version": 2, "reason": "Salah kegiatan"}


def test_events_carry_the_authenticated_actor_and_a_server_recorded_at(client, auth, activity):
    client.post(f"{BASE}/{activity}/documentation", headers=auth("dokumentasi"), json={"media": "video"})
    events = client.get(f"{BASE}/{activity}/history", headers=auth()).json["events"]
    assert [e["actor"] for e in events] == ["protokol.user", "dokumentasi.user"]
    assert events[0]["recorded_at"] < events[1]["recorded_at"]


def test_a_client_cannot_choose_recorded_at_or_actor(client, auth, log):
    before = log()
    response = client.post(BASE, headers=auth("protokol"), json={
        "title": "X", "leaders": ["bupati"], "starts_at": "2021-01-01T07:00:00+07:00",
        "location": "L", "scope": "dalam_daerah", "recorded_at": "2020-01-01T00:00:00Z",
        "actor": "someone.else"})
    assert response.status_code == 422
    assert set(response.json["errors"]["json"]) == {"recorded_at", "actor"}
    assert log() == before


def test_if_match_with_the_current_version_is_accepted(client, auth, activity):
    response = client.post(f"{BASE}/{activity}/protocol", headers=auth("protokol", **{"If-Match": '"1"'}),
                           json={"officers": ["Ani"]})
    assert response.status_code == 201


def test_if_match_with_a_past_version_is_a_conflict_and_appends_nothing(client, auth, activity, log):
    client.post(f"{BASE}/{activity}/protocol", headers=auth("protokol"), json={"officers": ["Ani"]})
    before = log()
    response = client.post(f"{BASE}/{activity}/cancellation", headers=auth("protokol", **{"If-Match": "1"}),
                           json={"reason": "batal"})
    assert response.status_code == 409
    assert log() == before


def test_a_repeated_post_with_the_same_idempotency_key_returns_the_first_response(client, auth, activity, log):
    headers = auth("dokumentasi", **{"Idempotency-Key": "doc-7f3a"})
    first = client.post(f"{BASE}/{activity}/documentation", headers=headers, json={"media": "foto"})
    after_first = log()
    again = client.post(f"{BASE}/{activity}/documentation", headers=headers, json={"media": "foto"})
    assert (again.status_code, again.json) == (first.status_code, first.json)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert log() == after_first


def test_the_same_idempotency_key_with_another_body_is_refused(client, auth, activity, log):
    headers = auth("dokumentasi", **{"Idempotency-Key": "doc-1"})
    client.post(f"{BASE}/{activity}/documentation", headers=headers, json={"media": "foto"})
    before = log()
    response = client.post(f"{BASE}/{activity}/documentation", headers=headers, json={"media": "video"})
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json["errors"]["headers"]
    assert log() == before


def test_idempotency_keys_belong_to_their_user(client, auth, activity, log):
    client.post(f"{BASE}/{activity}/protocol", headers=auth("protokol", **{"Idempotency-Key": "k"}),
                json={"officers": ["Ani"]})
    other = client.post(f"{BASE}/{activity}/protocol", headers=auth("admin", **{"Idempotency-Key": "k"}),
                        json={"officers": ["Budi"]})  # not the same fact: a new entry
    assert other.status_code == 201 and other.json["version"] == 3


def test_a_failed_write_is_not_remembered_under_its_idempotency_key(client, auth, activity):
    headers = auth("protokol", **{"Idempotency-Key": "retry-me"})
    bad = client.post(f"{BASE}/{activity}/protocol", headers=headers, json={"officers": []})
    assert bad.status_code == 422
    good = client.post(f"{BASE}/{activity}/protocol", headers=headers, json={"officers": ["Ani"]})
    assert good.status_code == 201


def test_what_is_stored_does_not_depend_on_the_entrypoint(client, auth, activity):
    """One service layer normalises every command: a digest in capitals from the API is kept
    in lower case, as the form always kept it; surrounding spaces go."""
    digest = "AB" * 32
    response = client.post(f"{BASE}/{activity}/documentation", headers=auth("dokumentasi"),
                           json={"media": "foto", "evidence_sha256": digest, "notes": "  dua foto  "})
    assert response.status_code == 201, response.json
    entry = client.get(f"{BASE}/{activity}", headers=auth()).json["documentation"][0]
    assert (entry["evidence_sha256"], entry["notes"]) == (digest.lower(), "dua foto")


@pytest.mark.parametrize("field", ["title", "location"])
def test_a_required_text_of_only_spaces_is_422_and_appends_nothing(client, auth, log, field):
    body = {"title": "Rapat", "leaders": ["bupati"], "starts_at": "2021-03-01T09:00:00+07:00",
            "location": "Pendopo", "scope": "dalam_daerah", field: "   "}
    response = client.post(BASE, headers=auth("protokol"), json=body)
    assert response.status_code == 422 and field in response.json["errors"]["json"], response.json
    assert log() == []

"""SPEC §6, §8: no or an unknown token is 401; a role that may not do a thing is 403 and
appends nothing."""
import pytest

BASE = "/api/v1/activities"
SCHEDULE = {"title": "Rapat", "leaders": ["bupati"], "starts_at": "2021-03-01T09:00:00+07:00",
            "location": "Pendopo", "scope": "dalam_daerah"}
READS = ["/api/v1/iku?period=2021", f"{BASE}?period=2021", "/api/v1/indicators"]

# (path under the activity or None for the collection, body, roles that may)
WRITES = [
    (None, SCHEDULE, {"admin", "protokol"}),
    ("reschedule", {"starts_at": "2021-03-02T09:00:00+07:00", "reason": "x"}, {"admin", "protokol"}),
    ("cancellation", {"reason": "x"}, {"admin", "protokol"}),
    ("protocol", {"officers": ["Ani"]}, {"admin", "protokol"}),
    ("documentation", {"media": "foto"}, {"admin", "dokumentasi"}),
]
ROLES = ["admin", "protokol", "dokumentasi", "pimpinan", "inspektorat"]


def url(activity, path):
    return BASE if path is None else f"{BASE}/{activity}/{path}"


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer nope", "Basic YWRtaW46YWRtaW4=", "iku_abc"])
def test_no_or_an_unknown_token_is_401(client, activity, log, header):
    headers = {} if header is None else {"Authorization": header}
    before = log()
    for path in READS + [f"{BASE}/{activity}", f"{BASE}/{activity}/history"]:
        response = client.get(path, headers=headers)
        assert response.status_code == 401 and response.json["code"] == 401
    for path, body, _ in WRITES:
        assert client.post(url(activity, path), headers=headers, json=body).status_code == 401
    assert log() == before


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_everything(client, auth, activity, role):
    for path in READS + [f"{BASE}/{activity}", f"{BASE}/{activity}/history"]:
        assert client.get(path, headers=auth(role)).status_code == 200, path


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("path", "body", "allowed"), WRITES, ids=lambda v: v if isinstance(v, str) else None)
def test_writes_follow_the_role_table(client, auth, activity, log, role, path, body, allowed):
    before = log()
    response = client.post(url(activity, path), headers=auth(role), json=body)
    if role in allowed:
        assert response.status_code == 201
    else:
        assert response.status_code == 403, response.json
        assert log() == before


@pytest.mark.parametrize(("entry", "recorder", "allowed"), [
    ("protocol", "protokol", {"admin", "protokol"}),
    ("documentation", "dokumentasi", {"admin", "dokumentasi"}),
])
@pytest.mark.parametrize("role", ROLES)
def test_who_may_retract_depends_on_what_is_retracted(client, auth, activity, log, entry, recorder, allowed, role):
    body = {"officers": ["Ani"]} if entry == "protocol" else {"media": "foto"}
    client.post(f"{BASE}/{activity}/{entry}", headers=auth(recorder), json=body)
    before = log()
    response = client.post(f"{BASE}/{activity}/retractions", headers=auth(role),
                           json={"version": 2, "reason": "salah"})
    if role in allowed:
        assert response.status_code == 201
    else:
        assert response.status_code == 403
        assert log() == before


def test_the_openapi_document_health_and_index_are_public(client):
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/health").json["status"] == "ok"
    assert client.get("/api/v1").json["openapi"] == "/api/v1/openapi.json"

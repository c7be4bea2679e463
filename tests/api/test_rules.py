"""Rules decided where the spec was silent (docs/RULES.md), through the API."""
import sqlite3
import threading

import pytest

BASE = "/api/v1/activities"


def test_protocol_service_may_be_recorded_before_the_activity_starts(client, auth):
    future = client.post(BASE, headers=auth("protokol"), json={
        "title": "Kunjungan Kerja", "leaders": ["bupati"], "starts_at": "2031-01-10T09:00:00+07:00",
        "location": "Puger", "scope": "dalam_daerah"}).json["activity_id"]
    response = client.post(f"{BASE}/{future}/protocol", headers=auth("protokol"), json={"officers": ["Tim aju"]})
    assert response.status_code == 201


@pytest.mark.parametrize(("field", "value"), [("title", "x" * 501), ("location", "x" * 501)])
def test_text_longer_than_its_limit_is_422(client, auth, log, field, value):
    body = {"title": "Rapat", "leaders": ["bupati"], "starts_at": "2021-03-01T09:00:00+07:00",
            "location": "Pendopo", "scope": "dalam_daerah", field: value}
    response = client.post(BASE, headers=auth("protokol"), json=body)
    assert response.status_code == 422 and field in response.json["errors"]["json"]
    assert log() == []


def test_an_if_match_ahead_of_the_activity_is_409(client, auth, activity, log):
    before = log()
    response = client.post(f"{BASE}/{activity}/protocol", headers=auth("protokol", **{"If-Match": "5"}),
                           json={"officers": ["Ani"]})
    assert response.status_code == 409
    assert log() == before


def test_concurrent_writers_on_one_activity_never_lose_or_duplicate_an_event(app, tokens, activity, log):
    """Eight writers with the same If-Match: exactly one wins, the others get 409."""
    barrier = threading.Barrier(8)
    statuses = []

    def write(i):
        client = app.test_client()
        barrier.wait()
        response = client.post(f"{BASE}/{activity}/protocol", json={"officers": [f"Petugas {i}"]},
                               headers={"Authorization": f"Bearer {tokens['protokol']}", "If-Match": "1"})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [201] + [409] * 7
    assert [n.originator_version for n in log()] == [1, 2]


def test_concurrent_writers_without_if_match_are_all_recorded_in_order(app, tokens, activity, log):
    """Without If-Match a writer that loses the race is told 409; whatever was acknowledged
    is in the log exactly once, with versions 1..n and no gap."""
    barrier = threading.Barrier(6)
    acknowledged = []

    def write(i):
        client = app.test_client()
        barrier.wait()
        response = client.post(f"{BASE}/{activity}/documentation", json={"media": "foto", "notes": f"foto {i}"},
                               headers={"Authorization": f"Bearer {tokens['dokumentasi']}"})
        assert response.status_code in (201, 409)
        if response.status_code == 201:
            acknowledged.append(response.json["version"])

    threads = [threading.Thread(target=write, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    versions = [n.originator_version for n in log()]
    assert versions == list(range(1, len(versions) + 1))
    assert sorted(acknowledged) == versions[1:]


def test_api_tokens_are_never_stored_in_plain_text(app, tokens, database):
    if database.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(database) as db:
            tables = [r[0] for r in db.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")]
            dump = "\n".join(str(db.execute(f'SELECT * FROM "{t}"').fetchall()) for t in tables)
    else:
        with sqlite3.connect(database) as db:
            dump = "\n".join(db.iterdump())
    assert "iku_users" in dump or "admin.user" in dump  # the users were dumped
    assert all(token not in dump for token in tokens.values())


def test_an_idempotent_resubmission_under_concurrency_appends_once(app, tokens, activity, log):
    barrier = threading.Barrier(8)
    answers = []

    def resubmit():
        client = app.test_client()
        barrier.wait()
        response = client.post(f"{BASE}/{activity}/documentation", json={"media": "video"}, headers={
            "Authorization": f"Bearer {tokens['dokumentasi']}", "Idempotency-Key": "retry-storm"})
        answers.append((response.status_code, response.json))

    threads = [threading.Thread(target=resubmit) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [n.originator_version for n in log()] == [1, 2]  # appended once
    assert [status for status, _ in answers] == [201] * 8  # every resubmission gets the first answer
    assert all(body == answers[0][1] for _, body in answers)

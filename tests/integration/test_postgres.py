"""The service on PostgreSQL (IKU_DATABASE=postgresql://…): eventsourcing's own recorder
cases on our subclasses, the core flows, recorded_at ordering, and repeatable as-of under
concurrent writers. (Running the whole suite on both stores is the scale-out issue's.)"""
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import psycopg
import pytest
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.tests.persistence import ApplicationRecorderTestCase, TrackingRecorderTestCase

from api import create_app
from api.services import Services
from domain.context import acting_as
from domain.store.clock import to_datetime
from domain.store.postgres import IKUPostgresApplicationRecorder
from projections.calculator import ReferenceCalculator
from projections.periods import Period
from projections.view_postgres import PostgresActivityView
from tests.conftest import log_of, wib


@pytest.fixture
def pg(postgres_database):
    svc = Services(postgres_database, "Asia/Jakarta")
    yield svc
    svc.close()


def figures(answer):
    return [(f.numerator, f.denominator, f.cancelled, f.breakdown) for f in answer.figures]


class OnPostgres:
    url: str

    def setUp(self):
        super().setUp()
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute("DROP SCHEMA public CASCADE")
            conn.execute("CREATE SCHEMA public")
        parts = urlsplit(self.url)
        self.datastore = PostgresDatastore(
            dbname=parts.path.lstrip("/"), host=parts.hostname, port=parts.port or 5432,
            user=parts.username or "postgres", password=parts.password or "", pool_size=4,
            max_overflow=8)

    def tearDown(self):
        self.datastore.close()
        super().tearDown()


@pytest.fixture(scope="class")
def postgres_for_class(request, postgres_url):
    request.cls.url = postgres_url


@pytest.mark.usefixtures("postgres_for_class")
class TestIKUPostgresRecorderWithTheLibrarysCases(OnPostgres, ApplicationRecorderTestCase):
    def create_recorder(self):
        recorder = IKUPostgresApplicationRecorder(self.datastore, events_table_name="iku_events")
        recorder.create_table()
        return recorder


@pytest.mark.usefixtures("postgres_for_class")
class TestPostgresViewTrackingWithTheLibrarysCases(OnPostgres, TrackingRecorderTestCase):
    def create_recorder(self):
        recorder = PostgresActivityView(self.datastore, tracking_table_name="iku_tracking")
        recorder.create_table()
        return recorder


def test_the_api_works_on_postgres(postgres_database):
    app = create_app({"IKU_DATABASE": postgres_database, "IKU_TIMEZONE": "Asia/Jakarta"})
    client = app.test_client()
    token = app.extensions["iku"].users.create("ani", "admin")
    headers = {"Authorization": f"Bearer {token}"}
    created = client.post("/api/v1/activities", headers=headers, json={
        "title": "Rapat", "leaders": ["bupati"], "starts_at": "2021-03-31T23:30:00+07:00",
        "location": "Pendopo", "scope": "dalam_daerah"}).json
    aid = created["activity_id"]
    assert client.post(f"/api/v1/activities/{aid}/protocol", headers=headers,
                       json={"officers": ["Ani"]}).status_code == 201
    replayed = [client.post(f"/api/v1/activities/{aid}/documentation",
                            headers={**headers, "Idempotency-Key": "k"}, json={"media": "foto"})
                for _ in range(2)]
    assert replayed[0].json == replayed[1].json and replayed[1].headers["Idempotent-Replayed"] == "true"
    assert client.post(f"/api/v1/activities/{aid}/protocol", headers={**headers, "If-Match": "1"},
                       json={"officers": ["Budi"]}).status_code == 409
    iku = client.get("/api/v1/iku?period=2021-Q1", headers=headers).json
    assert [(i["numerator"], i["denominator"]) for i in iku["indicators"]] == [(1, 1), (1, 1)]
    assert client.post(f"/api/v1/activities/{aid}/reschedule", headers=headers, json={
        "starts_at": "2021-04-01T00:30:00+07:00", "reason": "mundur"}).status_code == 201
    assert client.get("/api/v1/iku?period=2021-Q1", headers=headers).json["indicators"][0]["denominator"] == 0
    again = client.get(f"/api/v1/iku?period=2021-Q1&as_of={iku['as_of'].replace('+', '%2B')}", headers=headers).json
    assert again["indicators"] == iku["indicators"]
    history = client.get(f"/api/v1/activities/{aid}/history", headers=headers).json["events"]
    assert [e["type"] for e in history] == ["ActivityScheduled", "ProtocolServed", "Documented",
                                            "ActivityRescheduled"]
    app.extensions["iku"].close()


def test_recorded_at_strictly_increases_in_log_order_on_postgres(pg):
    def write(i):
        with acting_as(f"w{i}"):
            for _ in range(15):
                w = pg.agenda.schedule(title="Rapat", leaders=["bupati"], starts_at=wib(2021, 3, 1, 9),
                                       location="Pendopo", scope="dalam_daerah")
                pg.agenda.record_documentation(w.activity_id, media="foto")

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(write, range(4)))
    times = [n.recorded_at for n in log_of(pg.agenda)]
    assert len(times) == 120
    assert times == sorted(times) and len(set(times)) == len(times)


def test_the_view_on_postgres_equals_the_reference_replay_and_rebuilds_the_same(pg):
    rng = random.Random(5)
    ids = []
    with acting_as("petugas"):
        for i in range(60):
            if not ids or rng.random() < 0.4:
                ids.append(pg.agenda.schedule(
                    title=f"K{i}", leaders=rng.choice([["bupati"], ["wakil_bupati"], ["bupati", "wakil_bupati"]]),
                    starts_at=wib(2021, rng.choice((3, 4)), rng.randint(1, 28), 23, 30),
                    location="L", scope="dalam_daerah").activity_id)
                continue
            aid = rng.choice(ids)
            try:
                kind = rng.random()
                if kind < 0.3:
                    pg.agenda.record_protocol(aid, officers=["A"])
                elif kind < 0.6:
                    pg.agenda.record_documentation(aid, media=rng.choice(["foto", "video"]))
                elif kind < 0.75:
                    pg.agenda.reschedule(aid, starts_at=wib(2021, 3, 31, 23, 59), reason="r")
                elif kind < 0.85:
                    pg.agenda.cancel(aid, reason="r")
                else:
                    pg.agenda.retract(aid, version=rng.randint(2, 9), reason="r")
            except Exception as e:  # noqa: BLE001 - refused commands append nothing
                assert type(e).__module__ == "domain.exceptions", e
    times = [n.recorded_at for n in log_of(pg.agenda)]
    reference = ReferenceCalculator(pg.agenda, pg.zone)
    for label in ("2021-Q1", "2021-Q2", "2021-03", "2021"):
        for leader in (None, "bupati", "wakil_bupati"):
            for at in (None, to_datetime(times[len(times) // 2]), to_datetime(times[5] - 1)):
                answer = pg.calculator.compute(Period.parse(label), at, leader)
                assert figures(answer) == figures(reference.compute(Period.parse(label), answer.as_of, leader))
    before = pg.calculator.compute(Period.parse("2021"))
    pg.projector.rebuild()
    assert figures(pg.calculator.compute(Period.parse("2021"), before.as_of)) == figures(before)


def test_an_answered_as_of_query_keeps_its_answer_under_concurrent_writers_on_postgres(pg, postgres_database):
    def writer(seed):
        svc = Services(postgres_database, "Asia/Jakarta", create_tables=False)
        rng = random.Random(seed)
        with acting_as(f"writer-{seed}"):
            for _ in range(40):
                w = svc.agenda.schedule(title="Rapat", leaders=["bupati"],
                                        starts_at=wib(2021, 3, rng.randint(1, 28), 9),
                                        location="Pendopo", scope="dalam_daerah")
                svc.agenda.record_protocol(w.activity_id, officers=["Ani"])
        svc.close()

    writers = [threading.Thread(target=writer, args=(s,)) for s in range(3)]
    for w in writers:
        w.start()
    answered = []
    q1 = Period.parse("2021-Q1")
    while any(w.is_alive() for w in writers) or not answered:
        answer = pg.calculator.compute(q1, None, random.choice([None, "bupati"]))
        answered.append((answer.as_of, answer.leader, figures(answer)))
    for w in writers:
        w.join()
    assert len(log_of(pg.agenda)) == 3 * 40 * 2
    changed = [a for a in answered if figures(pg.calculator.compute(q1, a[0], a[1])) != a[2]]
    assert changed == []


class LaggingClock:
    simulated = False

    def now(self):
        from domain.store.clock import SystemClock

        return SystemClock().now() - 60_000_000


def test_nothing_is_recorded_at_or_before_an_instant_already_answered_on_postgres(pg):
    with acting_as("petugas"):
        pg.agenda.schedule(title="Rapat", leaders=["bupati"], starts_at=wib(2021, 3, 1, 9),
                           location="Pendopo", scope="dalam_daerah")
        answered, _ = pg.agenda.fix_as_of(None)
        pg.agenda.recorder.clock = LaggingClock()  # a writer whose clock is behind
        written = pg.agenda.schedule(title="Rapat", leaders=["bupati"], starts_at=wib(2021, 3, 1, 9),
                                     location="Pendopo", scope="dalam_daerah")
    assert written.recorded_at > answered


def test_the_hash_chain_verifies_and_locates_a_changed_event_on_postgres(pg, postgres_database):
    with acting_as("petugas"):
        for i in range(3):
            pg.agenda.schedule(title=f"Rapat {i}", leaders=["bupati"], starts_at=wib(2021, 3, 1, 9),
                               location="Pendopo", scope="dalam_daerah")
    pg.checkpoints.take()
    assert pg.checkpoints.verify().ok is True
    with psycopg.connect(postgres_database, autocommit=True) as conn:
        conn.execute("UPDATE iku_events SET state = overlay(state placing 'X'::bytea from 40 for 1) "
                     "WHERE notification_id = 2")
    result = pg.checkpoints.verify()
    assert (result.ok, result.first_bad_position) == (False, 2)


def test_a_lost_database_connection_is_503_or_retried_never_500_and_the_service_recovers(postgres_database):
    app = create_app({"IKU_DATABASE": postgres_database, "IKU_TIMEZONE": "Asia/Jakarta"})
    client = app.test_client()
    token = app.extensions["iku"].users.create("ani", "admin")
    headers = {"Authorization": f"Bearer {token}"}
    body = {"title": "Rapat", "leaders": ["bupati"], "starts_at": "2021-03-01T09:00:00+07:00",
            "location": "Pendopo", "scope": "dalam_daerah"}
    assert client.post("/api/v1/activities", headers=headers, json=body).status_code == 201
    name = postgres_database.rsplit("/", 1)[1]
    with psycopg.connect(postgres_database, autocommit=True) as admin:  # the connections are lost
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
    statuses = []
    for _ in range(4):
        response = client.post("/api/v1/activities", headers=headers, json=body)
        statuses.append(response.status_code)
        if response.status_code == 503:
            assert response.headers["Retry-After"] and response.json["code"] == 503
    assert set(statuses) <= {201, 503}
    assert statuses[-1] == 201  # recovered
    with psycopg.connect(postgres_database) as conn:
        stored = conn.execute("SELECT count(*) FROM iku_events").fetchone()[0]
    assert stored == 1 + statuses.count(201)  # nothing unacknowledged, nothing twice
    app.extensions["iku"].close()

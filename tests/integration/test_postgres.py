"""What only PostgreSQL has: eventsourcing's own recorder cases on our PostgreSQL
subclasses, and lost connections. The rest of the integration, API and property tests run on
both stores (the `database` fixture of tests/integration and tests/api)."""
import time
from urllib.parse import urlsplit

import psycopg
import pytest
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.tests.persistence import (
    ApplicationRecorderTestCase,
    NonInterleavingNotificationIDsBaseCase,
    TrackingRecorderTestCase,
)

from api import create_app
from domain.store.postgres import IKUPostgresApplicationRecorder
from projections.view_postgres import PostgresActivityView
from tests.conftest import scaffold_user
from tests.integration.test_library_recorder_cases import make_sealer


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


class OurRecorder(OnPostgres):
    def create_recorder(self):
        recorder = IKUPostgresApplicationRecorder(self.datastore, events_table_name="iku_events")
        recorder.sealer = make_sealer()  # every event is sealed by its writer
        recorder.create_table()
        return recorder


@pytest.mark.usefixtures("postgres_for_class")
class TestIKUPostgresRecorderWithTheLibrarysCases(OurRecorder, ApplicationRecorderTestCase):
    pass


@pytest.mark.usefixtures("postgres_for_class")
class TestIKUPostgresNotificationIdsDoNotInterleave(OurRecorder, NonInterleavingNotificationIDsBaseCase):
    pass


@pytest.mark.usefixtures("postgres_for_class")
class TestPostgresViewTrackingWithTheLibrarysCases(OnPostgres, TrackingRecorderTestCase):
    def create_recorder(self):
        recorder = PostgresActivityView(self.datastore, tracking_table_name="iku_tracking")
        recorder.create_table()
        return recorder


def test_a_lost_database_connection_is_503_or_retried_never_500_and_the_service_recovers(postgres_database):
    app = create_app({"IKU_DATABASE": postgres_database, "IKU_TIMEZONE": "Asia/Jakarta"})
    client = app.test_client()
    token = scaffold_user(app.extensions["iku"].users, "ani", "admin")
    headers = {"Authorization": f"Bearer {token}"}
    body = {"title": "Rapat", "leaders": ["bupati"], "starts_at": "2021-03-01T09:00:00+07:00",
            "location": "Pendopo", "scope": "dalam_daerah"}
    assert client.post("/api/v1/activities", headers=headers, json=body).status_code == 201
    before = app.extensions["iku"].agenda.recorder.max_notification_id()  # the user's account, and this
    name = postgres_database.rsplit("/", 1)[1]
    with psycopg.connect(postgres_database, autocommit=True) as admin:  # the connections are lost
        lost = admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE datname = %s AND pid <> pg_backend_pid()", (name,)).fetchall()
    assert lost and all(terminated for (terminated,) in lost)  # the service's connections did go
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
    assert stored == before + statuses.count(201)  # nothing unacknowledged, nothing twice
    app.extensions["iku"].close()


def _open_services(url, start, key):
    import os

    from api.bootstrap import Services

    os.environ["IKU_SIGNING_KEY"] = key
    start.wait(30)
    Services(url, "Asia/Jakarta").close()


def test_several_processes_starting_together_on_a_new_database_create_its_schema_once(postgres_database, tmp_path):
    """Gunicorn workers or hosts starting together: PostgreSQL refuses concurrent
    CREATE OR REPLACE FUNCTION ("tuple concurrently updated") unless creation is serialised."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    start = context.Event()
    key = str(tmp_path / "signing-key.pem")
    workers = [context.Process(target=_open_services, args=(postgres_database, start, key)) for _ in range(6)]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(timeout=120)
    with psycopg.connect(postgres_database) as conn:
        connections = conn.execute("SELECT count(*) FROM pg_stat_activity").fetchone()[0]
    assert [w.exitcode for w in workers] == [0] * 6, f"{connections} connections open"
    with psycopg.connect(postgres_database) as conn:
        tables = {t for (t,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert {"iku_events", "activity_versions", "iku_tree_checkpoints", "iku_cosignatures", "iku_users"} <= tables


def test_metrics_say_the_store_is_down_when_its_database_is_gone(postgres_url, tmp_path, monkeypatch):
    from prometheus_client.parser import text_string_to_metric_families

    monkeypatch.setenv("IKU_SIGNING_KEY", str(tmp_path / "signing-key.pem"))
    base, admin_url = postgres_url.rsplit("/", 1)[0], postgres_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS iku_test_gone WITH (FORCE)")
        admin.execute("CREATE DATABASE iku_test_gone")
        app = create_app({"IKU_DATABASE": f"{base}/iku_test_gone", "IKU_TIMEZONE": "Asia/Jakarta"})
        client = app.test_client()
        assert b"iku_store_up 1.0" in client.get("/metrics").data
        admin.execute("DROP DATABASE iku_test_gone WITH (FORCE)")  # the store is gone
        response = client.get("/metrics")
        assert response.status_code == 200  # the scrape itself works and says so
        samples = {s.name: s.value for f in text_string_to_metric_families(response.get_data(as_text=True))
                   for s in f.samples}
        assert {k: v for k, v in samples.items() if not k.startswith("iku_evidence_")} == {"iku_store_up": 0}
        started = time.monotonic()
        assert client.get("/api/v1/health").status_code == 503
        assert time.monotonic() - started < 15  # well before a proxy gives up (nginx: 60 s)
        app.extensions["iku"].close()


def test_iku_verify_runs_on_a_read_only_database(postgres_database):
    """A database whose transactions are read-only (SQLite: a read-only mount, test_disk.py)."""
    from click.testing import CliRunner

    from api.cli import main
    from api.bootstrap import Services
    from tests.conftest import schedule

    database = postgres_database
    services = Services(database, "Asia/Jakarta")
    schedule(services, 12)
    services.close()
    name = database.rsplit("/", 1)[1]
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute(f"ALTER DATABASE {name} SET default_transaction_read_only = on")
    try:
        result = CliRunner().invoke(main, ["verify"], env={"IKU_DATABASE": database})
        assert result.exit_code == 0, result.output
        assert "utuh: 12 peristiwa, ukuran pohon 12," in result.stdout and "; 12 titik periksa cocok" in result.stdout
    finally:
        with psycopg.connect(database, autocommit=True) as conn:
            conn.execute("SET default_transaction_read_only = off")
            conn.execute(f"ALTER DATABASE {name} RESET default_transaction_read_only")

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

import pytest

from api import catalog, create_app
from api.bootstrap import Services
from api.config import Config
from domain.context import acting_as

WIB = timezone(timedelta(hours=7), "WIB")
ROLES = ("admin", "protokol", "dokumentasi", "pimpinan", "inspektorat")


def wib(*args) -> datetime:
    return datetime(*args, tzinfo=WIB)


def schedule(services, n: int) -> None:
    """n activities ("Rapat 0", "Rapat 1", …) on 1, 2, … March 2021, by protokol.ani."""
    with acting_as("protokol.ani"):
        for i in range(n):
            services.agenda.schedule(title=f"Rapat {i}", leaders=["bupati"], starts_at=wib(2021, 3, 1 + i, 9),
                                     location="Pendopo", scope="dalam_daerah")


@pytest.fixture(autouse=True)
def audit_settings(tmp_path, monkeypatch):
    """Each test has its own log signing key (outside its database's folder), and signs a
    checkpoint after every write (no timer threads)."""
    monkeypatch.setenv("IKU_SIGNING_KEY", str(tmp_path / "keys" / "log-signing-key.pem"))
    monkeypatch.setenv("IKU_CHECKPOINT_INTERVAL", "0")
    for name in ("IKU_LOG_KEYS", "IKU_WITNESS_KEYS", "IKU_LOG_ORIGIN"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def cli_language(monkeypatch):
    """Each test starts with the command line in its default language (Bahasa Indonesia):
    a command run in the test process chooses a language for the process (and LANGUAGE,
    which click and argparse read), and that choice ends with the test."""
    monkeypatch.delenv("IKU_LANGUAGE", raising=False)
    monkeypatch.delenv("LANGUAGE", raising=False)
    yield
    catalog.choose("id")  # before monkeypatch gives LANGUAGE back


@pytest.fixture
def english(monkeypatch):
    """The command line and the inspector in English, as an operator may choose
    (IKU_LANGUAGE=en): for the tests that read their English messages."""
    monkeypatch.setenv("IKU_LANGUAGE", "en")
    catalog.choose("en")


def sealed(agenda, *, create: bool = True):
    """An Agenda a test opens itself seals its events with the test's log key (the autouse
    IKU_SIGNING_KEY), as the service's processes do (api/bootstrap.py)."""
    from projections.audit.checkpoints import DEFAULT_ORIGIN
    from projections.audit.seals import seal_with_key

    return seal_with_key(agenda, os.environ["IKU_SIGNING_KEY"], DEFAULT_ORIGIN, create=create)


@pytest.fixture
def database(tmp_path) -> str:
    return str(tmp_path / "iku.sqlite3")


def either_store(request, tmp_path) -> str:
    """A SQLite file or the session's PostgreSQL database (emptied), by the fixture's param:
    the integration and API suites run on both stores."""
    if request.param == "sqlite":
        return str(tmp_path / "iku.sqlite3")
    return request.getfixturevalue("postgres_database")


@pytest.fixture
def services(database, tmp_path):
    svc = Services(config=Config.from_environment(database=database, timezone="Asia/Jakarta",
                                                  evidence_dir=tmp_path / "evidence"))
    yield svc
    svc.close()


@pytest.fixture
def agenda(services):
    return services.agenda


@pytest.fixture
def as_officer():
    with acting_as("petugas.test"):
        yield "petugas.test"


@pytest.fixture
def app(database, tmp_path):
    app = create_app({"IKU_DATABASE": database, "IKU_TIMEZONE": "Asia/Jakarta", "TESTING": True,
                      "IKU_EVIDENCE_DIR": str(tmp_path / "evidence")})
    yield app
    app.extensions["iku"].close()


@pytest.fixture
def client(app):
    return app.test_client()


def scaffold_user(users, name: str, role: str, password: str | None = None) -> str:
    """A user for a test's requests, made as the operator makes one (`iku users create`):
    the account is in the log, whose access is what a request obeys. `log_of` leaves the
    account events out, so a test still sees only the records it wrote itself."""
    return users.create(name, role, password=password, token=True, reason="pengguna uji", by="system:cli")


def ensure_accounts(services, **roles: str) -> None:
    """The accounts, in the log, of the actors a test writes as (the witness and
    verify-export hold every event to its actor's role then): name=role."""
    for name, role in roles.items():
        name = name.replace("__", ".")
        if services.users.get(name) is None:
            services.users.create(name, role, token=False, reason="pengguna uji", by="system:cli")


@pytest.fixture
def tokens(app) -> dict[str, str]:
    users = app.extensions["iku"].users
    return {role: scaffold_user(users, f"{role}.user", role) for role in ROLES}


@pytest.fixture
def auth(tokens):
    def headers(role: str = "admin", **extra) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[role]}", **extra}

    return headers


def whole_log(agenda) -> list:
    return list(agenda.recorder.select_notifications(start=None, limit=10**9))


def log_of(agenda) -> list:
    """The log of the records (activities, targets, reports), to check that a refused
    request appended nothing: the users' account events that the fixtures making users
    write are left out (the users' own tests read `whole_log`)."""
    return [n for n in whole_log(agenda) if ".accounts:" not in n.topic]


records_of = log_of


@pytest.fixture
def cli_env(database, monkeypatch):
    monkeypatch.setenv("IKU_DATABASE", database)
    monkeypatch.setenv("IKU_TIMEZONE", "Asia/Jakarta")
    return dict(os.environ)


# PostgreSQL ------------------------------------------------------------------------------
# A database is created for the test session on the machine's PostgreSQL and dropped after.
# Without a reachable PostgreSQL these tests skip, unless IKU_REQUIRE_POSTGRES=1 (as in CI).

POSTGRES_ADMIN_URL = os.environ.get("IKU_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session")
def postgres_url():
    import uuid

    import psycopg

    try:
        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as e:
        if os.environ.get("IKU_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"IKU_REQUIRE_POSTGRES=1 but PostgreSQL is not reachable: {e}")
        pytest.skip(f"no PostgreSQL reachable at {POSTGRES_ADMIN_URL} ({e})")
    name = f"iku_test_{uuid.uuid4().hex[:12]}"
    admin.execute(f"CREATE DATABASE {name}")
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.close()


@pytest.fixture
def postgres_database(postgres_url, monkeypatch, tmp_path):
    """The session's PostgreSQL database, emptied for this test."""
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as conn:
        # Connections left by earlier tests' pools (not yet collected) would count against
        # max_connections: end them.
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    return postgres_url


class RawSQL:
    """Plain SQL on either store, beneath the service, as a tamperer (or a test) would use it.
    Statements use `?` placeholders, `{position}` for the log's position column, and name
    the events table `stored_events` (SQLite's name; PostgreSQL's is `iku_events`)."""

    def __init__(self, database: str):
        self.postgres = database.startswith("postgresql")
        if self.postgres:
            import psycopg

            self.conn = psycopg.connect(database, autocommit=True)
        else:
            import sqlite3

            self.conn = sqlite3.connect(database, isolation_level=None)

    def execute(self, statement: str, params=()) -> list[tuple]:
        statement = statement.replace("{position}", "notification_id" if self.postgres else "rowid")
        if self.postgres:
            statement = statement.replace("?", "%s").replace("stored_events", "iku_events")
        cursor = self.conn.execute(statement, params)
        return cursor.fetchall() if cursor.description else []

    def close(self):
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

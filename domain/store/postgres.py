"""PostgreSQL persistence for the IKU service, by subclassing eventsourcing's recorders.

The same rules as on SQLite (domain/store/sqlite.py): `recorded_at` is a column of the
events table, computed by the INSERT after the library's `LOCK TABLE … IN EXCLUSIVE MODE`
(which orders notification ids), as max(clock, last + 1 µs, horizon + 1 µs), and one more
microsecond for each further event of the same save; the as-of horizon is moved under the
same lock; idempotency keys are written in the transaction of their events.

Beyond the library: tables are created one process at a time (an advisory lock), pooled
connections are pinged only when idle, and a database that cannot be reached fails requests
fast (docs/OPERATIONS.md). The whole test suite runs on this store too. POSTGRES_SCHEMA
other than `public` is not supported: the side tables use unqualified names.
"""
from __future__ import annotations

import weakref
from collections.abc import Sequence
from contextlib import contextmanager
from time import monotonic
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError, InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import (
    ConnectionPool,
    PostgresApplicationRecorder,
    PostgresDatastore,
    PostgresFactory,
)
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

from .clock import SystemClock
from .extensions import IKURecorderMixin, StoreFactory
from .tree import AUDIT_TABLES_POSTGRES, MerkleMixin
from .records import Position


class PostgresDialect:
    paramstyle_qmark = False

    def id_param(self, originator_id: UUID) -> Any:
        return originator_id

    def tuple_rows(self, c) -> None:
        c.row_factory = tuple_row

    def fetch_one(self, statement: str, params=()):
        """One statement needs no BEGIN and ROLLBACK: it runs on its own (autocommit), one
        round trip instead of three."""
        with self.datastore.get_connection() as conn:
            return conn.execute(self.sql(statement), params).fetchone()


# Any number of 64-bit integer: the advisory lock that serialises schema creation.
SCHEMA_LOCK = 0x494B55_534348  # "IKU" "SCH"


class SerialisedSchema:
    """Creating tables and functions one process at a time. PostgreSQL refuses concurrent
    `CREATE OR REPLACE FUNCTION` ("tuple concurrently updated") and concurrent creations of
    one table, as when several workers or hosts start on a new database together."""

    def create_table(self) -> None:
        # The library creates its composite type first, in a transaction of its own, and
        # suppresses only DuplicateObject: a process racing another there gets a unique
        # violation on pg_type instead. Every statement is idempotent, so try again.
        for attempt in range(3):
            try:
                return super().create_table()
            except IntegrityError:
                if attempt == 2:
                    raise

    def _create_table(self, curs) -> None:
        curs.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
        super()._create_table(curs)


class IKUPostgresApplicationRecorder(PostgresDialect, IKURecorderMixin, MerkleMixin, SerialisedSchema,
                                     PostgresApplicationRecorder):
    clock: Any = SystemClock()
    position_column = "notification_id"

    def __init__(self, datastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        schema, table = datastore.schema, events_table_name
        self.events_table = f"{schema}.{table}"
        ident = {"schema": Identifier(schema), "table": Identifier(table)}
        self.sql_create_statements[self.create_table_statement_index] = SQL(
            "CREATE TABLE IF NOT EXISTS {schema}.{table} ("
            "originator_id uuid NOT NULL, originator_version bigint NOT NULL, topic text, "
            "state bytea, notification_id bigserial, recorded_at bigint NOT NULL, tree bytea, seal bytea, "
            "PRIMARY KEY (originator_id, originator_version))"
        ).format(**ident)
        self.sql_create_statements.extend(SQL(s) for s in (
            "CREATE TABLE IF NOT EXISTS iku_horizon ("
            "id integer PRIMARY KEY CHECK (id = 1), answered_until bigint NOT NULL)",
            "INSERT INTO iku_horizon VALUES (1, 0) ON CONFLICT DO NOTHING",
            "CREATE TABLE IF NOT EXISTS iku_meta (key text PRIMARY KEY, value text NOT NULL)",
            "CREATE TABLE IF NOT EXISTS iku_idempotency ("
            "actor text NOT NULL, key text NOT NULL, fingerprint text NOT NULL, "
            "originator_id uuid NOT NULL, originator_version bigint NOT NULL, "
            "PRIMARY KEY (actor, key))",
            *AUDIT_TABLES_POSTGRES,
        ))
        # Run after the library's LOCK TABLE, in the same transaction: the head, then the
        # events with their positions, recorded_at and tree columns computed from it.
        self.head_statement = SQL(
            "SELECT coalesce(max(notification_id), 0), "
            "coalesce((SELECT recorded_at FROM {schema}.{table} ORDER BY notification_id DESC LIMIT 1), 0), "
            "(SELECT answered_until FROM iku_horizon WHERE id = 1) FROM {schema}.{table}"
        ).format(**ident)
        self.insert_events_statement = SQL(
            "INSERT INTO {schema}.{table} "
            "(notification_id, originator_id, originator_version, topic, state, recorded_at, tree, seal) "
            "SELECT * FROM unnest(%s::bigint[], %s::uuid[], %s::bigint[], %s::text[], %s::bytea[], "
            "%s::bigint[], %s::bytea[], %s::bytea[]) RETURNING notification_id, recorded_at"
        ).format(**ident)

    @contextmanager
    def write(self):
        with self.datastore.transaction(commit=True) as c:
            for statement in self.lock_table_statements:
                c.execute(statement)
            yield c

    def _insert_stored_events(self, curs, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        # The library commits what was inserted when a Python exception is raised after the
        # INSERT (it re-raises after its transaction), so all that may fail is done before it.
        self.check_also(kwargs.get("also"))
        self._lock_table(curs)
        with curs.connection.cursor() as c:
            c.row_factory = tuple_row
            c.execute(self.head_statement)
            last_position, last_recorded_at, horizon = c.fetchone()
            rows = self._rows(c, last_position, last_recorded_at, horizon, stored_events)
        self._notify_channel(curs)
        columns = list(zip(*(
            (position, s.originator_id, s.originator_version, s.topic, s.state, recorded_at, tree, seal)
            for (position, recorded_at, tree, seal), s in zip(rows, stored_events, strict=True))))
        curs.execute(self.insert_events_statement, [list(column) for column in columns])

    def _fetch_ids_after_insert_events(self, curs, stored_events, **kwargs: Any):
        positions = [Position(row["notification_id"], row["recorded_at"]) for row in curs.fetchall()]
        claim, also = kwargs.get("idempotency"), kwargs.get("also")
        if claim is not None or also:
            # After the events, in their transaction, on a cursor of its own (the first holds
            # the ids). Synced here so that a reused key fails as a unique violation, not as
            # an aborted pipeline further on.
            with curs.connection.cursor() as remember, curs.connection.pipeline():
                self._remember(remember, claim, stored_events)
                self._also(remember, also)
        return positions


# A pooled connection idle for longer than this is pinged before use (POSTGRES_PRE_PING);
# one returned more recently is used at once. After any failed operation the whole pool is
# checked (`check_pool`), so that one lost connection costs at most one 503.
PING_AFTER_IDLE = 1.0  # seconds
_returned_at: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _ping_if_idle(conn) -> None:
    if monotonic() - _returned_at.get(conn, 0.0) > PING_AFTER_IDLE:
        ConnectionPool.check_connection(conn)


def _note_return(conn) -> None:
    _returned_at[conn] = monotonic()


# When no connection could be had, the database is taken as down for this long: the
# library's own retries (10 attempts, 0.2 s apart) then fail at once instead of each waiting
# POSTGRES_CONNECT_TIMEOUT, so a request gets its 503 in seconds, not in a minute.
DOWN_FOR = 3.0  # seconds


class FailFastDatastore(PostgresDatastore):
    _down_until = 0.0

    @contextmanager
    def get_connection(self):
        if monotonic() < self._down_until:
            raise OperationalError("the database could not be reached moments ago")
        connected = False
        try:
            with super().get_connection() as conn:
                connected = True
                yield conn
        except (OperationalError, InterfaceError):
            if not connected:
                self._down_until = monotonic() + DOWN_FOR
            raise


class IKUPostgresFactory(StoreFactory, PostgresFactory):
    store = "postgres"
    application_recorder_class = IKUPostgresApplicationRecorder

    def __init__(self, env):
        super().__init__(env)
        self.datastore.__class__ = FailFastDatastore  # the library builds the datastore itself
        pool = self.datastore.pool
        if self.datastore.pre_ping:  # ping idle connections only: a round trip less per use
            pool._check, pool._reset = _ping_if_idle, _note_return

    def check_pool(self) -> None:
        """Replace the pool's broken connections (after a lost connection)."""
        self.datastore.pool.check()


"""SQLite persistence for the IKU service, by subclassing eventsourcing's recorders.

- `recorded_at` is a column of `stored_events`, computed by the INSERT itself. SQLite takes
  the write lock at the start of a write statement, so the sub-selects in it read the last
  committed row under that lock: recorded_at = max(clock, last + 1 µs, horizon + 1 µs) is
  strictly increasing in notification-id (commit) order, whatever the clocks of the writers.
- `iku_horizon` holds the latest as-of instant the service has answered beyond the last
  recorded event. A writer always records after it, so an answered as-of query never
  changes (SPEC §5, repeatable as-of).
- Idempotency keys are inserted in the same transaction as the events they acknowledge.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    IntegrityError,
    InterfaceError,
    OperationalError,
    PersistenceError,
    StoredEvent,
)
from eventsourcing.sqlite import (
    SQLITE3_DEFAULT_LOCK_TIMEOUT,
    SQLiteApplicationRecorder,
    SQLiteConnection,
    SQLiteConnectionPool,
    SQLiteCursor,
    SQLiteFactory,
    SQLiteRecorder,
)

from .clock import SystemClock
from .extensions import IKURecorderMixin, StoreFactory
from .tree import AUDIT_TABLES_SQLITE, MerkleMixin
from .records import IdempotencyClaim, Position, RecordedNotification


@contextmanager
def immediate_transaction(datastore) -> Iterator[sqlite3.Cursor]:
    """A write transaction that takes SQLite's write lock at BEGIN.

    The library's transactions begin DEFERRED; a read-then-write in one of those can fail at
    once with "database is locked" when another process wrote in between.
    """
    with datastore.get_connection(commit=True) as conn:
        cursor = conn._sqlite_conn.cursor()
        try:
            cursor.execute("BEGIN IMMEDIATE")
            yield cursor
            conn.commit()
        except sqlite3.IntegrityError as e:
            conn.rollback()
            raise IntegrityError(e) from e
        except sqlite3.OperationalError as e:
            conn.rollback()
            raise OperationalError(e) from e
        except sqlite3.Error as e:
            conn.rollback()
            raise PersistenceError(e) from e
        except BaseException:
            conn.rollback()
            raise
        finally:
            cursor.close()


class ImmediateCreate(SQLiteRecorder):
    """Create tables under the write lock. In the library's deferred transaction a
    `CREATE TABLE IF NOT EXISTS` on an existing table is a read, and a write after it fails
    at once with "database is locked" when another process wrote in between."""

    def create_table(self) -> None:
        with immediate_transaction(self.datastore) as c:
            self._create_table(c)


class ImmediateInsert:
    """Events are appended in a transaction that takes SQLite's write lock at BEGIN, so that
    the head and the horizon are read under the lock that orders positions."""

    def insert_events(self, stored_events, **kwargs):
        with immediate_transaction(self.datastore) as c:
            return self._insert_events(c, stored_events, **kwargs)


class IKUSQLiteApplicationRecorder(IKURecorderMixin, MerkleMixin, ImmediateInsert, ImmediateCreate,
                                   SQLiteApplicationRecorder):
    clock: Any = SystemClock()
    position_column = "rowid"

    def __init__(self, datastore, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name)
        t = self.events_table = self.events_table_name
        self.head_statement = (
            "SELECT coalesce(e.rowid, 0), coalesce(e.recorded_at, 0), h.answered_until "
            f"FROM iku_horizon h LEFT JOIN (SELECT rowid, recorded_at FROM {t} ORDER BY rowid DESC LIMIT 1) e "
            "WHERE h.id = 1")
        self.insert_events_statement = (
            f"INSERT INTO {t} (rowid, originator_id, originator_version, topic, state, recorded_at, tree, seal) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        # An event whose head this process knows (it committed the last append): inserted only
        # if that is still the head — nothing appended since, the horizon where it was.
        self.insert_after_statement = (
            f"INSERT INTO {t} (rowid, originator_id, originator_version, topic, state, recorded_at, tree, seal) "
            f"SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE (SELECT coalesce(max(rowid), 0) FROM {t}) = ? "
            "AND (SELECT answered_until FROM iku_horizon WHERE id = 1) = ?")

    def construct_create_table_statements(self) -> list[str]:
        t = self.events_table_name
        return [
            f"CREATE TABLE IF NOT EXISTS {t} ("
            "originator_id TEXT, originator_version INTEGER, topic TEXT, state BLOB, "
            "recorded_at INTEGER NOT NULL, tree BLOB, seal BLOB, "
            "PRIMARY KEY (originator_id, originator_version))",
            "CREATE TABLE IF NOT EXISTS iku_horizon ("
            "id INTEGER PRIMARY KEY CHECK (id = 1), answered_until INTEGER NOT NULL)",
            "INSERT OR IGNORE INTO iku_horizon VALUES (1, 0)",
            "CREATE TABLE IF NOT EXISTS iku_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS iku_idempotency ("
            "actor TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, "
            "originator_id TEXT NOT NULL, originator_version INTEGER NOT NULL, "
            "PRIMARY KEY (actor, key))",
            *AUDIT_TABLES_SQLITE,
        ]

    def write(self):
        return immediate_transaction(self.datastore)

    def _insert_events(
        self,
        c: SQLiteCursor,
        stored_events: Sequence[StoredEvent],
        **kwargs: Any,
    ) -> Sequence[int] | None:
        if not stored_events:
            return []
        self.check_also(kwargs.get("also"))
        known, rows = self._committed, None
        if len(stored_events) == 1 and known is not None:
            # Most writes: one event after this process's own last append. The head need not
            # be read if it is still that one (checked by the INSERT itself, under the lock).
            rows = self._rows(c, known.size, known.recorded_at, known.horizon, stored_events)
            c.execute(self.insert_after_statement, (*self._values(rows, stored_events)[0], known.size, known.horizon))
            if c.rowcount != 1:
                rows = None  # another process appended, or moved the horizon: as below
        if rows is None:
            c.execute(self.head_statement)  # under the write lock (ImmediateInsert)
            last_position, last_recorded_at, horizon = c.fetchone()
            rows = self._rows(c, last_position, last_recorded_at, horizon, stored_events)
            values = self._values(rows, stored_events)
            if len(values) == 1:  # most writes: execute costs less than executemany
                c.execute(self.insert_events_statement, values[0])
            else:
                c.executemany(self.insert_events_statement, values)
        self._remember(c, kwargs.get("idempotency"), stored_events)
        self._also(c, kwargs.get("also"))
        return [Position(position, recorded_at) for position, recorded_at, _tree, _seal in rows]

    @staticmethod
    def _values(rows, stored_events) -> list[tuple]:
        return [(position, s.originator_id.hex if isinstance(s.originator_id, UUID) else s.originator_id,
                 s.originator_version, s.topic, s.state, recorded_at, tree, seal)
                for (position, recorded_at, tree, seal), s in zip(rows, stored_events, strict=True)]


# Prepared statements each connection keeps. The library opens its connections with
# `cached_statements=True`, which sqlite3 reads as 1: every statement but the last one is
# prepared again, and a write runs four (BEGIN IMMEDIATE, the insert, the idempotency row,
# COMMIT) — a fifth of an append's time (docs/PERFORMANCE.md).
STATEMENTS_KEPT = 128


class StatementCachingPool(SQLiteConnectionPool):
    """The library's pool of connections, each keeping its prepared statements (the
    library's `_create_connection` of 9.5.6, with a cache of STATEMENTS_KEPT)."""

    def _create_connection(self) -> SQLiteConnection:
        try:
            c = sqlite3.connect(database=self.db_name, uri=True, check_same_thread=False, isolation_level=None,
                                cached_statements=STATEMENTS_KEPT,
                                timeout=self.lock_timeout or SQLITE3_DEFAULT_LOCK_TIMEOUT)
        except (sqlite3.Error, TypeError) as e:
            raise InterfaceError(e) from e
        if not self.is_sqlite_memory_mode and not self.is_journal_mode_wal:
            cursor = c.cursor()
            cursor.execute("PRAGMA journal_mode;")
            if cursor.fetchone()[0].lower() != "wal":
                cursor.execute("PRAGMA journal_mode=WAL;")
                self.journal_mode_was_changed_to_wal = True
            self.is_journal_mode_wal = True
        c.row_factory = sqlite3.Row
        return SQLiteConnection(sqlite_conn=c, max_age=self.max_age)


class IKUSQLiteFactory(StoreFactory, SQLiteFactory):
    store = "sqlite"
    application_recorder_class = IKUSQLiteApplicationRecorder

    def __init__(self, env):
        super().__init__(env)
        self.datastore.pool.__class__ = StatementCachingPool  # the library builds the pool itself


__all__ = [
    "IKUSQLiteApplicationRecorder",
    "IKUSQLiteFactory",
    "IdempotencyClaim",
    "Position",
    "RecordedNotification",
    "immediate_transaction",
]

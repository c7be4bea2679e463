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
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    IntegrityError,
    Notification,
    OperationalError,
    PersistenceError,
    StoredEvent,
)
from eventsourcing.sqlite import (
    SQLiteApplicationRecorder,
    SQLiteCursor,
    SQLiteFactory,
    SQLiteRecorder,
)

from .clock import SystemClock


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


class Position(int):
    """A notification id that also knows the recorded_at the store gave its event, so a
    write can be acknowledged without reading it back."""

    recorded_at: int

    def __new__(cls, notification_id: int, recorded_at: int):
        position = super().__new__(cls, notification_id)
        position.recorded_at = recorded_at
        return position


@dataclass(frozen=True)
class RecordedNotification(Notification):
    """A notification with its transaction time and its position in the log."""

    recorded_at: int = 0


@dataclass(frozen=True)
class IdempotencyClaim:
    actor: str
    key: str
    fingerprint: str


class IKUSQLiteApplicationRecorder(ImmediateCreate, SQLiteApplicationRecorder):
    clock: Any = SystemClock()

    def __init__(self, datastore, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name)
        t = self.events_table_name
        self.insert_events_statement = (
            f"INSERT INTO {t} (originator_id, originator_version, topic, state, recorded_at) "
            "VALUES (?, ?, ?, ?, max(?, "
            f"coalesce((SELECT recorded_at FROM {t} ORDER BY rowid DESC LIMIT 1), 0) + 1, "
            "coalesce((SELECT answered_until FROM iku_horizon WHERE id = 1), 0) + 1)) "
            "RETURNING rowid, recorded_at"
        )

    def construct_create_table_statements(self) -> list[str]:
        t = self.events_table_name
        return [
            f"CREATE TABLE IF NOT EXISTS {t} ("
            "originator_id TEXT, originator_version INTEGER, topic TEXT, state BLOB, "
            "recorded_at INTEGER NOT NULL, "
            "PRIMARY KEY (originator_id, originator_version))",
            "CREATE TABLE IF NOT EXISTS iku_horizon ("
            "id INTEGER PRIMARY KEY CHECK (id = 1), answered_until INTEGER NOT NULL)",
            "INSERT OR IGNORE INTO iku_horizon VALUES (1, 0)",
            "CREATE TABLE IF NOT EXISTS iku_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS iku_idempotency ("
            "actor TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, "
            "notification_id INTEGER NOT NULL, PRIMARY KEY (actor, key))",
        ]

    # Writing ---------------------------------------------------------------------------

    def _insert_events(
        self,
        c: SQLiteCursor,
        stored_events: Sequence[StoredEvent],
        **kwargs: Any,
    ) -> Sequence[int] | None:
        clock_now = self.clock.now()
        returning = []
        for s in stored_events:
            originator_id = s.originator_id
            c.execute(
                self.insert_events_statement,
                (
                    originator_id.hex if isinstance(originator_id, UUID) else originator_id,
                    s.originator_version,
                    s.topic,
                    s.state,
                    clock_now,
                ),
            )
            returning.append(Position(*c.fetchone()))
        claim: IdempotencyClaim | None = kwargs.get("idempotency")
        if claim is not None and returning:
            c.execute(
                "INSERT INTO iku_idempotency VALUES (?, ?, ?, ?)",
                (claim.actor, claim.key, claim.fingerprint, returning[-1]),
            )
        return returning

    # Reading ---------------------------------------------------------------------------

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[RecordedNotification]:
        notifications = super().select_notifications(
            start, limit, stop, topics, inclusive_of_start=inclusive_of_start
        )
        if not notifications:
            return []
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT rowid, recorded_at FROM {self.events_table_name} "
                "WHERE rowid BETWEEN ? AND ?",
                (notifications[0].id, notifications[-1].id),
            )
            times = dict(c.fetchall())
        return [
            RecordedNotification(**n.__dict__, recorded_at=times[n.id]) for n in notifications
        ]

    def select_rows(self, after: int, stop: int, limit: int) -> list[tuple]:
        """Plain rows (position, originator id hex, version, topic, state, recorded_at):
        the projector's fast path, with no object per notification."""
        with self.datastore.transaction(commit=False) as c:
            c.sqlite_cursor.row_factory = None  # plain tuples
            c.execute(
                "SELECT rowid, originator_id, originator_version, topic, state, recorded_at "
                f"FROM {self.events_table_name} WHERE rowid > ? AND rowid <= ? "
                "ORDER BY rowid LIMIT ?",
                (after, stop, limit),
            )
            return c.fetchall()

    def select_recorded_events(
        self, originator_id: UUID, *, recorded_until: int | None = None
    ) -> list[RecordedNotification]:
        """One activity's events in version order, each with position and recorded_at."""
        statement = (
            f"SELECT rowid, * FROM {self.events_table_name} WHERE originator_id = ? "
        )
        params: list[Any] = [originator_id.hex]
        if recorded_until is not None:
            statement += "AND recorded_at <= ? "
            params.append(recorded_until)
        statement += "ORDER BY originator_version"
        with self.datastore.transaction(commit=False) as c:
            c.execute(statement, params)
            return [self._recorded(row) for row in c.fetchall()]

    def _recorded(self, row) -> RecordedNotification:
        return RecordedNotification(
            id=row["rowid"],
            originator_id=self.convert_originator_id(row["originator_id"]),
            originator_version=row["originator_version"],
            topic=row["topic"],
            state=row["state"],
            recorded_at=row["recorded_at"],
        )

    def recorded_at_of(self, notification_id: int) -> int:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT recorded_at FROM {self.events_table_name} WHERE rowid = ?",
                (notification_id,),
            )
            return c.fetchone()[0]

    def find_idempotency(self, actor: str, key: str) -> tuple[str, int, UUID, int] | None:
        """(fingerprint, notification id, activity id, version) of a remembered write."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT i.fingerprint, i.notification_id, e.originator_id, "
                f"e.originator_version FROM iku_idempotency i JOIN {self.events_table_name} e "
                "ON e.rowid = i.notification_id WHERE i.actor = ? AND i.key = ?",
                (actor, key),
            )
            row = c.fetchone()
        if row is None:
            return None
        return row[0], row[1], self.convert_originator_id(row[2]), row[3]

    # The as-of horizon -------------------------------------------------------------------

    def fix_as_of(self, requested: int, now: int) -> tuple[int, int]:
        """Fix the instant a query is answered at, so no later write can change the answer.

        Returns (as_of, position): every event with recorded_at <= as_of is at a position
        <= position and is committed; every event recorded later has recorded_at > as_of.
        """
        as_of = min(requested, now)
        with self.datastore.transaction(commit=False) as c:
            position, last, horizon = self._head(c)
        if as_of <= max(last, horizon):
            return as_of, position
        # Beyond everything known: move the horizon under the write lock.
        with immediate_transaction(self.datastore) as c:
            position, last, horizon = self._head(c)
            if as_of > max(last, horizon):
                c.execute("UPDATE iku_horizon SET answered_until = ? WHERE id = 1", (as_of,))
        return as_of, position

    def _head(self, c) -> tuple[int, int, int]:
        c.execute(
            f"SELECT rowid, recorded_at FROM {self.events_table_name} ORDER BY rowid DESC LIMIT 1"
        )
        row = c.fetchone()
        position, last = (row[0], row[1]) if row else (0, 0)
        c.execute("SELECT answered_until FROM iku_horizon WHERE id = 1")
        return position, last, c.fetchone()[0]

    # Marks --------------------------------------------------------------------------------

    def get_mark(self, key: str) -> str | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT value FROM iku_meta WHERE key = ?", (key,))
            row = c.fetchone()
        return row[0] if row else None

    def set_mark_if_empty(self, key: str, value: str) -> bool:
        """Set a permanent mark, only on a database with no event yet."""
        with immediate_transaction(self.datastore) as c:
            c.execute(f"SELECT 1 FROM {self.events_table_name} LIMIT 1")
            empty = c.fetchone() is None
            if empty:
                c.execute("INSERT OR IGNORE INTO iku_meta VALUES (?, ?)", (key, value))
        return empty


class UserRecorder(ImmediateCreate):
    """API users: name, role and the SHA-256 of their bearer token (never the token)."""

    def construct_create_table_statements(self) -> list[str]:
        return [
            "CREATE TABLE IF NOT EXISTS iku_users ("
            "name TEXT PRIMARY KEY, role TEXT NOT NULL, token_sha256 TEXT NOT NULL UNIQUE, "
            "created_at INTEGER NOT NULL)"
        ]

    def insert_user(self, name: str, role: str, token_sha256: str, created_at: int) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                "INSERT INTO iku_users VALUES (?, ?, ?, ?)",
                (name, role, token_sha256, created_at),
            )

    def replace_token(self, name: str, token_sha256: str) -> bool:
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                "UPDATE iku_users SET token_sha256 = ? WHERE name = ?", (token_sha256, name)
            )
            return c.sqlite_cursor.rowcount == 1

    def find_by_token(self, token_sha256: str) -> tuple[str, str] | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                "SELECT name, role FROM iku_users WHERE token_sha256 = ?", (token_sha256,)
            )
            row = c.fetchone()
        return (row[0], row[1]) if row else None

    def list_users(self) -> list[tuple[str, str]]:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT name, role FROM iku_users ORDER BY name")
            return [(r[0], r[1]) for r in c.fetchall()]


class IKUSQLiteFactory(SQLiteFactory):
    application_recorder_class = IKUSQLiteApplicationRecorder
    user_recorder_class = UserRecorder

    def user_recorder(self) -> UserRecorder:
        recorder = self.user_recorder_class(self.datastore)
        if self.env_create_table():
            recorder.create_table()
        return recorder


__all__ = [
    "IKUSQLiteApplicationRecorder",
    "IKUSQLiteFactory",
    "IdempotencyClaim",
    "IntegrityError",
    "RecordedNotification",
]

"""What the IKU service adds to eventsourcing's application recorders, written once for
SQLite and PostgreSQL. A concrete recorder supplies the dialect: table names, the name of
the position column, how to take the events' write lock, and how ids are stored.

Queries use `?` placeholders (turned into `%s` for psycopg) and read rows by column name,
which both stores' row types allow.

Longer than 300 lines because it is every read and side table the recorders add to the
library's, written once for both stores; split by table, each part would repeat the
dialect."""
from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any
from uuid import UUID

from .records import IdempotencyClaim, RecordedNotification


class Dialect:
    """The few differences between the stores that the shared queries need."""

    paramstyle_qmark = True

    def sql(self, statement: str) -> str:
        return statement if self.paramstyle_qmark else statement.replace("?", "%s")

    def id_param(self, originator_id: UUID) -> Any:
        """An activity id as the store's events table keeps it."""
        return originator_id.hex

    def id_hex(self, stored: Any) -> str:
        return stored.hex if isinstance(stored, UUID) else stored

    def tuple_rows(self, c) -> None:
        """Make the cursor return plain tuples (SQLite's default factory)."""
        getattr(c, "sqlite_cursor", c).row_factory = None  # the library's wrapper, or sqlite3's own

    def fetch_one(self, statement: str, params=()):
        """One row of one read-only statement (a dict-like row, or None)."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(self.sql(statement), params)
            return c.fetchone()


def _as_bytes(value) -> bytes:
    """Stored state as bytes, even if someone rewrote it as text (verification reads it)."""
    return value if isinstance(value, bytes) else (
        bytes(value) if isinstance(value, memoryview) else str(value).encode())


class IKURecorderMixin(Dialect):
    """Reads of the log with recorded_at, the as-of horizon, marks and idempotency keys."""

    events_table: str  # qualified name of the events table
    position_column: str  # the notification id column

    def read(self) -> AbstractContextManager:
        return self.datastore.transaction(commit=False)

    def write(self) -> AbstractContextManager:  # pragma: no cover - each store defines it
        """A transaction holding the lock that orders the events' notification ids."""
        raise NotImplementedError

    # Reading the log -----------------------------------------------------------------

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[RecordedNotification]:
        """As the library's, with each notification's recorded_at."""
        notifications = super().select_notifications(
            start, limit, stop, topics, inclusive_of_start=inclusive_of_start
        )
        if not notifications:
            return []
        with self.read() as c:
            c.execute(self.sql(
                f"SELECT {self.position_column} AS position, recorded_at FROM {self.events_table} "
                f"WHERE {self.position_column} BETWEEN ? AND ?"),
                (notifications[0].id, notifications[-1].id))
            times = {row["position"]: row["recorded_at"] for row in c.fetchall()}
        return [
            RecordedNotification(**n.__dict__, recorded_at=times[n.id]) for n in notifications
        ]

    def select_rows(self, after: int, stop: int, limit: int) -> list[tuple]:
        """Plain rows (position, activity id hex, version, topic, state, recorded_at): the
        projector's fast path, with no object per notification (rows read as tuples)."""
        return self._select_rows(after, stop, limit, "")

    def select_sealed_rows(self, after: int, stop: int, limit: int) -> list[tuple]:
        """As select_rows, with each row's tree column and seal last (None where missing;
        a database of before the seals, read-only, has no seal column: None too)."""
        seal = ", seal" if self.has_column("seal") else ", NULL"
        return [(*row[:6], *(bytes(v) if isinstance(v, (bytes, memoryview)) else None for v in row[6:8]))
                for row in self._select_rows(after, stop, limit, ", tree" + seal)]

    def select_sealed_lines(self, after: int, stop: int, limit: int) -> list[tuple]:
        """As select_rows, with each row's seal last: what a line of leaves carries."""
        seal = ", seal" if self.has_column("seal") else ", NULL"
        return [(*row[:6], bytes(row[6]) if isinstance(row[6], (bytes, memoryview)) else None)
                for row in self._select_rows(after, stop, limit, seal)]

    _columns: frozenset = frozenset()  # columns seen (a column, once added, stays)

    def has_column(self, name: str) -> bool:
        """Whether the events table has the column (a database of before an upgrade, opened
        read-only, may lack it; an upgrade may add it meanwhile)."""
        if name not in self._columns:
            with self.read() as c:
                self.tuple_rows(c)
                if not self.column_exists(c, name):
                    return False
            self._columns = self._columns | {name}
        return True

    def column_exists(self, c, name: str) -> bool:
        if self.paramstyle_qmark:
            c.execute(f"SELECT 1 FROM pragma_table_info('{self.events_table}') WHERE name = ?", (name,))
        else:
            schema, table = self.events_table.split(".")
            c.execute(self.sql("SELECT 1 FROM information_schema.columns WHERE table_schema = ? "
                               "AND table_name = ? AND column_name = ?"), (schema, table, name))
        return c.fetchone() is not None

    def _select_rows(self, after: int, stop: int, limit: int, extra: str) -> list[tuple]:
        with self.read() as c:
            self.tuple_rows(c)
            c.execute(self.sql(
                f"SELECT {self.position_column}, originator_id, originator_version, "
                f"topic, state, recorded_at{extra} FROM {self.events_table} "
                f"WHERE {self.position_column} > ? AND {self.position_column} <= ? "
                f"ORDER BY {self.position_column} LIMIT ?"), (after, stop, limit))
            id_hex = self.id_hex
            return [(p, id_hex(i), v, t, s if type(s) is bytes else _as_bytes(s), r, *rest)
                    for p, i, v, t, s, r, *rest in c.fetchall()]

    def select_recorded_events(
        self, originator_id: UUID, *, recorded_until: int | None = None
    ) -> list[RecordedNotification]:
        """One aggregate's events in version order, each with position and recorded_at."""
        return self.select_recorded_events_of([originator_id], recorded_until=recorded_until)

    def select_recorded_events_of(
        self, originator_ids: Sequence[UUID], *, recorded_until: int | None = None
    ) -> list[RecordedNotification]:
        """Some aggregates' events, in one statement: by aggregate, in version order."""
        by_param = {self.id_param(i): i for i in originator_ids}
        marks = ", ".join("?" for _ in by_param)
        statement = (f"SELECT {self.position_column} AS position, originator_id, "
                     "originator_version, topic, state, recorded_at "
                     f"FROM {self.events_table} WHERE originator_id IN ({marks}) ")
        params: list[Any] = list(by_param)
        if recorded_until is not None:
            statement += "AND recorded_at <= ? "
            params.append(recorded_until)
        statement += "ORDER BY originator_id, originator_version"
        with self.read() as c:
            c.execute(self.sql(statement), params)
            return [
                RecordedNotification(
                    id=row["position"], originator_id=by_param[row["originator_id"]],
                    originator_version=row["originator_version"], topic=row["topic"],
                    state=bytes(row["state"]), recorded_at=row["recorded_at"])
                for row in c.fetchall()
            ]

    def select_record_rows(self, originator_id: UUID, after_version: int) -> list[tuple]:
        """One record's events after a version, in version order, as the audit reads them:
        (position, version, topic, state, recorded_at, seal)."""
        seal = "seal" if self.has_column("seal") else "NULL"
        with self.read() as c:
            self.tuple_rows(c)
            c.execute(self.sql(
                f"SELECT {self.position_column}, originator_version, topic, state, recorded_at, {seal} "
                f"FROM {self.events_table} WHERE originator_id = ? AND originator_version > ? "
                "ORDER BY originator_version"), (self.id_param(originator_id), after_version))
            return [(p, v, t, _as_bytes(s), r, bytes(x) if isinstance(x, (bytes, memoryview)) else None)
                    for p, v, t, s, r, x in c.fetchall()]

    def recorded_at_of(self, position: int) -> int:
        with self.read() as c:
            c.execute(self.sql(f"SELECT recorded_at FROM {self.events_table} "
                               f"WHERE {self.position_column} = ?"), (position,))
            return c.fetchone()["recorded_at"]

    # Idempotency keys --------------------------------------------------------------------

    def _remember(self, c, claim: IdempotencyClaim | None, stored_events) -> None:
        """In the transaction of the events: remember the key with the last event."""
        if claim is None or not stored_events:
            return
        last = stored_events[-1]
        c.execute(self.sql(
            "INSERT INTO iku_idempotency (actor, key, fingerprint, originator_id, "
            "originator_version) VALUES (?, ?, ?, ?, ?)"),
            (claim.actor, claim.key, claim.fingerprint, self.id_param(last.originator_id),
             last.originator_version))

    @staticmethod
    def check_also(statements) -> None:
        """Before the events are inserted: every parameter is one the store keeps (text
        without NUL that encodes as UTF-8, a whole number, None). PostgreSQL's recorder
        commits the events when a Python error is raised after their INSERT, so whatever
        could fail on the client's side is found here, before it."""
        for _statement, params in statements or ():
            for value in params:
                if value is None or isinstance(value, int):
                    continue
                if not isinstance(value, str) or "\x00" in value:
                    raise ValueError(f"a value the store cannot keep: {value!r:.40}")
                value.encode("utf-8")  # a lone surrogate raises here

    def _also(self, c, statements) -> None:
        """In the transaction of the events: what the caller adds to them (`also=`: a
        user's tables beside the account events that record the change, api/users)."""
        for statement, params in statements or ():
            c.execute(self.sql(statement), params)

    def find_idempotency(self, actor: str, key: str) -> tuple[str, int, UUID, int] | None:
        """(fingerprint, position, activity id, version) of a remembered write."""
        with self.read() as c:
            c.execute(self.sql(
                f"SELECT i.fingerprint, e.{self.position_column} AS position, e.originator_id, "
                f"e.originator_version FROM iku_idempotency i JOIN {self.events_table} e "
                "ON e.originator_id = i.originator_id "
                "AND e.originator_version = i.originator_version "
                "WHERE i.actor = ? AND i.key = ?"), (actor, key))
            row = c.fetchone()
        if row is None:
            return None
        return (row["fingerprint"], row["position"], UUID(self.id_hex(row["originator_id"])),
                row["originator_version"])

    # The as-of horizon -------------------------------------------------------------------

    def fix_as_of(self, requested: int, now: int) -> tuple[int, int]:
        """Fix the instant a query is answered at, so no later write can change the answer.

        Returns (as_of, position): every event with recorded_at <= as_of is at a position
        <= position and is committed; every event recorded later has recorded_at > as_of.
        """
        as_of = min(requested, now)
        with self.read() as c:
            position, last, horizon = self._head(c)
        if as_of <= max(last, horizon):
            return as_of, position
        # Beyond everything known: move the horizon under the events' write lock.
        with self.write() as c:
            position, last, horizon = self._head(c)
            if as_of > max(last, horizon):
                c.execute(self.sql("UPDATE iku_horizon SET answered_until = ? WHERE id = 1"),
                          (as_of,))
        return as_of, position

    def _head(self, c) -> tuple[int, int, int]:
        c.execute(f"SELECT {self.position_column} AS position, recorded_at "
                  f"FROM {self.events_table} ORDER BY {self.position_column} DESC LIMIT 1")
        row = c.fetchone()
        position, last = (row["position"], row["recorded_at"]) if row else (0, 0)
        c.execute("SELECT answered_until FROM iku_horizon WHERE id = 1")
        return position, last, c.fetchone()["answered_until"]

    # Marks ---------------------------------------------------------------------------------

    def get_mark(self, key: str) -> str | None:
        with self.read() as c:
            c.execute(self.sql("SELECT value FROM iku_meta WHERE key = ?"), (key,))
            row = c.fetchone()
        return row["value"] if row else None

    def set_mark_once(self, key: str, value: str) -> str:
        """Set a permanent mark unless it is set; the mark as it stands."""
        with self.write() as c:
            c.execute(self.sql("INSERT INTO iku_meta VALUES (?, ?) ON CONFLICT DO NOTHING"), (key, value))
            c.execute(self.sql("SELECT value FROM iku_meta WHERE key = ?"), (key,))
            return c.fetchone()["value"]

    def put_state(self, key: str, value: str | None) -> None:
        """A state that changes (not a mark): set, or removed with None."""
        with self.write() as c:
            c.execute(self.sql("DELETE FROM iku_meta WHERE key = ?"), (key,))
            if value is not None:
                c.execute(self.sql("INSERT INTO iku_meta VALUES (?, ?)"), (key, value))

    def set_mark_if_empty(self, key: str, value: str) -> bool:
        """Set a permanent mark, only on a database with no event yet."""
        with self.write() as c:
            c.execute(f"SELECT 1 AS one FROM {self.events_table} LIMIT 1")
            empty = c.fetchone() is None
            if empty:
                c.execute(self.sql("INSERT INTO iku_meta VALUES (?, ?) ON CONFLICT DO NOTHING"),
                          (key, value))
        return empty


class StoreFactory:
    """What each store's factory adds to the library's: its name, by which the other layers
    pick their classes for it (the view, the users' tables), and a recorder of any further
    tables in the same database, created when the application creates its own."""

    store: str

    def extra_recorder(self, recorder_classes: dict[str, type]):
        """A recorder of the class given for this store (e.g. {"sqlite": …, "postgres": …})."""
        try:
            cls = recorder_classes[self.store]
        except KeyError:
            raise NotImplementedError(f"no recorder for the store {self.store!r}") from None
        recorder = cls(self.datastore)
        if self.env_create_table():
            recorder.create_table()
        return recorder

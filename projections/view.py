"""The bitemporal activity view: a row per version of each activity's state.

Each row has its system-time interval [sys_from, sys_to) in recorded_at microseconds and
its valid time (starts_at and its local date). The rows and the tracking position are
written in one transaction, so each event is applied exactly once.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from eventsourcing.persistence import Tracking
from eventsourcing.sqlite import SQLiteTrackingRecorder

from domain.store.sqlite import ImmediateCreate

from .indicators import FACTS

VIEW_NAME = "iku-activity-view"
# Bump when the view's tables change: the view is then dropped and rebuilt from the log
# (it holds nothing the log does not).
SCHEMA_VERSION = "2"
VIEW_TABLES = ("activity_versions", "activity_heads")

COLUMNS = (
    "position, activity_id, version, sys_from, sys_to, local_date, starts_at, ends_at, leaders, "
    "cancelled, served, media, title, location, scope, category, utc_offset"
)


_dumps = json.JSONEncoder(separators=(",", ":")).encode


def _entries(state: dict) -> str:
    return _dumps([state["protocol"], state["documentation"]])


@dataclass(frozen=True)
class Counts:
    denominator: int
    cancelled: int
    facts: dict[str, int]


class ActivityView(SQLiteTrackingRecorder, ImmediateCreate):
    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            # A row per event: keyed by the event's log position, so rows append in order
            # and an event applied twice would be a primary-key conflict.
            "CREATE TABLE IF NOT EXISTS activity_versions ("
            "position INTEGER PRIMARY KEY, activity_id TEXT NOT NULL, version INTEGER NOT NULL, "
            "sys_from INTEGER NOT NULL, sys_to INTEGER NOT NULL, "
            "local_date INTEGER NOT NULL, starts_at INTEGER NOT NULL, ends_at INTEGER, "
            "leaders INTEGER NOT NULL, cancelled INTEGER NOT NULL, served INTEGER NOT NULL, "
            "media INTEGER NOT NULL, title TEXT NOT NULL, location TEXT NOT NULL, "
            "scope TEXT NOT NULL, category TEXT, utc_offset REAL NOT NULL)",
            # Covering index of the as-of count: date range first, then system time.
            "CREATE INDEX IF NOT EXISTS activity_versions_as_of ON activity_versions "
            "(local_date, sys_from, sys_to, leaders, cancelled, served, media)",
            # The fold state beyond the open version row (at `position`): the live entries.
            "CREATE TABLE IF NOT EXISTS activity_heads ("
            "activity_id TEXT PRIMARY KEY, position INTEGER NOT NULL, entries TEXT NOT NULL) "
            "WITHOUT ROWID",
        ]

    def _create_table(self, c) -> None:
        c.execute("CREATE TABLE IF NOT EXISTS view_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        if self.get_meta(c, "schema") != SCHEMA_VERSION:
            for table in VIEW_TABLES:
                c.execute(f"DROP TABLE IF EXISTS {table}")
            c.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'tracking'")
            if c.fetchone():
                c.execute("DELETE FROM tracking WHERE application_name = ?", (VIEW_NAME,))
        super()._create_table(c)
        self.set_meta(c, "schema", SCHEMA_VERSION)

    # Writing (inside the projector's transaction) ----------------------------------------

    def position(self, c) -> int:
        return self._max_tracking_id(VIEW_NAME, c) or 0

    def load_heads(self, c, activity_ids: Iterable[str]) -> dict[str, dict]:
        ids = list(activity_ids)
        heads: dict[str, dict] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            c.execute(
                "SELECT h.activity_id, v.version, h.entries, v.title, v.location, v.scope, "
                "v.category, v.leaders, v.starts_at, v.ends_at, v.utc_offset, v.cancelled, "
                "h.position FROM activity_heads h JOIN activity_versions v "
                "ON v.position = h.position "
                f"WHERE h.activity_id IN ({','.join('?' * len(chunk))})",
                chunk,
            )
            for row in c.fetchall():
                protocol, documentation = json.loads(row[2])
                heads[row[0]] = {
                    "v": row[1], "title": row[3], "location": row[4], "scope": row[5],
                    "category": row[6], "leaders": row[7], "starts_at": row[8],
                    "ends_at": row[9], "offset": row[10], "cancelled": row[11],
                    "protocol": protocol, "documentation": documentation, "p": row[12],
                }
        return heads

    def write(self, c, *, new_rows, closed, heads: dict[str, dict], position: int) -> None:
        c.executemany("UPDATE activity_versions SET sys_to = ? WHERE position = ?", closed)
        c.executemany(
            f"INSERT INTO activity_versions ({COLUMNS}) VALUES ({','.join('?' * 17)})",
            new_rows,
        )
        c.executemany(
            "INSERT OR REPLACE INTO activity_heads VALUES (?, ?, ?)",
            [(aid, state["p"], _entries(state)) for aid, state in heads.items()],
        )
        self._insert_tracking(c, Tracking(VIEW_NAME, position))

    def reset(self, c) -> None:
        c.execute("DELETE FROM activity_versions")
        c.execute("DELETE FROM activity_heads")
        c.execute("DELETE FROM tracking WHERE application_name = ?", (VIEW_NAME,))

    def get_meta(self, c, key: str) -> str | None:
        c.execute("SELECT value FROM view_meta WHERE key = ?", (key,))
        row = c.fetchone()
        return row[0] if row else None

    def set_meta(self, c, key: str, value: str) -> None:
        c.execute("INSERT OR REPLACE INTO view_meta VALUES (?, ?)", (key, value))

    # Reading ----------------------------------------------------------------------------

    @staticmethod
    def _as_of_filter(start: int, end: int, as_of: int, leader_bit: int | None):
        sql = "local_date BETWEEN ? AND ? AND sys_from <= ? AND sys_to > ?"
        params: list = [start, end, as_of, as_of]
        if leader_bit is not None:
            sql += " AND (leaders & ?) <> 0"
            params.append(leader_bit)
        return sql, params

    def counts(self, start: int, end: int, as_of: int, leader_bit: int | None, facts) -> Counts:
        where, params = self._as_of_filter(start, end, as_of, leader_bit)
        sums = ", ".join(f"coalesce(sum({FACTS[f]}), 0)" for f in facts)
        statement = (
            f"SELECT cancelled, count(*){', ' + sums if sums else ''} "
            f"FROM activity_versions INDEXED BY activity_versions_as_of WHERE {where} "
            "GROUP BY cancelled"
        )
        denominator = cancelled = 0
        values = dict.fromkeys(facts, 0)
        with self.datastore.transaction(commit=False) as c:
            c.execute(statement, params)
            for row in c.fetchall():
                if row[0]:
                    cancelled = row[1]
                else:
                    denominator = row[1]
                    values = {f: row[2 + i] for i, f in enumerate(facts)}
        return Counts(denominator=denominator, cancelled=cancelled, facts=values)

    def rows(
        self, start: int, end: int, as_of: int, leader_bit: int | None, where_fact=None,
        include_cancelled: bool = True,
    ) -> list[dict]:
        where, params = self._as_of_filter(start, end, as_of, leader_bit)
        if where_fact is not None:
            where += f" AND cancelled = 0 AND {FACTS[where_fact]}"
        elif not include_cancelled:
            where += " AND cancelled = 0"
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT {COLUMNS} FROM activity_versions WHERE {where} "
                "ORDER BY starts_at, activity_id",
                params,
            )
            return [dict(row) for row in c.fetchall()]

"""The bitemporal activity view: a row per version of each activity's state.

Each row has its system-time interval [sys_from, sys_to) in recorded_at microseconds and
its valid time (starts_at and its local date). The rows and the tracking position are
written in one transaction, so each event is applied exactly once.

The queries are written once (ActivityViewMixin); each store's view class gives its table
definitions and its write lock.

Longer than 300 lines because the schema, the writes and the reads of the view share its
tables and dialect, and splitting them would put one table's definition apart from the
statements that depend on its columns.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from eventsourcing.persistence import Tracking
from eventsourcing.sqlite import SQLiteTrackingRecorder

from domain.store.clock import FOREVER
from domain.store.extensions import Dialect
from domain.store.sqlite import ImmediateCreate, immediate_transaction

from .facts import FACTS
from .selection import EVERY, Selection, moved_out_late

VIEW_NAME = "iku-activity-view"
# Bump when the view's tables change: the view is then dropped and rebuilt from the log
# (it holds nothing the log does not).
SCHEMA_VERSION = "6"
VIEW_TABLES = ("activity_versions", "activity_heads", "activity_counts", "view_buckets", "ucapan_versions")

COLUMNS = (
    "position, activity_id, version, sys_from, sys_to, local_date, starts_at, ends_at, leaders, "
    "cancelled, served, media, title, location, scope, category, utc_offset, prev_position, moved_late_from"
)
# The ucapan's rows: a row per version as for the activities, its valid time the date it
# is due; its live deliveries (JSON: version → local date key) kept in the row itself.
UCAPAN_COLUMNS = (
    "position, ucapan_id, version, sys_from, sys_to, due_date, leaders, cancelled, delivered_date, "
    "kind, relation, recipient, occasion, deliveries, prev_position"
)
# The statuses an ucapan listing selects (the SQL added to its condition).
UCAPAN_STATUSES = {
    None: "",
    "counted": " AND cancelled = 0",  # the supporting indicator's denominator
    "on_time": " AND cancelled = 0 AND delivered_date <= due_date",  # its numerator
    "open": " AND cancelled = 0 AND delivered_date IS NULL",  # to be delivered
    "overdue": " AND cancelled = 0 AND delivered_date IS NULL AND due_date < ?",  # before today
    "delivered": " AND cancelled = 0 AND delivered_date IS NOT NULL",
    "late": " AND cancelled = 0 AND delivered_date > due_date",
    "cancelled": " AND cancelled = 1",
}
# Log positions per bucket of activity_counts: 2**12 = 4,096 (IKU_VIEW_BUCKET_BITS; a change
# rebuilds the view).
DEFAULT_BUCKET_BITS = 12
NO_BUCKET = 1 << 40  # beyond any bucket (times the bucket size, still a BIGINT)


def view_tables(position_key: str, bigint: str, real: str, without_rowid: str = "") -> list[str]:
    """The view's tables, given the store's types."""
    return [
        # A row per event: keyed by the event's log position, so rows append in order and
        # an event applied twice would be a primary-key conflict.
        "CREATE TABLE IF NOT EXISTS activity_versions ("
        f"position {position_key}, activity_id TEXT NOT NULL, version {bigint} NOT NULL, "
        f"sys_from {bigint} NOT NULL, sys_to {bigint} NOT NULL, "
        f"local_date INTEGER NOT NULL, starts_at {bigint} NOT NULL, ends_at {bigint}, "
        "leaders INTEGER NOT NULL, cancelled INTEGER NOT NULL, served INTEGER NOT NULL, "
        "media INTEGER NOT NULL, title TEXT NOT NULL, location TEXT NOT NULL, "
        f"scope TEXT NOT NULL, category TEXT, utc_offset {real} NOT NULL, "
        f"prev_position {bigint}, moved_late_from INTEGER)",
        # The activities of a period as known at T (the listing, explain): by date.
        "CREATE INDEX IF NOT EXISTS activity_versions_by_date ON activity_versions "
        "(local_date, sys_from)",
        # An activity's rows (when it was cancelled: Selection.late).
        "CREATE INDEX IF NOT EXISTS activity_versions_by_activity ON activity_versions "
        "(activity_id, cancelled, sys_from)",
        # The cancelled activities' rows by date (Selection.late reads only them).
        "CREATE INDEX IF NOT EXISTS activity_versions_cancelled ON activity_versions "
        "(local_date, sys_from) WHERE cancelled = 1",
        # The rare rows of a reschedule recorded after the start, by the date it left.
        "CREATE INDEX IF NOT EXISTS activity_versions_moved_late ON activity_versions "
        "(moved_late_from) WHERE moved_late_from IS NOT NULL",
        # The as-of counts, summed by bucket of log positions: +1 for each version row made
        # by an event in the bucket, -1 for each row that event closed, by the row's date and
        # what it counts as. Counting as of T sums the buckets wholly at or before T, plus
        # the rows of the one bucket that T falls in (docs/DESIGN.md).
        f"CREATE TABLE IF NOT EXISTS activity_counts (local_date INTEGER NOT NULL, "
        f"bucket {bigint} NOT NULL, leaders INTEGER NOT NULL, cancelled INTEGER NOT NULL, "
        f"served INTEGER NOT NULL, media INTEGER NOT NULL, n {bigint} NOT NULL, "
        f"PRIMARY KEY (local_date, bucket, leaders, cancelled, served, media)){without_rowid}",
        # The last position and recorded_at applied in each bucket: which bucket T falls in.
        f"CREATE TABLE IF NOT EXISTS view_buckets (bucket {bigint} PRIMARY KEY, "
        f"last_position {bigint} NOT NULL, last_sys_from {bigint} NOT NULL)",
        # The fold state beyond the open version row (at `position`): the live entries.
        "CREATE TABLE IF NOT EXISTS activity_heads ("
        f"activity_id TEXT PRIMARY KEY, position {bigint} NOT NULL, entries TEXT NOT NULL)",
        # The ucapan as known at T: few beside the activities (hundreds a year), so counted
        # row by row from their dates' rows.
        "CREATE TABLE IF NOT EXISTS ucapan_versions ("
        f"position {position_key}, ucapan_id TEXT NOT NULL, version {bigint} NOT NULL, "
        f"sys_from {bigint} NOT NULL, sys_to {bigint} NOT NULL, due_date INTEGER NOT NULL, "
        "leaders INTEGER NOT NULL, cancelled INTEGER NOT NULL, delivered_date INTEGER, "
        "kind TEXT NOT NULL, relation TEXT NOT NULL, recipient TEXT NOT NULL, occasion TEXT NOT NULL, "
        f"deliveries TEXT NOT NULL, prev_position {bigint})",
        "CREATE INDEX IF NOT EXISTS ucapan_versions_by_date ON ucapan_versions (due_date, sys_from)",
        # An ucapan's open row (its head, sys_to = FOREVER) and its versions.
        "CREATE INDEX IF NOT EXISTS ucapan_versions_by_ucapan ON ucapan_versions (ucapan_id, sys_to)",
    ]


META_TABLE = "CREATE TABLE IF NOT EXISTS view_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"

_dumps = json.JSONEncoder(separators=(",", ":")).encode


def entries_json(state: dict) -> str:
    return _dumps([state["protocol"], state["documentation"]])


@dataclass(frozen=True)
class Counts:
    denominator: int
    cancelled: int
    facts: dict[str, int]


def _collect(rows, facts, by_month: bool) -> dict[int | None, Counts]:
    """Counts by month (or under None) from rows of (month, cancelled, n, f0, f1, …)."""
    out: dict[int | None, Counts] = {}
    for row in rows:
        key = int(row["month"]) if by_month else None
        counts = out.get(key) or Counts(0, 0, dict.fromkeys(facts, 0))
        if row["cancelled"]:
            counts = Counts(counts.denominator, int(row["n"]), counts.facts)
        else:
            counts = Counts(int(row["n"]), counts.cancelled,
                            {f: int(row[f"f{i}"]) for i, f in enumerate(facts)})
        out[key] = counts
    return out


class ActivityViewMixin(Dialect):
    tracking_table: str
    index_hint = ""
    bucket_bits = DEFAULT_BUCKET_BITS  # set by the projector (IKU_VIEW_BUCKET_BITS)

    def read(self):
        return self.datastore.transaction(commit=False)

    # Schema -------------------------------------------------------------------------------

    def _drop_if_outdated(self, c) -> None:
        c.execute(META_TABLE)
        if self.get_meta(c, "schema") != SCHEMA_VERSION:
            for table in VIEW_TABLES:
                c.execute(f"DROP TABLE IF EXISTS {table}")
            if self._table_exists(c, self.tracking_table):
                c.execute(self.sql(f"DELETE FROM {self.tracking_table} WHERE application_name = ?"),
                          (VIEW_NAME,))

    # Writing (inside the projector's transaction) ----------------------------------------

    def position(self, c) -> int:
        return self._max_tracking_id(VIEW_NAME, c) or 0

    def load_heads(self, c, activity_ids: Iterable[str]) -> dict[str, dict]:
        ids = list(activity_ids)
        heads: dict[str, dict] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            c.execute(self.sql(
                "SELECT h.activity_id, v.version, h.entries, v.title, v.location, v.scope, "
                "v.category, v.leaders, v.starts_at, v.ends_at, v.utc_offset, v.cancelled, "
                "v.local_date, v.served, v.media, "
                "h.position FROM activity_heads h JOIN activity_versions v "
                "ON v.position = h.position "
                f"WHERE h.activity_id IN ({','.join('?' * len(chunk))})"), chunk)
            for row in c.fetchall():
                protocol, documentation = json.loads(row["entries"])
                heads[row["activity_id"]] = {
                    "v": row["version"], "title": row["title"], "location": row["location"],
                    "scope": row["scope"], "category": row["category"],
                    "leaders": row["leaders"], "starts_at": row["starts_at"],
                    "ends_at": row["ends_at"], "offset": row["utc_offset"],
                    "cancelled": row["cancelled"], "protocol": protocol,
                    "documentation": documentation, "p": row["position"],
                    "k": (row["local_date"], row["leaders"], row["cancelled"], row["served"],
                          row["media"]),
                }
        return heads

    def load_ucapan_heads(self, c, ucapan_ids: Iterable[str]) -> dict[str, dict]:
        """The fold states of these ids' ucapan (ids of other records find none)."""
        ids = list(ucapan_ids)
        heads: dict[str, dict] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            c.execute(self.sql(
                f"SELECT {UCAPAN_COLUMNS} FROM ucapan_versions WHERE sys_to = {FOREVER} "
                f"AND ucapan_id IN ({','.join('?' * len(chunk))})"), chunk)
            for row in c.fetchall():
                heads[row["ucapan_id"]] = {
                    "v": row["version"], "kind": row["kind"], "relation": row["relation"],
                    "recipient": row["recipient"], "occasion": row["occasion"], "leaders": row["leaders"],
                    "due": row["due_date"], "cancelled": row["cancelled"],
                    "deliveries": json.loads(row["deliveries"]), "p": row["position"], "record": "ucapan"}
        return heads

    def write_ucapan(self, c, rows: list, closed: list) -> None:
        if closed:
            c.executemany(self.sql("UPDATE ucapan_versions SET sys_to = ? WHERE position = ?"), closed)
        if rows:
            c.executemany(self.sql(
                f"INSERT INTO ucapan_versions ({UCAPAN_COLUMNS}) VALUES ({','.join('?' * 15)})"), rows)

    def write(self, c, *, new_rows, closed, heads: dict[str, dict], position: int,
              deltas: dict, buckets: dict, ucapan_rows=(), ucapan_closed=()) -> None:
        self.write_ucapan(c, list(ucapan_rows), list(ucapan_closed))
        self.write_counts(c, deltas, buckets)
        if closed:
            c.executemany(self.sql("UPDATE activity_versions SET sys_to = ? WHERE position = ?"),
                          closed)
        c.executemany(self.sql(
            f"INSERT INTO activity_versions ({COLUMNS}) VALUES ({','.join('?' * 19)})"), new_rows)
        c.executemany(self.sql(
            "INSERT INTO activity_heads VALUES (?, ?, ?) ON CONFLICT (activity_id) "
            "DO UPDATE SET position = excluded.position, entries = excluded.entries"),
            [(aid, state["p"], entries_json(state)) for aid, state in heads.items()])
        self._insert_tracking(c, Tracking(VIEW_NAME, position))

    def write_counts(self, c, deltas: dict, buckets: dict) -> None:
        """Add a batch's deltas to activity_counts and move its buckets' last positions."""
        c.executemany(self.sql(
            "INSERT INTO activity_counts VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (local_date, bucket, leaders, cancelled, served, media) "
            "DO UPDATE SET n = activity_counts.n + excluded.n"),
            [(*key, n) for key, n in deltas.items() if n])
        c.executemany(self.sql(
            "INSERT INTO view_buckets VALUES (?, ?, ?) ON CONFLICT (bucket) DO UPDATE "
            "SET last_position = excluded.last_position, last_sys_from = excluded.last_sys_from"),
            [(bucket, last, sys_from) for bucket, (last, sys_from) in buckets.items()])

    def reset(self, c) -> None:
        c.execute("DELETE FROM activity_versions")
        c.execute("DELETE FROM activity_heads")
        c.execute("DELETE FROM activity_counts")
        c.execute("DELETE FROM view_buckets")
        c.execute("DELETE FROM ucapan_versions")
        c.execute(self.sql(f"DELETE FROM {self.tracking_table} WHERE application_name = ?"),
                  (VIEW_NAME,))

    def get_meta(self, c, key: str) -> str | None:
        c.execute(self.sql("SELECT value FROM view_meta WHERE key = ?"), (key,))
        row = c.fetchone()
        return row["value"] if row else None

    def set_meta(self, c, key: str, value: str) -> None:
        c.execute(self.sql("INSERT INTO view_meta VALUES (?, ?) ON CONFLICT (key) "
                           "DO UPDATE SET value = excluded.value"), (key, value))

    # Reading ----------------------------------------------------------------------------

    @staticmethod
    def _as_of_filter(start: int, end: int, as_of: int, leader_bit: int | None):
        sql = "local_date BETWEEN ? AND ? AND sys_from <= ? AND sys_to > ?"
        params: list = [start, end, as_of, as_of]
        if leader_bit is not None:
            sql += " AND (leaders & ?) <> 0"
            params.append(leader_bit)
        return sql, params

    def snapshot(self):
        """A read transaction whose statements all see one state (SQLite's reads do)."""
        return self.read()

    def counts(self, start: int, end: int, as_of: int, leader_bit: int | None, facts) -> Counts:
        """The activities of the dates [start, end] as known at `as_of`, by whether they are
        cancelled, with how many have each fact."""
        return self.monthly_counts(start, end, as_of, leader_bit, facts, by_month=False).get(
            None, Counts(0, 0, dict.fromkeys(facts, 0)))

    def monthly_counts(self, start: int, end: int, as_of: int, leader_bit: int | None, facts,
                       by_month: bool = True) -> dict[int | None, Counts]:
        """As `counts`, for each month (YYYYMM) with activities: one query for a whole trend.
        In one snapshot: find the bucket `as_of` falls in (the first whose last event is
        recorded after it), then sum the buckets of activity_counts before it, and add the
        version rows made (+1) and closed (-1) in that bucket up to `as_of`."""
        sums = "".join(
            f", coalesce(sum(CASE WHEN {FACTS[f].sql} THEN n ELSE 0 END), 0) AS f{i}"
            for i, f in enumerate(facts))
        leader = "" if leader_bit is None else " WHERE (leaders & ?) <> 0"
        month = "local_date / 100" if by_month else "0"  # integer division in both stores
        with self.snapshot() as c:
            c.execute(self.sql("SELECT min(bucket) AS b FROM view_buckets WHERE last_sys_from > ?"),
                      (as_of,))
            row = c.fetchone()
            bucket = NO_BUCKET if row is None or row["b"] is None else int(row["b"])
            # The bounds are integers computed here, written into the statement so that the
            # planner sees the one bucket's range of positions (a nested loop over its rows).
            first, last = bucket << self.bucket_bits, ((bucket + 1) << self.bucket_bits) - 1
            statement = (
                f"SELECT month, cancelled, coalesce(sum(n), 0) AS n{sums} FROM ("
                f"SELECT {month} AS month, cancelled, leaders, served, media, n FROM activity_counts "
                f"WHERE local_date BETWEEN ? AND ? AND bucket < {bucket} "
                "UNION ALL "
                f"SELECT {month} AS month, cancelled, leaders, served, media, 1 AS n FROM activity_versions "
                f"WHERE position BETWEEN {first} AND {last} "
                "AND sys_from <= ? AND local_date BETWEEN ? AND ? "
                "UNION ALL "
                f"SELECT {month.replace('local_date', 'p.local_date')} AS month, "
                "p.cancelled, p.leaders, p.served, p.media, -1 AS n FROM activity_versions r "
                "JOIN activity_versions p ON p.position = r.prev_position "
                f"WHERE r.position BETWEEN {first} AND {last} "
                "AND r.sys_from <= ? AND p.local_date BETWEEN ? AND ?"
                f") AS d{leader} GROUP BY month, cancelled")
            params = [start, end, as_of, start, end, as_of, start, end]
            if leader_bit is not None:
                params.append(leader_bit)
            c.execute(self.sql(statement), params)
            return _collect(c.fetchall(), facts, by_month)

    def ucapan_counts(self, start: int, end: int, as_of: int, leader_bit: int | None, facts,
                      by_month: bool = True) -> dict[int | None, Counts]:
        """As `monthly_counts`, of the ucapan due on the dates [start, end] as known at
        `as_of`: their rows live at `as_of`, counted."""
        sums = "".join(f", coalesce(sum(CASE WHEN {FACTS[f].sql} THEN 1 ELSE 0 END), 0) AS f{i}"
                       for i, f in enumerate(facts))
        month = "due_date / 100" if by_month else "0"
        leader = "" if leader_bit is None else " AND (leaders & ?) <> 0"
        params = [start, end, as_of, as_of] + ([] if leader_bit is None else [leader_bit])
        with self.snapshot() as c:
            c.execute(self.sql(
                f"SELECT {month} AS month, cancelled, count(*) AS n{sums} FROM ucapan_versions "
                f"WHERE due_date BETWEEN ? AND ? AND sys_from <= ? AND sys_to > ?{leader} "
                "GROUP BY month, cancelled"), params)
            return _collect(c.fetchall(), facts, by_month)

    @staticmethod
    def _ucapan_filter(start: int, end: int, as_of: int, leader_bit: int | None, status: str | None,
                       today: int | None, fact: str | None = None) -> tuple[str, list]:
        sql = "due_date BETWEEN ? AND ? AND sys_from <= ? AND sys_to > ?"
        params: list = [start, end, as_of, as_of]
        if leader_bit is not None:
            sql += " AND (leaders & ?) <> 0"
            params.append(leader_bit)
        sql += UCAPAN_STATUSES[status]
        if status == "overdue":
            params.append(today)
        if fact is not None:
            sql += f" AND ({FACTS[fact].sql})"
        return sql, params

    def ucapan_rows(self, start: int, end: int, as_of: int, leader_bit: int | None, status: str | None = None,
                    today: int | None = None, limit: int | None = None, offset: int = 0,
                    fact: str | None = None) -> list[dict]:
        """The versions current at `as_of` of the ucapan due on the dates (of a status:
        UCAPAN_STATUSES, `today` for "overdue"; for which a fact holds), by due date; `limit`
        of them from `offset`."""
        where, params = self._ucapan_filter(start, end, as_of, leader_bit, status, today, fact)
        page = "" if limit is None else f" LIMIT {int(limit)} OFFSET {int(offset)}"
        with self.read() as c:
            c.execute(self.sql(f"SELECT {UCAPAN_COLUMNS} FROM ucapan_versions WHERE {where} "
                               f"ORDER BY due_date, position{page}"), params)
            return [dict(row) for row in c.fetchall()]

    def ucapan_count(self, start: int, end: int, as_of: int, leader_bit: int | None, status: str | None = None,
                     today: int | None = None, fact: str | None = None) -> int:
        where, params = self._ucapan_filter(start, end, as_of, leader_bit, status, today, fact)
        return int(self.fetch_one(f"SELECT count(*) AS n FROM ucapan_versions WHERE {where}", params)["n"])

    def rows(self, start: int, end: int, as_of: int, leader_bit: int | None,
             selection: Selection = EVERY, limit: int | None = None, offset: int = 0) -> list[dict]:
        """The versions current at `as_of` of the selected activities of the dates, in the
        order of their start; `limit` of them from `offset` (a page)."""
        where, params = self._as_of_filter(start, end, as_of, leader_bit)
        (chosen, more), (order, by) = selection.where(self.bucket_bits), selection.order()
        page = "" if limit is None else f" LIMIT {int(limit)} OFFSET {int(offset)}"
        with self.read() as c:
            c.execute(self.sql(f"SELECT {COLUMNS} FROM activity_versions {self.hint(selection)} WHERE {where}{chosen} "
                               f"{order}{page}"), params + more + by)
            return [dict(row) for row in c.fetchall()]

    def count(self, start: int, end: int, as_of: int, leader_bit: int | None,
              selection: Selection = EVERY) -> int:
        where, params = self._as_of_filter(start, end, as_of, leader_bit)
        chosen, more = selection.where(self.bucket_bits)
        return int(self.fetch_one(f"SELECT count(*) AS n FROM activity_versions {self.hint(selection)} "
                                  f"WHERE {where}{chosen}", params + more)["n"])

    def hint(self, selection: Selection) -> str:
        """SQLite's index for a listing: by date; for cancelled activities, their own."""
        return self.index_hint.replace("by_date", "cancelled") if selection.cancelled else self.index_hint

    def moved_out_late(self, start: int, end: int, as_of: int, leader_bit: int | None) -> int:
        return int(self.fetch_one(*moved_out_late(start, end, as_of, leader_bit))["n"])

    def latest_ucapan_date(self, until: int) -> int | None:
        """The latest due date (YYYYMMDD) of an ucapan up to `until`."""
        row = self.fetch_one("SELECT max(due_date) AS d FROM ucapan_versions WHERE due_date <= ?", (until,))
        return row["d"] if row and row["d"] else None

    def latest_date(self, until: int) -> int | None:
        """The latest local date (YYYYMMDD) of an activity up to `until`."""
        row = self.fetch_one("SELECT max(local_date) AS d FROM activity_versions WHERE local_date <= ?", (until,))
        return row["d"] if row and row["d"] else None


class ActivityView(ActivityViewMixin, SQLiteTrackingRecorder, ImmediateCreate):
    tracking_table = "tracking"
    index_hint = "INDEXED BY activity_versions_by_date"

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            *view_tables("INTEGER PRIMARY KEY", "INTEGER", "REAL", " WITHOUT ROWID"),
        ]

    def _create_table(self, c) -> None:
        self._drop_if_outdated(c)
        super()._create_table(c)
        self.set_meta(c, "schema", SCHEMA_VERSION)

    @staticmethod
    def _table_exists(c, name: str) -> bool:
        c.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
        return c.fetchone() is not None

    def write_transaction(self):
        return immediate_transaction(self.datastore)

"""The activity view on PostgreSQL: the same queries (ActivityViewMixin), PostgreSQL's
table definitions, and an EXCLUSIVE lock on the view's table to serialise projectors."""
from __future__ import annotations

from contextlib import contextmanager

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresTrackingRecorder
from psycopg.sql import SQL

from domain.store.postgres import SCHEMA_LOCK

from .view import COLUMNS, SCHEMA_VERSION, VIEW_NAME, VIEW_TABLES, ActivityViewMixin, entries_json, view_tables


class PostgresActivityView(ActivityViewMixin, PostgresTrackingRecorder):
    paramstyle_qmark = False

    def __init__(self, datastore, **kwargs):
        super().__init__(datastore, **kwargs)
        self.tracking_table = f"{datastore.schema}.{self.tracking_table_name}"
        self.sql_create_statements.extend(
            SQL(statement) for statement in view_tables("BIGINT PRIMARY KEY", "BIGINT",
                                                        "DOUBLE PRECISION"))

    def _create_table(self, curs) -> None:
        curs.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))  # see SerialisedSchema
        # The library looked for the tracking table before this lock: another process may
        # have created it since. Look again, under the lock.
        if self._table_exists(curs, self.tracking_table):
            curs.execute(self.max_tracking_id_statement, (self.table_migration_identifier,))
            self.tracking_table_exists = True
            self.tracking_migration_current = self.tracking_migration_previous = curs.fetchone()["max"]
        self._drop_if_outdated(curs)
        super()._create_table(curs)
        self.set_meta(curs, "schema", SCHEMA_VERSION)

    @staticmethod
    def _table_exists(c, name: str) -> bool:
        c.execute("SELECT to_regclass(%s) AS t", (name,))
        return c.fetchone()["t"] is not None

    def reset(self, c) -> None:
        """TRUNCATE, not DELETE: a rebuild does not leave millions of dead rows behind."""
        c.execute(f"TRUNCATE {', '.join(VIEW_TABLES)}")
        c.execute(f"DELETE FROM {self.tracking_table} WHERE application_name = %s", (VIEW_NAME,))

    @contextmanager
    def snapshot(self):
        with self.datastore.transaction(commit=False) as c:
            c.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield c

    @contextmanager
    def write_transaction(self):
        with self.datastore.transaction(commit=True) as c:
            c.execute("LOCK TABLE activity_versions IN EXCLUSIVE MODE")
            yield c

    def write(self, c, *, new_rows, closed, heads: dict[str, dict], position: int,
              deltas: dict, buckets: dict, ucapan_rows=(), ucapan_closed=()) -> None:
        """As the shared write, in a few statements instead of a statement per row: the new
        version rows by COPY, the closed ones by one UPDATE over arrays, the heads by one
        upsert over arrays (the few ucapan rows as the shared write writes them)."""
        self.write_ucapan(c, list(ucapan_rows), list(ucapan_closed))
        self.write_counts(c, deltas, buckets)
        if closed:
            sys_to, positions = zip(*closed, strict=True)
            c.execute("UPDATE activity_versions v SET sys_to = u.sys_to "
                      "FROM unnest(%s::bigint[], %s::bigint[]) AS u(sys_to, position) "
                      "WHERE v.position = u.position", (list(sys_to), list(positions)))
        with c.copy(f"COPY activity_versions ({COLUMNS}) FROM STDIN") as copy:
            for row in new_rows:
                copy.write_row(row)
        if heads:
            ids = list(heads)
            c.execute("INSERT INTO activity_heads SELECT * FROM unnest(%s::text[], %s::bigint[], %s::text[]) "
                      "ON CONFLICT (activity_id) DO UPDATE "
                      "SET position = excluded.position, entries = excluded.entries",
                      (ids, [heads[a]["p"] for a in ids], [entries_json(heads[a]) for a in ids]))
        self._insert_tracking(c, Tracking(VIEW_NAME, position))

    def write_counts(self, c, deltas: dict, buckets: dict) -> None:
        """As the shared one, each table in one statement over arrays."""
        changed = [(*key, n) for key, n in deltas.items() if n]
        if changed:
            c.execute("INSERT INTO activity_counts SELECT * FROM unnest(%s::integer[], %s::bigint[], "
                      "%s::integer[], %s::integer[], %s::integer[], %s::integer[], %s::bigint[]) "
                      "ON CONFLICT (local_date, bucket, leaders, cancelled, served, media) "
                      "DO UPDATE SET n = activity_counts.n + excluded.n",
                      [list(column) for column in zip(*changed, strict=True)])
        if buckets:
            c.execute("INSERT INTO view_buckets SELECT * FROM unnest(%s::bigint[], %s::bigint[], "
                      "%s::bigint[]) ON CONFLICT (bucket) DO UPDATE SET "
                      "last_position = excluded.last_position, last_sys_from = excluded.last_sys_from",
                      [list(buckets), [v[0] for v in buckets.values()], [v[1] for v in buckets.values()]])

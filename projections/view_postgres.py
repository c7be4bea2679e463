"""The activity view on PostgreSQL: the same queries (ActivityViewMixin), PostgreSQL's
table definitions, and an EXCLUSIVE lock on the view's table to serialise projectors."""
from __future__ import annotations

from contextlib import contextmanager

from eventsourcing.postgres import PostgresTrackingRecorder
from psycopg.sql import SQL

from domain.store.postgres import SCHEMA_LOCK

from .view import SCHEMA_VERSION, ActivityViewMixin, view_tables


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

    @contextmanager
    def write_transaction(self):
        with self.datastore.transaction(commit=True) as c:
            c.execute("LOCK TABLE activity_versions IN EXCLUSIVE MODE")
            yield c

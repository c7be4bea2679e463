"""The activity view on PostgreSQL: the same queries (ActivityViewMixin), PostgreSQL's
table definitions, and an EXCLUSIVE lock on the view's table to serialise projectors."""
from __future__ import annotations

from contextlib import contextmanager

from eventsourcing.postgres import PostgresTrackingRecorder
from psycopg.sql import SQL

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

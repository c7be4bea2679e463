"""Where users, their web passwords and login attempts are kept: tables
beside the log in the same database, one recorder class per store. What a change writes to
them is given as statements, run in the transaction of the account event that records the
change (domain/accounts.py)."""
from __future__ import annotations

from eventsourcing.postgres import PostgresRecorder
from psycopg.sql import SQL

from domain.store.extensions import Dialect
from domain.store.postgres import PostgresDialect, SerialisedSchema
from domain.store.sqlite import ImmediateCreate, immediate_transaction


def insert_user(name: str, role: str, token_sha256: str, created_at: int) -> list[tuple]:
    return [("INSERT INTO iku_users VALUES (?, ?, ?, ?)", (name, role, token_sha256, created_at))]


def replace_token(name: str, token_sha256: str) -> list[tuple]:
    return [("UPDATE iku_users SET token_sha256 = ? WHERE name = ?", (token_sha256, name))]


def end_sessions(name: str, unusable_token_sha256: str | None) -> list[tuple]:
    """Every session of the user ends (its generation moves on) and, given an unusable
    digest, its token stops working."""
    return [*(replace_token(name, unusable_token_sha256) if unusable_token_sha256 else []),
            ("INSERT INTO iku_user_state VALUES (?, 1, 0) ON CONFLICT (name) DO UPDATE "
             "SET generation = iku_user_state.generation + 1", (name,))]


def set_disabled(name: str, disabled: bool) -> list[tuple]:
    return [("INSERT INTO iku_user_state VALUES (?, 0, ?) ON CONFLICT (name) DO UPDATE "
             "SET disabled = excluded.disabled", (name, 1 if disabled else 0))]


def an_admin_remains() -> list[tuple]:
    """Run last in the transaction of a change that takes away an admin: under the events'
    write lock it sees every other change, and fails the transaction (a CHECK) if no
    enabled admin would be left — two admins demoting each other at once cannot both win."""
    return [("INSERT INTO iku_guard SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM iku_users u "
             "LEFT JOIN iku_user_state s ON s.name = u.name WHERE u.role = 'admin' "
             "AND coalesce(s.disabled, 0) = 0)", ())]


def set_role(name: str, role: str) -> list[tuple]:
    return [("UPDATE iku_users SET role = ? WHERE name = ?", (role, name))]


def set_profile(name: str, full_name: str, nip: str, jabatan: str) -> list[tuple]:
    return [("INSERT INTO iku_user_profiles VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE "
             "SET full_name = excluded.full_name, nip = excluded.nip, jabatan = excluded.jabatan",
             (name, full_name, nip, jabatan))]


def set_password_hash(name: str, password_hash: str) -> list[tuple]:
    return [("INSERT INTO iku_passwords VALUES (?, ?) ON CONFLICT (name) "
             "DO UPDATE SET password_hash = excluded.password_hash", (name, password_hash))]


class UsersMixin(Dialect):
    """API users: name, role and the SHA-256 of their bearer token (never the token).

    Every change to a user is written by the Agenda with the account event that records
    it, in one transaction (the statements above, `also=`); this class reads them."""

    def find_by_token(self, token_sha256: str) -> tuple[str, str] | None:
        row = self.fetch_one("SELECT u.name, u.role FROM iku_users u LEFT JOIN iku_user_state s "
                             "ON s.name = u.name WHERE u.token_sha256 = ? AND coalesce(s.disabled, 0) = 0",
                             (token_sha256,))
        return (row["name"], row["role"]) if row else None

    def run(self, statements) -> None:
        """Statements of the functions above in a transaction of their own (what changes no
        access: logging out everywhere)."""
        with self.datastore.transaction(commit=True) as c:
            for statement, params in statements:
                c.execute(self.sql(statement), params)

    def list_users(self) -> list[dict]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(_RECORD + "ORDER BY u.name")
            return [dict(r) for r in c.fetchall()]

    # Web logins ------------------------------------------------------------------------

    def login_record(self, name: str) -> dict | None:
        """role, profile, password hash, session generation and whether disabled, or None.
        Names are compared lower-case (one made in capitals before names were folded is
        found too)."""
        if "\x00" in name or not name.isprintable():
            return None  # no user's name (and PostgreSQL takes no NUL)
        with self.datastore.transaction(commit=False) as c:
            c.execute(self.sql(_RECORD + "WHERE lower(u.name) = lower(?) ORDER BY u.name = ? DESC"), (name, name))
            row = c.fetchone()
        return dict(row) if row else None

    # Login throttling (api/users/throttle.py) -------------------------------------------

    for_update = ""  # what locks the selected rows until the transaction ends

    def exclusive(self):
        """A transaction that holds the rows it reads until it ends."""
        return self.datastore.transaction(commit=True)

    def take_attempt(self, buckets: dict, now: int) -> int:
        """An attempt's place in every bucket, in one transaction: 0 if taken in all, else
        the microseconds to wait (and nothing is taken). A bucket already full is seen by
        a read alone: a refused attempt writes nothing."""
        keys = sorted(buckets)
        wait = self._wait(buckets, self._tats(keys), now)
        if wait:
            return wait
        with self.exclusive() as c:
            c.execute(self.sql("DELETE FROM iku_login_throttle WHERE tat < ?"), (now,))  # drained
            for key in keys:  # rows to lock, even for a first attempt
                c.execute(self.sql("INSERT INTO iku_login_throttle VALUES (?, 0) ON CONFLICT (key) DO NOTHING"),
                          (key,))
            c.execute(self.sql(self._select(keys) + self.for_update), keys)
            tats = {row["key"]: row["tat"] for row in c.fetchall()}
            wait = self._wait(buckets, tats, now)
            if wait == 0:
                for key in keys:
                    c.execute(self.sql("UPDATE iku_login_throttle SET tat = ? WHERE key = ?"),
                              (buckets[key].take(tats.get(key), now)[0], key))
            return wait

    @staticmethod
    def _wait(buckets: dict, tats: dict, now: int) -> int:
        return max(buckets[key].take(tats.get(key), now)[1] for key in buckets)

    @staticmethod
    def _select(keys) -> str:
        return "SELECT key, tat FROM iku_login_throttle WHERE key IN (%s)" % ", ".join("?" * len(keys))

    def _tats(self, keys) -> dict:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self.sql(self._select(keys)), keys)
            return {row["key"]: row["tat"] for row in c.fetchall()}

    def give_back_attempt(self, buckets: dict) -> None:
        """The right password: the attempt's places are free again."""
        with self.datastore.transaction(commit=True) as c:
            for key, rate in sorted(buckets.items()):
                c.execute(self.sql("UPDATE iku_login_throttle SET tat = tat - ? WHERE key = ?"),
                          (rate.interval, key))

    def wait_after(self, buckets: dict, now: int) -> int:
        """Microseconds until the next attempt in these buckets may go ahead."""
        tats = self._tats(sorted(buckets))
        return max([buckets[key].wait_after(tat, now) for key, tat in tats.items()] or [0])

    def clear_attempts(self, key: str) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(self.sql("DELETE FROM iku_login_throttle WHERE key = ?"), (key,))

    def forget_secrets(self) -> None:
        """Before this version the session key was kept in `iku_secrets`: no more."""
        with self.datastore.transaction(commit=True) as c:
            c.execute("DELETE FROM iku_secrets")



_RECORD = (
    "SELECT u.name, u.role, u.created_at, u.token_sha256, p.password_hash, "
    "coalesce(s.generation, 0) AS generation, "
    "coalesce(s.disabled, 0) AS disabled, coalesce(f.full_name, '') AS full_name, "
    "coalesce(f.nip, '') AS nip, coalesce(f.jabatan, '') AS jabatan FROM iku_users u "
    "LEFT JOIN iku_passwords p ON p.name = u.name LEFT JOIN iku_user_state s ON s.name = u.name "
    "LEFT JOIN iku_user_profiles f ON f.name = u.name ")

TABLES = (
    "CREATE TABLE IF NOT EXISTS iku_users ("
    "name TEXT PRIMARY KEY, role TEXT NOT NULL, token_sha256 TEXT NOT NULL UNIQUE, "
    "created_at BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS iku_passwords (name TEXT PRIMARY KEY, password_hash TEXT NOT NULL)",
    # A bucket's theoretical arrival time (api/users/throttle.py); below now, it is empty.
    "CREATE TABLE IF NOT EXISTS iku_login_throttle (key TEXT PRIMARY KEY, tat BIGINT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS iku_login_throttle_tat ON iku_login_throttle (tat)",
    "DROP TABLE IF EXISTS iku_login_failures",  # counted per user only, before this version
    "CREATE TABLE IF NOT EXISTS iku_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    # Sessions carry their user's generation: moving it on ends them all at once.
    "CREATE TABLE IF NOT EXISTS iku_user_state (name TEXT PRIMARY KEY, generation BIGINT NOT NULL, "
    "disabled INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS iku_user_profiles (name TEXT PRIMARY KEY, full_name TEXT NOT NULL, "
    "nip TEXT NOT NULL, jabatan TEXT NOT NULL)",
    # Never written: a row here fails its CHECK, and with it a change leaving no admin.
    "CREATE TABLE IF NOT EXISTS iku_guard (admin_remains INTEGER NOT NULL CHECK (admin_remains = 1))",
)


class SQLiteUserRecorder(UsersMixin, ImmediateCreate):
    def exclusive(self):
        return immediate_transaction(self.datastore)  # SQLite's write lock from BEGIN

    def construct_create_table_statements(self) -> list[str]:
        return list(TABLES)


class PostgresUserRecorder(PostgresDialect, UsersMixin, SerialisedSchema, PostgresRecorder):
    for_update = " FOR UPDATE"

    def __init__(self, datastore):
        super().__init__(datastore)
        self.sql_create_statements.extend(SQL(s) for s in TABLES)


RECORDERS = {"sqlite": SQLiteUserRecorder, "postgres": PostgresUserRecorder}

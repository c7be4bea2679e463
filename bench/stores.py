"""Where a benchmark runs: a new SQLite file, or a new database on the machine's PostgreSQL.

    --store sqlite            a file in a temporary folder (WAL, synchronous=FULL)
    --store postgres          a database `iku_bench_<name>` created through --postgres (the
                              server's admin URL) and dropped afterwards, unless --keep
    --keep                    keep the database (and reuse it, if it already has a log, so
                              that a 10M-event log is built once)
"""
from __future__ import annotations

import argparse
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

ADMIN_URL = os.environ.get("IKU_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--postgres", default=ADMIN_URL, help="admin URL of the PostgreSQL server")
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) the database")
    parser.add_argument("--folder", default=None, help="folder of the SQLite files (default: a temporary one)")


def forget_key() -> None:
    """A new database: a new key, without the head an earlier database's log left it."""
    key = Path(os.environ["IKU_SIGNING_KEY"])
    for path in (key, key.with_suffix(".head"), key.with_suffix(".lock"), key.with_suffix(".seals")):
        path.unlink(missing_ok=True)


@contextmanager
def database(args, name: str):
    """Yields the IKU_DATABASE value of a database for this benchmark, and whether it
    already holds a log (only with --keep)."""
    if args.store == "sqlite":
        folder = Path(args.folder or tempfile.mkdtemp())
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.sqlite3"
        existed = args.keep and path.exists()
        if not existed:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        # A key per database: the key keeps the last head it signed, and refuses another log.
        os.environ["IKU_SIGNING_KEY"] = str(folder / f"{name}-signing-key.pem")
        if not existed:
            forget_key()
        try:
            yield str(path), existed
        finally:
            if not args.keep:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    dbname = f"iku_bench_{name}".replace("-", "_")
    os.environ["IKU_SIGNING_KEY"] = str(Path(tempfile.gettempdir()) / f"{dbname}-key.pem")
    with psycopg.connect(args.postgres, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone()
        if exists and not args.keep:
            admin.execute(f"DROP DATABASE {dbname} WITH (FORCE)")
            exists = None
        if not exists:
            admin.execute(f"CREATE DATABASE {dbname}")
            forget_key()
    url = f"{args.postgres.rsplit('/', 1)[0]}/{dbname}"
    try:
        yield url, bool(exists)
    finally:
        if not args.keep:
            with psycopg.connect(args.postgres, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")

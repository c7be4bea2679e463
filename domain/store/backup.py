"""Backups of the whole database (events, view, users, chain, checkpoints), online.

- SQLite: SQLite's online backup API, a consistent copy while the service runs.
- PostgreSQL: pg_dump (custom format), a consistent snapshot while the service runs.
A restore goes into an empty database only (or with force), and is followed by a check
that the hash chain verifies. The signing key is not in the backup: keep it apart."""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path


class BackupError(RuntimeError):
    pass


def is_postgres(database: str) -> bool:
    return database.startswith(("postgresql://", "postgres://"))


def backup(database: str, target: str) -> None:
    if Path(target).exists():
        raise BackupError(f"{target} exists; choose a new file")
    if is_postgres(database):
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}", database])
        return
    if not Path(database).exists():
        raise BackupError(f"no database at {database}")
    with sqlite3.connect(database) as source, sqlite3.connect(target) as copy:
        source.backup(copy)


def restore(backup_file: str, database: str, *, force: bool = False) -> None:
    if not Path(backup_file).exists():
        raise BackupError(f"no backup at {backup_file}")
    if is_postgres(database):
        if not force and _postgres_has_events(database):
            raise BackupError("the database is not empty; restore into an empty one (or --force)")
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", f"--dbname={database}", backup_file])
        return
    target = Path(database)
    if target.exists() and target.stat().st_size and not force:
        raise BackupError(f"{database} exists; restore into a new file (or --force)")
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(backup_file) as source, sqlite3.connect(database) as copy:
        source.backup(copy)


def _postgres_has_events(database: str) -> bool:
    import psycopg

    with psycopg.connect(database) as conn:
        exists = conn.execute("SELECT to_regclass('public.iku_events')").fetchone()[0]
        return bool(exists) and conn.execute("SELECT EXISTS (SELECT 1 FROM iku_events)").fetchone()[0]


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL client tools)")
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:500]}")

"""The stores, decided once: a database named by a postgresql:// URL is PostgreSQL, anything
else a SQLite file. Each store says how eventsourcing opens it (its factory and settings),
how it is backed up and restored, and where the old default signing key lay beside it.
Nothing else looks at the database's name; the other layers pick their classes for a store
by the factory's `store` name (the view: projections/projector.py; the users' tables:
api/users/recorders.py)."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from domain.exceptions import StoreNotWritable
from inspector.catalog import _


class BackupError(RuntimeError):
    pass


class PostgresStore:
    name = "postgres"

    @staticmethod
    def matches(database: str) -> bool:
        return database.startswith(("postgresql://", "postgres://"))

    def persistence_env(self, database: str, *, readonly: bool = False) -> dict[str, str]:
        url = urlsplit(database)
        return {
            "PERSISTENCE_MODULE": "domain.store.postgres:IKUPostgresFactory",
            "POSTGRES_DBNAME": unquote(url.path.lstrip("/")) or "iku",
            "POSTGRES_HOST": url.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(url.port or 5432),
            "POSTGRES_USER": unquote(url.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(url.password or ""),
            # Check a pooled connection before use: after a restart of PostgreSQL or a lost
            # connection the service recovers at the next request instead of failing once
            # per stale connection.
            "POSTGRES_PRE_PING": "y",
            # A request waits at most this for a connection (sync workers hold one or two).
            "POSTGRES_CONNECT_TIMEOUT": "2",
            "POSTGRES_POOL_SIZE": "5",
            "POSTGRES_MAX_OVERFLOW": "10",
        }

    def backup(self, database: str, target: str) -> None:
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}", database])

    def restore(self, backup_file: str, database: str, *, force: bool) -> None:
        if not force and self._has_events(database):
            raise BackupError(_("basis data tidak kosong; pulihkan ke basis data yang kosong (atau --force)"))
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", f"--dbname={database}", backup_file])

    @staticmethod
    def _has_events(database: str) -> bool:
        import psycopg

        with psycopg.connect(database) as conn:
            exists = conn.execute("SELECT to_regclass('public.iku_events')").fetchone()[0]
            return bool(exists) and conn.execute("SELECT EXISTS (SELECT 1 FROM iku_events)").fetchone()[0]

    def legacy_key(self, database: str) -> Path:
        return Path("var/iku-signing-key.pem")


class SQLiteStore:
    name = "sqlite"

    @staticmethod
    def matches(database: str) -> bool:
        return True

    def persistence_env(self, database: str, *, readonly: bool = False) -> dict[str, str]:
        """`readonly`: for verification, which only reads; a file that cannot be written (a
        read-only copy or mount) is then opened read-only and immutable."""
        if "mode=memory" not in database:
            try:
                check_writable(Path(database))
                owner_only(Path(database))
            except Exception:
                if not readonly or not Path(database).exists():
                    raise
                return {"PERSISTENCE_MODULE": "domain.store.sqlite:IKUSQLiteFactory",
                        "SQLITE_DBNAME": f"file:{quote(str(Path(database).resolve()))}?mode=ro&immutable=1",
                        "CREATE_TABLE": "no"}
        return {"PERSISTENCE_MODULE": "domain.store.sqlite:IKUSQLiteFactory", "SQLITE_DBNAME": database}

    def backup(self, database: str, target: str) -> None:
        if not Path(database).exists():
            raise BackupError(_("tidak ada basis data di %(path)s", path=database))
        with sqlite3.connect(database) as source, sqlite3.connect(target) as copy:
            source.backup(copy)


    def restore(self, backup_file: str, database: str, *, force: bool) -> None:
        target = Path(database)
        if target.exists() and target.stat().st_size and not force:
            raise BackupError(_("%(path)s sudah ada; pulihkan ke berkas baru (atau --force)", path=database))
        target.parent.mkdir(parents=True, exist_ok=True)
        owner_only(target)
        with sqlite3.connect(backup_file) as source, sqlite3.connect(database) as copy:
            source.backup(copy)

    def legacy_key(self, database: str) -> Path:
        if "mode=memory" in database:
            return Path("var/iku-signing-key.pem")
        return Path(database).with_name("iku-signing-key.pem")


STORES = (PostgresStore(), SQLiteStore())  # the first that matches (SQLite takes the rest)


def store_for(database: str):
    return next(store for store in STORES if store.matches(database))


def persistence_env(database: str, *, readonly: bool = False) -> dict[str, str]:
    """The eventsourcing settings that open the database."""
    return store_for(database).persistence_env(database, readonly=readonly)


def backup(database: str, target: str) -> None:
    """Back up the whole database (events, view, users, tree, checkpoints) online: SQLite's
    backup API, or pg_dump; either is a consistent copy while the service runs. The signing
    key is not in the backup: keep it apart."""
    if Path(target).exists():
        raise BackupError(_("%(path)s sudah ada; pilih berkas baru", path=target))
    try:  # created private before a byte is written into it
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE))
    except OSError as e:
        raise BackupError(_("%(path)s tidak dapat dibuat: %(error)s", path=target, error=e.strerror)) from None
    try:
        store_for(database).backup(database, target)
    except BaseException:
        Path(target).unlink(missing_ok=True)
        raise


def restore(backup_file: str, database: str, *, force: bool = False) -> None:
    """Into an empty database only (or with force); `iku restore` then verifies the log."""
    if not Path(backup_file).exists():
        raise BackupError(_("tidak ada cadangan di %(path)s", path=backup_file))
    store_for(database).restore(backup_file, database, force=force)


PRIVATE = 0o600  # data files: readable and writable by their owner only


def owner_only(path: Path) -> None:
    """A SQLite database readable by its owner only: created so, or made so if it is ours.
    SQLite gives its -wal and -shm files the database file's permissions."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE))
        return
    except FileExistsError:
        pass
    info = path.stat()
    if info.st_uid == os.getuid() and info.st_mode & 0o077:
        os.chmod(path, PRIVATE)
        for side in ("-wal", "-shm"):
            if Path(f"{path}{side}").exists():
                os.chmod(f"{path}{side}", PRIVATE)


def check_writable(path: Path) -> None:
    """A SQLite database must be writable, with its folder (SQLite writes its -wal and -shm
    files beside it). Say so plainly, rather than failing later with 'unable to open'."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise StoreNotWritable(_("folder basis data %(path)s tidak dapat dibuat: %(error)s",
                                 path=path.parent, error=e.strerror)) from None
    for target in (path.parent, path):
        if target.exists() and not os.access(target, os.W_OK):
            raise StoreNotWritable((_(
                "folder basis data %(path)s hanya-baca (izin, atribut atau mount-nya): layanan "
                "menulis ke sana; jadikan dapat ditulis lalu mulai lagi", path=target)
                if target.is_dir() else _(
                "berkas basis data %(path)s hanya-baca (izin, atribut atau mount-nya): layanan "
                "menulis ke sana; jadikan dapat ditulis lalu mulai lagi", path=target)))


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(_("%(tool)s tidak terpasang (alat klien PostgreSQL)", tool=command[0]))
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(_("%(tool)s gagal: %(error)s", tool=command[0], error=result.stderr.strip()[:500]))

"""IKU_DATABASE → eventsourcing settings: a file path means SQLite, a postgresql:// URL
means PostgreSQL."""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

DEFAULT_DATABASE = "var/iku.sqlite3"


def database_from_environment() -> str:
    return os.environ.get("IKU_DATABASE") or DEFAULT_DATABASE


def persistence_env(database: str, *, readonly: bool = False) -> dict[str, str]:
    """`readonly`: for verification, which only reads; a SQLite file that cannot be written
    (a read-only copy or mount) is then opened read-only and immutable."""
    if database.startswith(("postgresql://", "postgres://")):
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
    if "mode=memory" not in database:
        try:
            check_writable(Path(database))
        except Exception as e:
            if not readonly or not Path(database).exists():
                raise
            return {"PERSISTENCE_MODULE": "domain.store.sqlite:IKUSQLiteFactory",
                    "SQLITE_DBNAME": f"file:{quote(str(Path(database).resolve()))}?mode=ro&immutable=1",
                    "CREATE_TABLE": "no"}
    return {
        "PERSISTENCE_MODULE": "domain.store.sqlite:IKUSQLiteFactory",
        "SQLITE_DBNAME": database,
    }


def check_writable(path: Path) -> None:
    """A SQLite database must be writable, with its folder (SQLite writes its -wal and -shm
    files beside it). Say so plainly, rather than failing later with 'unable to open'."""
    from domain.exceptions import StoreNotWritable

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise StoreNotWritable(f"cannot create the database folder {path.parent}: {e.strerror}") from None
    for target in (path.parent, path):
        if target.exists() and not os.access(target, os.W_OK):
            kind = "folder" if target.is_dir() else "file"
            raise StoreNotWritable(
                f"the database {kind} {target} is read-only (its permissions, attributes or "
                "mount): the service writes to it; make it writable and start again")

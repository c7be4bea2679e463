"""IKU_DATABASE → eventsourcing settings: a file path means SQLite, a postgresql:// URL
means PostgreSQL."""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

DEFAULT_DATABASE = "var/iku.sqlite3"


def database_from_environment() -> str:
    return os.environ.get("IKU_DATABASE") or DEFAULT_DATABASE


def persistence_env(database: str) -> dict[str, str]:
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
            "POSTGRES_CONNECT_TIMEOUT": "5",  # a request waits at most this for a connection
            "POSTGRES_POOL_SIZE": "5",
            "POSTGRES_MAX_OVERFLOW": "10",
        }
    if "mode=memory" not in database:
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    return {
        "PERSISTENCE_MODULE": "domain.store.sqlite:IKUSQLiteFactory",
        "SQLITE_DBNAME": database,
    }

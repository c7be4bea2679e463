"""The service's parts wired together once per process: the Agenda (event store and
commands), the activity view and its projector, the as-of calculator, and the users."""
from __future__ import annotations

import os
from zoneinfo import ZoneInfo

from domain.application import Agenda
from domain.store.config import database_from_environment
from pathlib import Path

from projections.audit import Checkpoints, Signer
from projections.calculator import AsOfCalculator
from projections.chain import Chain
from projections.periods import DEFAULT_TIMEZONE
from projections.projector import Projector

from .users import Users


class Services:
    def __init__(self, database: str | None = None, timezone: str | None = None,
                 *, create_tables: bool = True):
        """`create_tables=False` for a process joining a database whose tables exist (it
        saves the creation statements; concurrent creation itself is safe)."""
        self.database = database or database_from_environment()
        self.zone = ZoneInfo(timezone or os.environ.get("IKU_TIMEZONE") or DEFAULT_TIMEZONE)
        self.agenda = Agenda(self.database, env=None if create_tables else {"CREATE_TABLE": "no"})
        self.projector = Projector(self.agenda, self.zone)
        self.calculator = AsOfCalculator(self.agenda, self.projector)
        self.users = Users(self.agenda.factory.user_recorder())
        self.chain = Chain(self.agenda, self.projector.view)
        self.checkpoints = Checkpoints(self.chain, Signer(signing_key_path(self.database)))

    def store_failed(self) -> None:
        """After a lost or refused connection: replace the broken ones now (PostgreSQL)."""
        check_pool = getattr(self.agenda.factory, "check_pool", None)
        if check_pool is not None:
            try:
                check_pool()
            except Exception:  # noqa: BLE001 - the database may still be down
                pass

    def close(self) -> None:
        self.agenda.close()


def signing_key_path(database: str) -> str:
    """IKU_SIGNING_KEY, else a file beside the SQLite database (var/ for PostgreSQL)."""
    configured = os.environ.get("IKU_SIGNING_KEY")
    if configured:
        return configured
    if database.startswith(("postgresql://", "postgres://")) or "mode=memory" in database:
        return "var/iku-signing-key.pem"
    return str(Path(database).with_name("iku-signing-key.pem"))

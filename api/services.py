"""The service's parts wired together once per process: the Agenda (event store and
commands), the activity view and its projector, the as-of calculator, the users, and the
audit log (the Merkle tree's checkpoints, signed with a key kept outside the database)."""
from __future__ import annotations

import os
from zoneinfo import ZoneInfo

from domain.application import Agenda
from domain.store.config import database_from_environment, persistence_env
from inspector.note import Signer
from projections.audit.checkpoints import (
    DEFAULT_INTERVAL,
    Checkpoints,
    SignedHead,
    keys_from_setting,
    origin_from_environment,
    signing_key_path,
)
from projections.audit.migrate import migrate_to_tree, move_legacy_key
from projections.audit.tree import Tree
from projections.audit.verify import verify_store
from projections.calculator import AsOfCalculator
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
        self.checkpoints = audit_checkpoints(self.agenda, self.database, sign=True)
        self.tree = self.checkpoints.tree
        if create_tables:
            migrate_to_tree(self.agenda.recorder, host_signed=self.checkpoints.head.path.exists())
        self.agenda.after_commit.append(self.checkpoints.after_write)

    def verify(self):
        return verify_audit(self.agenda, self.checkpoints)

    def store_failed(self) -> None:
        """After a lost or refused connection: replace the broken ones now (PostgreSQL)."""
        check_pool = getattr(self.agenda.factory, "check_pool", None)
        if check_pool is not None:
            try:
                check_pool()
            except Exception:  # noqa: BLE001 - the database may still be down
                pass

    def close(self) -> None:
        self.checkpoints.close()
        self.agenda.close()


def audit_checkpoints(agenda: Agenda, database: str, *, sign: bool,
                      log_keys: list | None = None, witness_keys: list | None = None) -> Checkpoints:
    """The checkpoints of the database's log. The keys they are verified with come from the
    configuration (IKU_LOG_KEYS, IKU_WITNESS_KEYS: verifier keys or files of them), else the
    signing key's own; never from the database."""
    origin = origin_from_environment()
    signer = head = None
    if sign:
        move_legacy_key(database, signing_key_path())
        signer = Signer.from_file(origin, signing_key_path(), create=True)
        head = SignedHead(signing_key_path(), origin)
    configured = keys_from_setting(os.environ.get("IKU_LOG_KEYS"))
    if log_keys is None:
        log_keys = configured or ([signer.verifier] if signer else [])
    if witness_keys is None:
        witness_keys = keys_from_setting(os.environ.get("IKU_WITNESS_KEYS"))
    interval = float(os.environ.get("IKU_CHECKPOINT_INTERVAL") or DEFAULT_INTERVAL)
    return Checkpoints(agenda.recorder, signer, origin, interval=interval, log_keys=log_keys,
                       witness_keys=witness_keys, head=head)


def verify_audit(agenda: Agenda, checkpoints: Checkpoints):
    """`iku verify`: also against the last head this host's key signed, when it is here."""
    return verify_store(agenda.recorder, log_keys=checkpoints.log_keys,
                        witness_keys=checkpoints.witness_keys, origin=checkpoints.origin,
                        signed_head=SignedHead(signing_key_path(), checkpoints.origin).read(checkpoints.origin))


def readonly_agenda(database: str | None = None) -> Agenda:
    """The log opened for reading only (a read-only copy works): creates nothing."""
    database = database or database_from_environment()
    env = persistence_env(database, readonly=True)
    env["CREATE_TABLE"] = "no"
    return Agenda(env=env)


__all__ = ["Services", "Tree", "audit_checkpoints", "readonly_agenda", "verify_audit"]

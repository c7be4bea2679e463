"""The service's parts wired together once per process, from one `Config`: the Agenda
(event store and commands), the activity view and its projector, the as-of calculator,
the users, and the audit log (the Merkle tree's checkpoints, signed with a key kept
outside the database)."""
from __future__ import annotations

import logging
from dataclasses import replace
from zoneinfo import ZoneInfo

from domain.application import Agenda
from domain.exceptions import ZoneMismatch
from domain.store.clock import SystemClock
from domain.store.stores import persistence_env
from inspector.note import Signer
from projections.audit.checkpoints import Checkpoints, SignedHead, keys_from_setting
from projections.audit import seals
from projections.audit.migrate import add_seal_column, migrate_to_tree, move_legacy_key
from projections.audit.verify import verify_store
from projections.calculator import AsOfCalculator
from projections.projector import Projector, view_class
from projections.view_check import differences as view_differences

from .config import Config, evidence_folder
from .evidence import EvidenceStore
from .users import Users
from .users.ledger import AccountLedger
from .users.recorders import RECORDERS as USER_RECORDERS

log = logging.getLogger(__name__)
VIEW_REBUILT = "view_rebuilt"  # iku_meta: when the start last found the view changed, and how


class Services:
    def __init__(self, database: str | None = None, timezone: str | None = None,
                 *, create_tables: bool | None = None, config: Config | None = None):
        """From `config` (default: the environment's), with `database`, `timezone` and
        `create_tables=False` (a process joining a database whose tables exist: it saves
        the creation statements; concurrent creation itself is safe) overriding it."""
        config = config or Config.from_environment()
        config = replace(config, **{k: v for k, v in (
            ("database", database), ("timezone", timezone), ("create_tables", create_tables))
            if v is not None})
        self.config = config
        self.database = config.database
        self.zone = ZoneInfo(config.timezone)
        self.agenda = Agenda.on(self.database, **({} if config.create_tables else {"CREATE_TABLE": "no"}))
        check_zone(self.agenda, config.timezone)
        self.projector = Projector(self.agenda, self.zone, config.view_bucket_bits)
        self.calculator = AsOfCalculator(self.agenda, self.projector, config.indicators)
        self.checkpoints = audit_checkpoints(self.agenda, config, sign=True)
        self.users = Users(self.agenda.factory.extra_recorder(USER_RECORDERS), self.agenda,
                           AccountLedger(self.agenda.recorder, config.log_origin, self.checkpoints.log_keys))
        self.tree = self.checkpoints.tree
        self.evidence = EvidenceStore(evidence_folder(config), self.zone, config.evidence_max_bytes)
        if config.create_tables:
            migrate_to_tree(self.agenda.recorder, host_signed=self.checkpoints.head.path.exists())
            add_seal_column(self.agenda.recorder)
        # Every event this process appends is sealed with the log's key (docs/AUDIT.md); the
        # start that begins the seals also enters the accounts made before their histories.
        if seals.attach(self.agenda.recorder, self.checkpoints.signer, config.log_origin,
                        config.signing_key, create=config.create_tables):
            self.users.enter_accounts_of_before()
        self.checkpoints.sealer = self.agenda.recorder.sealer
        self.agenda.after_commit.append(self.checkpoints.after_write)

    def verify(self):
        return verify_audit(self.agenda, self.checkpoints, self.config)

    def check_view(self) -> list[str]:
        """At the service's start: the view against a fold of the log; one that disagrees
        is rebuilt from the log, and the service says so (its log, and health). Returns
        what differed."""
        self.projector.catch_up()
        found = view_differences(self.agenda, self.projector.view, self.zone)
        if found:
            log.error("the view differs from the log (changed beneath the service): %s; it is rebuilt from the log",
                      "; ".join(found))
            self.projector.rebuild()
            self.agenda.recorder.put_state(VIEW_REBUILT, f"{SystemClock().now()} {found[0]}"[:1000])
        return found

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


def check_zone(agenda: Agenda, timezone: str) -> None:
    """A database's timezone is fixed by the first process that opens it (written with
    it); any later process configured otherwise refuses to start, rather than rebuild the
    shared view back and forth."""
    stored = agenda.recorder.set_mark_once("timezone", timezone)
    if stored != timezone:
        raise ZoneMismatch(f"this database's timezone is {stored}, but this process is configured "
                           f"with {timezone} (IKU_TIMEZONE): set IKU_TIMEZONE={stored}")


def audit_checkpoints(agenda: Agenda, config: Config, *, sign: bool,
                      log_keys: list | None = None, witness_keys: list | None = None) -> Checkpoints:
    """The checkpoints of the database's log. The keys they are verified with come from the
    configuration (IKU_LOG_KEYS, IKU_WITNESS_KEYS: verifier keys or files of them), else the
    signing key's own; never from the database."""
    origin = config.log_origin
    signer = head = None
    if sign:
        move_legacy_key(config.database, config.signing_key, configured=config.signing_key_configured)
        signer = Signer.from_file(origin, config.signing_key, create=True)
        head = SignedHead(config.signing_key, origin)
    configured = keys_from_setting(config.log_keys)
    if log_keys is None:
        log_keys = configured or ([signer.verifier] if signer else [])
    if witness_keys is None:
        witness_keys = keys_from_setting(config.witness_keys)
    return Checkpoints(agenda.recorder, signer, origin, interval=config.checkpoint_interval,
                       log_keys=log_keys, witness_keys=witness_keys, head=head)


def verify_audit(agenda: Agenda, checkpoints: Checkpoints, config: Config):
    """`iku verify`: also against the last head this host's key signed, when it is here;
    the users' tables against the log's accounts, and the view against a fold of the log."""
    live = agenda.factory.tracking_recorder(view_class(agenda))
    sealed_from = seals.SealBoundary(config.signing_key).read(checkpoints.origin)
    return verify_store(agenda.recorder, log_keys=checkpoints.log_keys,
                        witness_keys=checkpoints.witness_keys, origin=checkpoints.origin,
                        signed_head=SignedHead(config.signing_key, checkpoints.origin).read(checkpoints.origin),
                        sealed_from=sealed_from, own=seals.own_sealer(config.signing_key, checkpoints, sealed_from),
                        users=agenda.factory.extra_recorder(USER_RECORDERS).list_users,
                        view=lambda: view_differences(agenda, live, ZoneInfo(config.timezone)))


def readonly_agenda(database: str) -> Agenda:
    """The log opened for reading only (a read-only copy works): creates nothing."""
    env = persistence_env(database, readonly=True)
    env["CREATE_TABLE"] = "no"
    return Agenda(env=env)


__all__ = ["Services", "audit_checkpoints", "readonly_agenda", "verify_audit"]

"""Who could do what, when — from the leaves alone (docs/AUDIT.md, "Roles from the log").

Every change of a user's access is an account event in the log (AccountCreated,
RoleChanged, AccountDisabled, AccountEnabled, PasswordReset, PasswordChanged, TokenIssued,
ProfileChanged). Folded in log order — which is recorded_at order — they give each user's
role at the instant each event was recorded, and so whether its actor was allowed to cause
it: the role table of SPEC §8 as the service decided it (docs/RULES.md), here, where the
inspector can copy it alone; the service enforces this same table (its permissions.py
imports it).

`Accounts` is the fold (the service builds the role it obeys with it too); `Authorship`
checks each event against it. The operator's command line acts as `system:…` (the host's
own, e.g. `system:cli`, `system:import:FILE`): it may do what an admin may.

Standard library only, like the rest of the inspector.
"""
from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, replace

from .catalog import _

UCAPAN = ("request_ucapan", "deliver_ucapan", "cancel_ucapan", "retract_delivery")
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset({
        "read", "export", "schedule", "reschedule", "cancel", "record_protocol",
        "retract_protocol", "record_documentation", "retract_documentation", "upload_evidence",
        "manage_users", "read_access", "set_targets", "submit_reports", *UCAPAN,
    }),
    "protokol": frozenset({
        "read", "schedule", "reschedule", "cancel", "record_protocol", "retract_protocol", *UCAPAN,
        "upload_evidence",
    }),
    "dokumentasi": frozenset({"read", "record_documentation", "retract_documentation", "upload_evidence"}),
    "pimpinan": frozenset({"read", "read_access", "set_targets", "submit_reports"}),
    "inspektorat": frozenset({"read", "read_access", "export", "cosign"}),
}

ACTIVITY = "domain.model:Activity."
UCAPAN_TOPIC = "domain.ucapan:Ucapan."
TARGET = "domain.targets:IndicatorTarget."
REPORT = "domain.reports:PeriodReport."
ACCOUNT = "domain.accounts:UserAccount."

# The permission each event needs (EntryRetracted: by the kind of entry it retracts).
PERMISSION = {
    ACTIVITY + "ActivityScheduled": "schedule", ACTIVITY + "ActivityRescheduled": "reschedule",
    ACTIVITY + "ActivityCancelled": "cancel", ACTIVITY + "ProtocolServed": "record_protocol",
    ACTIVITY + "Documented": "record_documentation",
    UCAPAN_TOPIC + "UcapanRequested": "request_ucapan", UCAPAN_TOPIC + "UcapanDelivered": "deliver_ucapan",
    UCAPAN_TOPIC + "UcapanCancelled": "cancel_ucapan", UCAPAN_TOPIC + "DeliveryRetracted": "retract_delivery",
    TARGET + "TargetSet": "set_targets", TARGET + "TargetChanged": "set_targets",
    REPORT + "ReportOpened": "submit_reports", REPORT + "ReportSubmitted": "submit_reports",
    REPORT + "ReportReopened": "submit_reports",
    **{ACCOUNT + k: "manage_users" for k in ("AccountCreated", "RoleChanged", "AccountDisabled",
                                             "AccountEnabled", "ProfileChanged", "PasswordReset",
                                             "TokenIssued", "CredentialsRecorded")},
}
OWN = ACCOUNT + "PasswordChanged"  # the user's own change: the actor is the account itself
RETRACTION = ACTIVITY + "EntryRetracted"
OPERATOR = "system:"  # the prefix of the host's own actors (the command line)


def _what(permission: str) -> str:
    return {
        "schedule": _("menjadwalkan kegiatan"), "reschedule": _("menjadwal ulang kegiatan"),
        "cancel": _("membatalkan kegiatan"), "record_protocol": _("mencatat pelayanan keprotokolan"),
        "retract_protocol": _("menarik catatan pelayanan keprotokolan"),
        "record_documentation": _("mencatat dokumentasi"), "retract_documentation": _("menarik catatan dokumentasi"),
        "request_ucapan": _("mencatat permintaan ucapan"), "deliver_ucapan": _("mencatat penyampaian ucapan"),
        "cancel_ucapan": _("membatalkan ucapan"), "retract_delivery": _("menarik catatan penyampaian ucapan"),
        "set_targets": _("menetapkan target"), "submit_reports": _("menyampaikan laporan"),
        "manage_users": _("mengubah akses pengguna"),
    }.get(permission, permission)


def account_id(name: str) -> str:
    """The aggregate id of a user's account (domain/accounts.py), 32 hex digits."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"/iku/users/{name.lower()}").hex


# What a credential is when the event that set it is of before the credentials (it says
# nothing of it): never equal to one, so such a token or password is not obeyed until the
# upgrade records it (CredentialsRecorded).
UNKNOWN = "unknown"


def credential(secret_digest: str) -> str:
    """What an account event says of a token or password it sets: the SHA-256 of what the
    users' table keeps (a token's SHA-256, a password's argon2 hash), never a secret; the
    service obeys a table row only if it hashes to it."""
    return hashlib.sha256(("iku-credential/v1\n" + secret_digest).encode()).hexdigest()


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    disabled: bool = False
    token: str | None = None  # the credential of the token that works, if any
    password: str | None = None  # the credential of the web password, if any
    had_password: bool = False
    position: int = 0  # of the last account event folded
    version: int = 0


class Accounts:
    """The fold of account events, in log order: each user's access as last recorded."""

    def __init__(self):
        self.by_id: dict[str, Account] = {}
        self.anomalies: list[tuple[int, str]] = []

    def of(self, name: str) -> Account | None:
        return self.by_id.get(account_id(name))

    def feed(self, position: int, aggregate_id: str, version: int, topic: str, event: dict) -> None:
        if not topic.startswith(ACCOUNT):
            return
        kind = topic[len(ACCOUNT):]
        account = self.by_id.get(aggregate_id)
        if kind == "AccountCreated":
            name = event.get("name")
            if not isinstance(name, str) or account_id(name) != aggregate_id or account is not None:
                self.anomalies.append((position, _("akun yang dibuat tidak pada id namanya, atau dibuat dua kali")))
                return
            password = event.get("password", UNKNOWN)
            account = Account(name, str(event.get("role")), bool(event.get("disabled")),
                              token=event.get("token", UNKNOWN), password=password, had_password=password is not None)
        elif account is None:
            self.anomalies.append((position, _("peristiwa akun tanpa AccountCreated-nya")))
            return
        elif kind == "RoleChanged":  # a change of access ends the token (api/users)
            account = replace(account, role=str(event.get("role")), token=None)
        elif kind == "AccountDisabled":
            account = replace(account, disabled=True, token=None)
        elif kind == "AccountEnabled":
            account = replace(account, disabled=False)
        elif kind == "TokenIssued":
            account = replace(account, token=event.get("credential", UNKNOWN))
        elif kind == "PasswordReset":  # the first password set ends nothing
            account = replace(account, password=event.get("credential", UNKNOWN), had_password=True,
                              token=account.token if not account.had_password else None)
        elif kind == "PasswordChanged":
            account = replace(account, password=event.get("credential", UNKNOWN), had_password=True)
        elif kind == "CredentialsRecorded":
            password = event.get("password")
            account = replace(account, password=password, token=event.get("token"),
                              had_password=account.had_password or password is not None)
        self.by_id[aggregate_id] = replace(account, position=position, version=version)


class Authorship:
    """Each event against its actor's role when it was recorded. Feed every event in log
    order; `failure(...)` says why one was not the actor's to cause (None: it was). Events
    before `checked_from` (a log's events of before the seals, whose accounts may not all be
    in the log) are folded, not judged: `unchecked` counts those."""

    def __init__(self, checked_from: int | None = 1):
        self.accounts = Accounts()
        self.checked_from = checked_from
        self.kinds: dict[tuple[str, int], str] = {}  # (activity, version) → protocol | documentation
        self.checked = 0
        self.unchecked = 0

    def failure(self, position: int, aggregate_id: str, version: int, topic: str, event: dict) -> str | None:
        needed = self._needed(aggregate_id, version, topic, event)
        if topic.endswith((".ProtocolServed", ".Documented")) and topic.startswith(ACTIVITY):
            self.kinds[(aggregate_id, version)] = "protocol" if topic.endswith(".ProtocolServed") else "documentation"
        problem = None
        if needed is not None and self.checked_from is not None and position >= self.checked_from:
            problem = self._judge(position, aggregate_id, topic, event.get("actor"), needed)
            self.checked += 1
        elif needed is not None:
            self.unchecked += 1
        self.accounts.feed(position, aggregate_id, version, topic, event)
        return problem

    def _needed(self, aggregate_id, version, topic, event) -> str | None:
        if topic == RETRACTION:
            kind = self.kinds.get((aggregate_id, event.get("retracted_version")))
            return f"retract_{kind}" if kind else "retract_protocol"
        if topic == OWN:
            return OWN
        return PERMISSION.get(topic)

    def _judge(self, position, aggregate_id, topic, actor, needed) -> str | None:
        if not isinstance(actor, str) or not actor:
            return _("peristiwa pada posisi %(p)s tidak menyebut pelakunya", p=position)
        if actor.startswith(OPERATOR):
            return None  # the host's command line: the operator
        account = self.accounts.of(actor)
        if account is None:
            return _("peristiwa pada posisi %(p)s: %(actor)s tidak punya akun di log saat itu",
                     p=position, actor=actor)
        if account.disabled:
            return _("peristiwa pada posisi %(p)s: akun %(actor)s nonaktif saat itu", p=position, actor=actor)
        if needed == OWN:
            if account_id(actor) != aggregate_id:
                return _("peristiwa pada posisi %(p)s: %(actor)s mengubah kata sandi akun lain",
                         p=position, actor=actor)
            return None
        if needed not in ROLE_PERMISSIONS.get(account.role, ()):
            return _("peristiwa pada posisi %(p)s: %(actor)s berperan %(role)s saat itu dan tidak boleh %(what)s",
                     p=position, actor=actor, role=account.role, what=_what(needed))
        return None


__all__ = ["UNKNOWN", "Account", "Accounts", "Authorship", "ROLE_PERMISSIONS", "account_id", "credential"]

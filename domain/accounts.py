"""Who may do what, when: every change to a user's access is an event in the log, with the
admin who made it (`actor`) and why (`reason`), so that the Inspektorat can answer "who
could do what, when?" from the audited log rather than from a table an operator can edit.

One aggregate per user name (names are compared lower-case). Secrets are never in an event:
a password change or reset says that it happened, not what the password is; a token issued
says so, not the token. Each carries instead its `credential`: the SHA-256 of what the
users' tables keep for it (a token's SHA-256, a password's salted argon2 hash), from which
nothing can be guessed, and against which the service checks the table before it obeys it
(inspector/roles.py). The users' tables (api/users) hold the secrets and the state a
request checks, written in the same transaction as these events."""
from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from .exceptions import DomainError, InvalidActivityData
from .recorded import ActedAggregate


class AccountStateConflict(DomainError):
    """Disabling a disabled account, enabling an enabled one, giving the role it has."""


def _reason(reason: str | None) -> str:
    if not reason or not reason.strip():
        raise InvalidActivityData("a change of access needs a reason", field="reason")
    return " ".join(reason.split())


class UserAccount(ActedAggregate):
    @staticmethod
    def create_id(name: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"/iku/users/{name.lower()}")

    @event("AccountCreated")
    def __init__(self, name: str, role: str, full_name: str = "", nip: str = "", jabatan: str = "",
                 reason: str | None = None, existed_since: int | None = None, disabled: bool = False,
                 password: str | None = None, token: str | None = None):
        """`existed_since`: an account made before its history was kept, entered into it
        at its first change (the microseconds it was made at; `disabled` as it was then).
        `password`, `token`: the credentials of those it has from the start."""
        self.name = name
        self.role = role
        self.full_name, self.nip, self.jabatan = full_name, nip, jabatan
        self.disabled = disabled

    def change_role(self, role: str, reason: str | None) -> None:
        if role == self.role:
            raise AccountStateConflict(f"{self.name!r} already has the role {role!r}", field="role")
        self._change_role(role=role, reason=_reason(reason))

    @event("RoleChanged")
    def _change_role(self, role: str, reason: str) -> None:
        self.role = role

    def disable(self, reason: str | None) -> None:
        if self.disabled:
            raise AccountStateConflict(f"{self.name!r} is already disabled")
        self._disable(reason=_reason(reason))

    @event("AccountDisabled")
    def _disable(self, reason: str) -> None:
        self.disabled = True

    def enable(self, reason: str | None) -> None:
        if not self.disabled:
            raise AccountStateConflict(f"{self.name!r} is not disabled")
        self._enable(reason=_reason(reason))

    @event("AccountEnabled")
    def _enable(self, reason: str) -> None:
        self.disabled = False

    def change_profile(self, full_name: str, nip: str, jabatan: str, reason: str | None) -> None:
        self._change_profile(full_name=full_name, nip=nip, jabatan=jabatan, reason=_reason(reason))

    @event("ProfileChanged")
    def _change_profile(self, full_name: str, nip: str, jabatan: str, reason: str) -> None:
        self.full_name, self.nip, self.jabatan = full_name, nip, jabatan

    def reset_password(self, reason: str | None, credential: str | None = None) -> None:
        """An admin (or the operator) set a new password: the user's sessions end."""
        self._reset_password(reason=_reason(reason), credential=credential)

    @event("PasswordReset")
    def _reset_password(self, reason: str, credential: str | None = None) -> None:
        pass

    @event("PasswordChanged")
    def change_own_password(self, credential: str | None = None) -> None:
        """The user changed their own password (their other sessions end)."""

    def issue_token(self, reason: str | None, credential: str | None = None) -> None:
        self._issue_token(reason=_reason(reason), credential=credential)

    @event("TokenIssued")
    def _issue_token(self, reason: str, credential: str | None = None) -> None:
        pass

    @event("CredentialsRecorded")
    def record_credentials(self, password: str | None, token: str | None) -> None:
        """At the upgrade that begins the log's seals: the credentials the tables hold then,
        which the log did not yet say, so that from then on the log's are obeyed."""

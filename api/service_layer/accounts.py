"""The commands and queries of users' access, for the pages and the CLI alike (as
commands.py and queries.py for the records): the role is checked, the values normalised,
and the change made through `Users`, which records it as an account event with who and
why (domain/accounts.py). Kept apart from commands.py: these concern people, not records."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from domain.application import RecordedEvent
from domain.exceptions import InvalidActivityData, NotPermitted
from domain.store.clock import to_datetime, to_micros

from ..users import ROLES, UnknownUser, User
from .permissions import require

NIP_DIGITS = 18  # Nomor Induk Pegawai: 18 digits, often written "19780512 200312 1 004"
LONGEST = 120  # a full name or a jabatan


def _printable(text: str, field: str) -> str:
    """Text a person typed: no control characters (a NUL, an escape), valid UTF-8."""
    if not text.isprintable():
        raise InvalidActivityData("Not valid text (a control character).", field=field)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidActivityData("Not valid text (a lone surrogate).", field=field) from None
    return text


def _reason(reason: str | None) -> str:
    text = _printable(" ".join((reason or "").split()), "reason")
    if not text:
        raise InvalidActivityData("Missing data for required field.", field="reason")
    if len(text) > 500:
        raise InvalidActivityData("Longer than maximum length 500.", field="reason")
    return text


def profile(full_name: str | None, nip: str | None, jabatan: str | None) -> dict:
    """Full name and jabatan with single spaces, the NIP as its 18 digits (or nothing)."""
    values = {}
    for field, value in (("full_name", full_name), ("jabatan", jabatan)):
        text = _printable(" ".join((value or "").split()), field)
        if len(text) > LONGEST:
            raise InvalidActivityData(f"Longer than maximum length {LONGEST}.", field=field)
        values[field] = text
    digits = "".join((nip or "").split())
    if digits and not (digits.isascii() and digits.isdigit() and len(digits) == NIP_DIGITS):
        raise InvalidActivityData("a NIP is 18 digits", field="nip")
    values["nip"] = digits
    return values


def _role(role: str) -> None:
    if not role:
        raise InvalidActivityData("Missing data for required field.", field="role")
    if role not in ROLES:
        raise InvalidActivityData("Must be one of: " + ", ".join(ROLES), field="role")


def _not_yourself(user: User, name: str, what: str) -> None:
    """An admin does not lock themselves out: another admin changes their access."""
    if name.lower() == user.name.lower():
        raise NotPermitted(f"an admin may not {what} their own account; another admin does")


def users(svc, user) -> list[User]:
    require(user, "manage_users")
    return svc.users.all()


def user(svc, user, name: str) -> User | None:
    require(user, "manage_users")
    return svc.users.get(name)


def create_user(svc, user, *, name: str, role: str, password: str, full_name=None, nip=None,
                jabatan=None, reason=None) -> None:
    require(user, "manage_users")
    _role(role)
    svc.users.create(name, role, password=password, **profile(full_name, nip, jabatan),
                     reason=_reason(reason) if (reason or "").strip() else None, token=False, by=user.name)


def change_role(svc, user, name: str, *, role: str, reason) -> None:
    require(user, "manage_users")
    _not_yourself(user, name, "change the role of")
    _role(role)
    svc.users.set_role(name, role, _reason(reason), by=user.name)


def set_disabled(svc, user, name: str, *, disabled: bool, reason) -> None:
    require(user, "manage_users")
    _not_yourself(user, name, "disable")
    svc.users.set_disabled(name, disabled, _reason(reason), by=user.name)


def change_profile(svc, user, name: str, *, full_name, nip, jabatan, reason) -> None:
    require(user, "manage_users")
    svc.users.change_profile(name, **profile(full_name, nip, jabatan), reason=_reason(reason), by=user.name)


def reset_password(svc, user, name: str, *, reason) -> str:
    """A new password for the user, made here and shown once to the admin (who hands it
    over); the user's sessions and token end."""
    require(user, "manage_users")
    password = secrets.token_urlsafe(12)
    svc.users.set_password(name, password, _reason(reason), by=user.name)
    return password


def issue_token(svc, user, name: str, *, reason) -> str:
    """An API token for the user (shown once); the one they had stops working."""
    require(user, "manage_users")
    token = svc.users.new_token(name, _reason(reason), by=user.name)
    if token is None:
        raise UnknownUser(f"no user {name!r}")
    return token


def change_own_password(svc, user, *, current: str, new: str, **login) -> None:
    """Anyone signed in; the present password is checked as a login is (and throttled)."""
    svc.users.change_own_password(user.name, current, new, **login)


# Who could do what, when ---------------------------------------------------------------

@dataclass(frozen=True)
class AccountAt:
    """A user's access as known at an instant (`recorded`: whether its history was kept
    by then; an account made before histories were kept shows as it is now)."""

    name: str
    role: str
    disabled: bool
    full_name: str
    recorded: bool


@dataclass(frozen=True)
class AccessChange:
    """One recorded change of a user's access, as the pages show it."""

    name: str
    recorded_at: datetime
    actor: str
    type: str
    role: str | None
    reason: str | None
    existed_since: datetime | None
    position: int
    previous_role: str | None = None  # what a RoleChanged changed from


def changes_of(name: str, events: list[RecordedEvent]) -> list[AccessChange]:
    """An account's events as changes, in order, each role change with the role before it."""
    out, role = [], None
    for event in events:
        existed = event.data.get("existed_since")
        out.append(AccessChange(name, event.recorded_at, event.actor, event.type, event.data.get("role"),
                                event.data.get("reason"), None if existed is None else to_datetime(existed),
                                event.position, role if event.type == "RoleChanged" else None))
        role = event.data.get("role", role)
    return out


@dataclass(frozen=True)
class AccessHistory:
    as_of: datetime | None
    changes: list[AccessChange]  # every change, latest first
    accounts: list[AccountAt]  # who could do what at as_of (or now)


def account_history(svc, user, name: str) -> list[AccessChange]:
    """One user's recorded changes, latest first."""
    require(user, "manage_users")
    return list(reversed(changes_of(name, svc.agenda.accounts([name]).get(name.lower(), []))))


def access_history(svc, user, as_of: datetime | None = None) -> AccessHistory:
    """Every recorded change of access, and each account as it was at as_of: made later,
    not listed; made before its history was kept, shown as first recorded (`recorded`
    False) until its first recorded change."""
    require(user, "read_access")
    present = {u.name.lower(): u for u in svc.users.all()}
    histories = svc.agenda.accounts(list(present))
    accounts, shown = [], []
    for key, current in sorted(present.items()):
        events = histories.get(key, [])
        known = [e for e in events if as_of is None or e.recorded_at <= as_of]
        shown += changes_of(current.name, known)
        if not events:  # made before histories were kept, never changed since
            accounts.append(AccountAt(current.name, current.role, current.disabled, current.full_name, False))
            continue
        first = events[0].data
        if not known:
            existed = first.get("existed_since")
            if existed is not None and existed <= to_micros(as_of):
                accounts.append(AccountAt(current.name, first["role"], bool(first.get("disabled")),
                                          first.get("full_name", ""), False))
            continue
        state: dict = {}
        for event in known:
            state.update({k: v for k, v in event.data.items() if k in ("role", "full_name", "disabled")})
            if event.type in ("AccountDisabled", "AccountEnabled"):
                state["disabled"] = event.type == "AccountDisabled"
        accounts.append(AccountAt(current.name, state["role"], bool(state.get("disabled")),
                                  state.get("full_name", ""), True))
    shown.sort(key=lambda e: e.position, reverse=True)
    return AccessHistory(as_of=as_of, changes=shown, accounts=accounts)

"""Users and their roles (SPEC §8).

- Every change of a user's access is an account event in the log (domain/accounts.py),
  written with the tables in one transaction: "who could do what, when" is audited.
- API tokens are issued on request and shown once; only their SHA-256 is stored (tokens
  are 256 random bits, so a fast hash is enough to protect them).
- User names are lower-case; a login's name is compared without regard to case.

Longer than 300 lines because every change of access is here, each with the table
statements it writes in its event's transaction: none may be written another way.
- Web passwords are stored as argon2 hashes. Failed logins are throttled by user, by
  client address and by browser (`throttle.py`, docs/RULES.md)."""
from __future__ import annotations

import functools
import hashlib
import logging
import re
import secrets
import threading
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from eventsourcing.persistence import IntegrityError

from domain.accounts import UserAccount
from domain.context import acting_as
from domain.exceptions import ConcurrentWrite, DomainError, InvalidActivityData
from domain.store.clock import SystemClock
from inspector.roles import UNKNOWN, credential

from . import recorders as tables
from . import throttle

ROLES = ("admin", "protokol", "dokumentasi", "pimpinan", "inspektorat")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class User:
    name: str
    role: str
    full_name: str = ""
    nip: str = ""
    jabatan: str = ""
    disabled: bool = False
    has_password: bool = False

    @property
    def display_name(self) -> str:
        """How reports name the user: the full name if known, else the login name."""
        return self.full_name or self.name


def _user(record: dict, account) -> User:
    """A user as the tables hold them, with the access the log gives (`account`)."""
    return User(record["name"], account.role, record["full_name"], record["nip"], record["jabatan"],
                account.disabled, record["password_hash"] is not None)


OPERATOR = "system:cli"  # the actor of a change made with `iku users` (the operator)
UPGRADE = "system:upgrade"  # the actor of the accounts the upgrade enters into the log
UNEXPLAINED = "(tanpa keterangan)"  # the reason of a change made by a caller that gave none

MIN_PASSWORD = 10
NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")

class _Hasher(PasswordHasher):
    """argon2 takes 64 MiB a hash: at most two at once in a process, whatever its threads
    (`iku serve` answers with 16 a worker; 20 logins at once would take 1.3 GiB)."""

    _at_once = threading.BoundedSemaphore(2)

    def hash(self, password, **options):
        with self._at_once:
            return super().hash(password, **options)

    def verify(self, hash, password):  # noqa: A002 - the library's name
        with self._at_once:
            return super().verify(hash, password)


_hasher = _Hasher()


def check_name(name: str) -> str:
    """A new user's name, lower-case: 1–64 letters, digits, '.', '_' or '-' (so that it is
    typed alike on every keyboard and compared without regard to case)."""
    if name != name.strip():
        raise InvalidActivityData("a user name has no spaces around it", field="name")
    folded = name.lower()
    if not NAME.fullmatch(folded):
        raise InvalidActivityData("a user name is 1–64 letters, digits, '.', '_' or '-'", field="name")
    return folded


@functools.cache
def _dummy_hash() -> str:
    """Hashed on first need, not at import: argon2 takes its 64 MiB then, not in every
    process that imports this module (the rebuild, the CLI)."""
    return _hasher.hash("not a password of anyone")


class UserExists(DomainError):
    """A user of that name (in any case) exists."""

    field = "name"


class UnknownUser(DomainError):
    """No user of that name."""


class LastAdmin(DomainError):
    """Disabling or demoting the last enabled admin (nobody could manage users then)."""


class LoginRefused(Exception):
    """Wrong name or password, or locked out (`locked_for` seconds)."""

    def __init__(self, locked_for: int = 0):
        super().__init__("login refused")
        self.locked_for = locked_for


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Users:
    """Users and their access. Every change is an account event in the log (who made it,
    why: domain/accounts.py) written with the users' tables in one transaction."""

    def __init__(self, recorder, agenda, ledger):
        self.recorder = recorder
        self.agenda = agenda
        self.ledger = ledger  # the access the log gives: what is obeyed (ledger.py)

    def _obeyed(self, record: dict | None):
        """The log's account of a table row, if the row may be obeyed: the log made the user,
        and the table agrees with it (a row edited beneath the service is named in the
        service's log and not obeyed: the log's access is)."""
        if record is None:
            return None
        account = self.ledger.account(record["name"])
        if account is None:
            log.error("the users' table holds %r, whom the log never made: not obeyed (run iku verify)",
                      record["name"])
            return None
        if account.role != record["role"] or account.disabled != bool(record["disabled"]):
            log.error("the users' table gives %r the role %r%s; the log gives %r%s: the log is obeyed "
                      "(run iku verify)", record["name"], record["role"], " (disabled)" if record["disabled"] else "",
                      account.role, " (disabled)" if account.disabled else "")
        return account

    def _twins(self, name: str) -> list[str]:
        """Other rows of the name in other capitals (made before names were folded)."""
        return [r["name"] for r in self.recorder.list_users()
                if r["name"].lower() == name.lower() and r["name"] != name]

    def _change(self, name: str, change, statements, by: str):
        """Apply `change` to the account of an existing user with the table statements."""
        record = self.recorder.login_record(name)
        if record is None:
            raise UnknownUser(f"no user {name!r}")
        stored = record["name"]
        twins = self._twins(stored)
        if twins:  # made in other capitals before names were folded: one history cannot hold both
            raise UserExists(f"{stored!r} and {twins[0]!r} differ only in case; rename one "
                             "(iku users create a new name, then disable the old one)")

        def on(account):
            if account is None:  # a row the log never made (beneath the service): not obeyed
                raise UnknownUser(f"no user {name!r} in the log")
            change(account)
            return account

        with acting_as(by):
            return self.agenda.change_account(stored, on, statements(stored, record))

    def enter_accounts_of_before(self) -> list[str]:
        """At the start that begins the log's seals (an upgrade): every user of the tables
        that the log never made is entered into it as the tables hold them (AccountCreated,
        `existed_since`), and the credentials of those it made are recorded where it did not
        say them (CredentialsRecorded), so that from then on the log's access is the one
        obeyed. Never at a later start: a row without its account is then one made beneath
        the service."""
        entered = []
        for record in self.recorder.list_users():
            if self._twins(record["name"]):
                log.error("the users %r and %r differ only in case: neither enters the log (rename one)",
                          record["name"], self._twins(record["name"])[0])
                continue
            account = self.ledger.account(record["name"])
            if account is not None and UNKNOWN not in (account.password, account.token):
                continue  # the log says its credentials: the log's are obeyed
            password = credential(record["password_hash"]) if record["password_hash"] else None
            token = credential(record["token_sha256"])

            def enter(account, record=record, password=password, token=token):
                if account is None:
                    return UserAccount(
                        name=record["name"], role=record["role"], full_name=record["full_name"],
                        nip=record["nip"], jabatan=record["jabatan"], existed_since=record["created_at"],
                        disabled=bool(record["disabled"]), password=password, token=token)
                account.record_credentials(password=password, token=token)
                return account

            with acting_as(UPGRADE):
                self.agenda.change_account(record["name"], enter, [])
            entered.append(record["name"])
        if entered:
            log.warning("the access of %d users made or changed before the seals entered the log: %s",
                        len(entered), ", ".join(entered))
        return entered

    def create(self, name: str, role: str, *, password: str | None = None, full_name: str = "",
               nip: str = "", jabatan: str = "", reason: str | None = None, token: bool = True,
               by: str = OPERATOR) -> str | None:
        """Make a user (AccountCreated); the new API token if `token`, shown once."""
        if role not in ROLES:
            raise InvalidActivityData(f"unknown role {role!r}: one of {', '.join(ROLES)}", field="role")
        name = check_name(name)
        if password is not None:
            _check_password(password)
        issued = "iku_" + secrets.token_urlsafe(32) if token else None
        statements = [*tables.insert_user(name, role, _digest(issued or _unusable()), SystemClock().now()),
                      *tables.set_profile(name, full_name, nip, jabatan)]
        hashed = _hasher.hash(password) if password is not None else None
        if hashed is not None:
            statements += tables.set_password_hash(name, hashed)
        if self.recorder.login_record(name) is not None:
            raise UserExists(f"user {name!r} exists")

        def create(account):
            if account is not None:
                raise UserExists(f"user {name!r} exists")
            made = UserAccount(name=name, role=role, full_name=full_name, nip=nip, jabatan=jabatan,
                               reason=" ".join(reason.split()) if reason else None,
                               password=credential(hashed) if hashed is not None else None)
            if issued:  # a token issued with the account is in its history too
                made.issue_token(" ".join(reason.split()) if reason else UNEXPLAINED, credential(_digest(issued)))
            return made

        with acting_as(by):
            try:
                self.agenda.change_account(name, create, statements)
            except (ConcurrentWrite, IntegrityError):
                raise UserExists(f"user {name!r} exists") from None
        return issued

    def new_token(self, name: str, reason: str | None = None, by: str = OPERATOR) -> str | None:
        """A new API token (the old one stops working), shown once; None: no such user."""
        token = "iku_" + secrets.token_urlsafe(32)
        try:
            self._change(name, lambda a: a.issue_token(reason or UNEXPLAINED, credential(_digest(token))),
                         lambda stored, _: tables.replace_token(stored, _digest(token)), by)
        except UnknownUser:
            return None
        return token

    def authenticate(self, token: str) -> User | None:
        """The user of a token, if the log issued it to them (its credential is the log's)."""
        digest = _digest(token)
        found = self.recorder.find_by_token(digest)
        if not found:
            return None
        account = self._obeyed({"name": found[0], "role": found[1], "disabled": False})
        if account is None or account.disabled:
            return None
        if account.token != credential(digest):
            log.error("the users' table gives %r a token the log never issued: not obeyed (run iku verify)",
                      found[0])
            return None
        return User(found[0], account.role)

    def all(self) -> list[User]:
        """Every user the log made, with the access it gives (a row it never made is left out)."""
        users = []
        for record in self.recorder.list_users():
            account = self._obeyed(record)
            if account is not None:
                users.append(_user(record, account))
        return users

    def set_password(self, name: str, password: str, reason: str | None = None, by: str = OPERATOR) -> None:
        """A password set by the operator or an admin (PasswordReset) ends every session and
        the token of the user (the first one, set after the user is made, ends nothing)."""
        _check_password(password)
        hashed = _hasher.hash(password)
        self._change(name, lambda a: a.reset_password(reason or UNEXPLAINED, credential(hashed)),
                     lambda stored, record: [*tables.set_password_hash(stored, hashed),
                                             *(_end(stored) if record["password_hash"] else [])], by)
        self.recorder.clear_attempts(throttle.user_bucket(name))  # a reset lets them in

    def change_own_password(self, name: str, current: str, new: str, **login) -> None:
        """The user's own change: the present password first (counted as a login attempt),
        then PasswordChanged; their sessions end (the caller keeps its own)."""
        _check_password(new)
        self.login(name, current, **login)
        hashed = _hasher.hash(new)
        self._change(name, lambda a: a.change_own_password(credential(hashed)),
                     lambda stored, _: [*tables.set_password_hash(stored, hashed), *_logout(stored)],
                     name)

    def end_sessions(self, name: str) -> None:
        """Every session of the user ends now (logging out: no change of access, no event;
        an API token the admin issued goes on working until a change of access ends it)."""
        record = self.recorder.login_record(name)
        if record is not None:
            self.recorder.run(_logout(record["name"]))

    def set_role(self, name: str, role: str, reason: str | None = None, by: str = OPERATOR) -> None:
        if role not in ROLES:
            raise InvalidActivityData(f"unknown role {role!r}: one of {', '.join(ROLES)}", field="role")
        self._change(name, lambda a: a.change_role(role, reason or UNEXPLAINED),
                     lambda stored, record: [*tables.set_role(stored, role), *_end(stored),
                                             *self._keeps_an_admin(record, role == "admin")], by)

    def set_disabled(self, name: str, disabled: bool, reason: str | None = None, by: str = OPERATOR) -> None:
        """Disabling ends the user's sessions and token at once (in the same transaction)."""
        self._change(name, lambda a: (a.disable if disabled else a.enable)(reason or UNEXPLAINED),
                     lambda stored, record: [*tables.set_disabled(stored, disabled), *_end(stored),
                                             *self._keeps_an_admin(record, not disabled)], by)

    def _keeps_an_admin(self, record: dict, stays: bool) -> list[tuple]:
        """A change that takes an enabled admin away is refused if it leaves none: seen now
        (a clear refusal), and again under the write lock (`an_admin_remains`)."""
        if stays or record["role"] != "admin" or record["disabled"]:
            return []
        admins = [u for u in self.all() if u.role == "admin" and not u.disabled]
        if [u.name for u in admins] == [record["name"]]:
            raise LastAdmin("the last enabled admin stays an enabled admin: make another admin first")
        return tables.an_admin_remains()

    def change_profile(self, name: str, *, full_name: str, nip: str, jabatan: str,
                       reason: str | None = None, by: str = OPERATOR) -> None:
        self._change(name, lambda a: a.change_profile(full_name, nip, jabatan, reason or UNEXPLAINED),
                     lambda stored, _: tables.set_profile(stored, full_name, nip, jabatan), by)

    def session_user(self, name: str, generation) -> User | None:
        """The user of a session, if the session is still theirs: not ended since, and the
        user not disabled."""
        record = self.recorder.login_record(name)
        account = self._obeyed(record)
        if account is None or account.disabled or record["generation"] != generation:
            return None
        return _user(record, account)

    def generation(self, name: str) -> int:
        record = self.recorder.login_record(name)
        return 0 if record is None else record["generation"]

    def login(self, name: str, password: str, *, address: str | None = None,
              device: tuple[str, str] | None = None, now: int | None = None) -> User:
        """The user, if the password is right and the attempt's buckets have room for it
        (api/users/throttle.py). A known and an unknown name are refused alike: the same
        waits, the same time taken, the same message. `device`: (id, stamp) of a browser
        that logged in as this user; it counts apart only while the password it logged in
        with is still the user's (a new password, or disabling, ends it)."""
        now = SystemClock().now() if now is None else now
        record = self.recorder.login_record(name)
        account = self._obeyed(record)
        if account is None or account.disabled:
            record = None  # refused as an unknown name is: the same waits, the same time
        trusted = device is not None and record is not None and not record["disabled"] and (
            secrets.compare_digest(device[1], _stamp(record["password_hash"])))
        counted = throttle.buckets(name, address, device[0] if trusted else None)
        wait = self.recorder.take_attempt(counted, now)
        if wait:
            raise LoginRefused(locked_for=_seconds(wait))
        if record is not None and record["password_hash"] is not None and not _set_by_the_log(record, account):
            log.error("the users' table gives %r a password the log never set: not obeyed (run iku verify)",
                      record["name"])
            record = None
        if record is None or record["password_hash"] is None or record["disabled"]:
            right = _verify(_dummy_hash(), password) and False  # as slow as a real check
        else:
            right = _verify(record["password_hash"], password)
        if not right:
            raise LoginRefused(locked_for=_seconds(self.recorder.wait_after(counted, now)))
        self.recorder.give_back_attempt(counted)
        return _user(record, account)

    def has_password(self, name: str, password: str) -> bool:
        """Whether this is the user's password as the log set it (the operator's check: no
        login is counted, none is throttled)."""
        record = self.recorder.login_record(name)
        account = self._obeyed(record)
        return (account is not None and record["password_hash"] is not None and _set_by_the_log(record, account)
                and _verify(record["password_hash"], password))

    def device_stamp(self, name: str) -> str:
        """What a device cookie of the user carries, bound to the user's present password."""
        record = self.recorder.login_record(name)
        return _stamp(None if record is None else record["password_hash"])

    def get(self, name: str) -> User | None:
        record = self.recorder.login_record(name)
        account = self._obeyed(record)
        return _user(record, account) if account is not None else None


def _set_by_the_log(record: dict, account) -> bool:
    """Whether the table's password hash is the one the log's last password event set."""
    return account.password == credential(record["password_hash"])


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidActivityData(f"a password has at least {MIN_PASSWORD} characters", field="password")


def _unusable() -> str:
    """What stands for a token where none was issued: nothing hashes to its digest's
    preimage that a client could send."""
    return "none:" + secrets.token_urlsafe(32)


def _end(name: str) -> list[tuple]:
    """A change of access: every session and the token end."""
    return tables.end_sessions(name, _digest(_unusable()))


def _logout(name: str) -> list[tuple]:
    """Every session ends; the token is left as it is."""
    return tables.end_sessions(name, None)


def _stamp(password_hash: str | None) -> str:
    return hashlib.sha256(("device:" + (password_hash or "")).encode()).hexdigest()[:32]


def prepare() -> None:
    """A server's worker hashes its stand-in password at start, not at its first unknown
    name (which would take longer than a known one once)."""
    _dummy_hash()


def _seconds(microseconds: int) -> int:
    return -(-microseconds // throttle.SECOND)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False

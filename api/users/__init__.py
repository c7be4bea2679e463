"""Users and their roles (SPEC §8).

- API tokens are shown once, at creation; only their SHA-256 is stored (tokens are 256
  random bits, so a fast hash is enough to protect them).
- Web passwords are stored as argon2 hashes. Failed logins are throttled by user, by
  client address and by browser (`throttle.py`, docs/RULES.md)."""
from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from eventsourcing.persistence import IntegrityError

from domain.store.clock import SystemClock

from . import throttle

ROLES = ("admin", "protokol", "dokumentasi", "pimpinan", "inspektorat")


@dataclass(frozen=True)
class User:
    name: str
    role: str


MIN_PASSWORD = 10

_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Hashed on first need, not at import: argon2 takes its 64 MiB then, not in every
    process that imports this module (the rebuild, the CLI)."""
    return _hasher.hash("not a password of anyone")


class UserExists(Exception):
    pass


class LoginRefused(Exception):
    """Wrong name or password, or locked out (`locked_for` seconds)."""

    def __init__(self, locked_for: int = 0):
        super().__init__("login refused")
        self.locked_for = locked_for


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Users:
    def __init__(self, recorder):
        self.recorder = recorder

    def create(self, name: str, role: str) -> str:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}: one of {', '.join(ROLES)}")
        if not name or not name.isprintable() or len(name) > 64:
            raise ValueError("a user name is 1–64 printable characters")
        token = "iku_" + secrets.token_urlsafe(32)
        try:
            self.recorder.insert_user(name, role, _digest(token), SystemClock().now())
        except IntegrityError:
            raise UserExists(f"user {name!r} exists") from None
        return token

    def new_token(self, name: str) -> str | None:
        token = "iku_" + secrets.token_urlsafe(32)
        return token if self.recorder.replace_token(name, _digest(token)) else None

    def authenticate(self, token: str) -> User | None:
        found = self.recorder.find_by_token(_digest(token))
        return User(*found) if found else None

    def all(self) -> list[User]:
        return [User(*row) for row in self.recorder.list_users()]

    def set_password(self, name: str, password: str) -> None:
        """A changed password ends every session and the token of the user (the first one,
        set when the user is made, ends nothing)."""
        if len(password) < MIN_PASSWORD:
            raise ValueError(f"a password has at least {MIN_PASSWORD} characters")
        record = self.recorder.login_record(name)
        if record is None:
            raise ValueError(f"no user {name!r}")
        self.recorder.set_password_hash(name, _hasher.hash(password))
        self.recorder.clear_attempts(throttle.user_bucket(name))  # an admin's reset lets them in
        if record["password_hash"] is not None:
            self.end_sessions(name)

    def end_sessions(self, name: str) -> bool:
        """Every session of the user ends now, and its token stops working (a new one is
        issued with `iku users token`)."""
        return self.recorder.end_sessions(name, _digest("ended:" + secrets.token_urlsafe(32)))

    def set_role(self, name: str, role: str) -> None:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}: one of {', '.join(ROLES)}")
        if not self.recorder.set_role(name, role):
            raise ValueError(f"no user {name!r}")
        self.end_sessions(name)

    def set_disabled(self, name: str, disabled: bool) -> None:
        if self.recorder.login_record(name) is None:
            raise ValueError(f"no user {name!r}")
        self.recorder.set_disabled(name, disabled)
        self.end_sessions(name)

    def session_user(self, name: str, generation) -> User | None:
        """The user of a session, if the session is still theirs: not ended since, and the
        user not disabled."""
        record = self.recorder.login_record(name)
        if record is None or record["disabled"] or record["generation"] != generation:
            return None
        return User(record["name"], record["role"])

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
        trusted = device is not None and record is not None and not record["disabled"] and (
            secrets.compare_digest(device[1], _stamp(record["password_hash"])))
        counted = throttle.buckets(name, address, device[0] if trusted else None)
        wait = self.recorder.take_attempt(counted, now)
        if wait:
            raise LoginRefused(locked_for=_seconds(wait))
        if record is None or record["password_hash"] is None or record["disabled"]:
            right = _verify(_dummy_hash(), password) and False  # as slow as a real check
        else:
            right = _verify(record["password_hash"], password)
        if not right:
            raise LoginRefused(locked_for=_seconds(self.recorder.wait_after(counted, now)))
        self.recorder.give_back_attempt(counted)
        return User(record["name"], record["role"])

    def device_stamp(self, name: str) -> str:
        """What a device cookie of the user carries, bound to the user's present password."""
        record = self.recorder.login_record(name)
        return _stamp(None if record is None else record["password_hash"])

    def get(self, name: str) -> User | None:
        record = self.recorder.login_record(name)
        return User(record["name"], record["role"]) if record else None


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

"""API users and their roles (SPEC §8). A token is shown once, at creation; only its
SHA-256 is stored (tokens are 256 random bits, so a fast hash is enough to protect them)."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from eventsourcing.persistence import IntegrityError

from domain.store.clock import SystemClock

ROLES = ("admin", "protokol", "dokumentasi", "pimpinan", "inspektorat")


@dataclass(frozen=True)
class User:
    name: str
    role: str


class UserExists(Exception):
    pass


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

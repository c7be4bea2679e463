"""Seals: each event authenticated by the service that wrote it (docs/AUDIT.md, "Seals").

The tree proves the log's order and completeness, not who wrote a row: anyone who can
write the database can append a well-formed event with its leaf. So the service, in the
write transaction and under the lock that orders positions, signs each event's leaf hash
with the log's key (kept outside the database), and stores the seal in the event's row:

    seal    = key ID (4) ‖ sealed_from (8, big-endian) ‖ Ed25519 signature (64)
    message = "iku-event-seal/v1" ‖ 0x00 ‖ origin ‖ 0x00 ‖ sealed_from (8) ‖ leaf hash (32)

`sealed_from` is the first position the log's seals cover (1 for a log begun with seals;
for a log upgraded, its size then + 1). Every seal states it, under its signature, so no
one can move the boundary to exempt a row; every event at or after it must carry a seal
that verifies with a trusted log key. The key ID is the log key's signed-note key ID
(signed-note.md): the same key, which never signs note text containing NUL, so a seal can
never be read as a checkpoint nor a checkpoint as a seal.

Standard library and `cryptography` only, like the rest of the inspector.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

from .catalog import _
from .note import ED25519, Verifier

CONTEXT = b"iku-event-seal/v1\x00"
SIZE = 4 + 8 + 64
_u64 = struct.Struct(">Q")


class SealError(ValueError):
    """An event not written by the service: its seal is missing, malformed, by an unknown
    key, states another boundary, or does not verify."""


def message(origin: str, sealed_from: int, leaf_hash: bytes) -> bytes:
    return CONTEXT + origin.encode() + b"\x00" + _u64.pack(sealed_from) + leaf_hash


class Sealer:
    """Seals events for one log with the log's signing key (`inspector.note.Signer`).
    `sign`: another implementation of Ed25519 signing with the same key, if a faster one is
    at hand (the service's, in every write); Ed25519 is deterministic, so the seal is the
    same bytes whichever signs it."""

    def __init__(self, signer, origin: str, sealed_from: int, sign=None):
        if signer.kind != ED25519:
            raise ValueError(_("kunci log yang menyegel peristiwa, bukan kunci saksi"))
        self.key, self.origin, self.sealed_from = signer.key, origin, sealed_from
        self.verifier = signer.verifier
        self._sign = sign or signer.key.sign
        self._prefix = signer.verifier.key_id + _u64.pack(sealed_from)
        self._context = CONTEXT + origin.encode() + b"\x00" + _u64.pack(sealed_from)

    def seal(self, leaf_hash: bytes) -> bytes:
        return self._prefix + self._sign(self._context + leaf_hash)

    def made_this(self, seal: bytes, leaf_hash: bytes) -> bool:
        """Whether this key made `seal` over `leaf_hash` (Ed25519 signatures are
        deterministic: signing again is a third of the cost of verifying)."""
        return seal == self.seal(leaf_hash)


@dataclass(frozen=True)
class Seal:
    key_id: bytes
    sealed_from: int
    signature: bytes

    @classmethod
    def parse(cls, seal: bytes) -> Seal:
        if not isinstance(seal, (bytes, bytearray)) or len(seal) != SIZE:
            raise SealError(_("segelnya bukan %(n)s bita", n=SIZE))
        return cls(bytes(seal[:4]), _u64.unpack(seal[4:12])[0], bytes(seal[12:]))


def check(seal: bytes | None, leaf_hash: bytes, origin: str, keys: list[Verifier]) -> int:
    """The boundary the seal states, if it is a seal of this leaf by one of the log's keys;
    SealError otherwise."""
    if not seal:
        raise SealError(_("tidak bersegel"))
    parsed = Seal.parse(seal)
    for key in keys:
        if key.kind == ED25519 and key.key_id == parsed.key_id:
            if key.verify(message(origin, parsed.sealed_from, leaf_hash), parsed.signature):
                return parsed.sealed_from
            raise SealError(_("segelnya tidak cocok dengan peristiwanya (ditulis atau diubah di luar layanan)"))
    raise SealError(_("disegel oleh kunci yang tidak dikenal, bukan kunci log tepercaya"))


class SealedLog:
    """The rule along a log: from the boundary on, every event is sealed, and every seal
    states the same boundary. Feed the events in log order; `failure(...)` says why a
    position is refused (None: fine). `boundary`: the one known beforehand (kept beside
    the key, or in a witness's state), if any."""

    def __init__(self, origin: str, keys: list[Verifier], boundary: int | None = None,
                 own: Sealer | None = None):
        self.origin, self.keys, self.boundary = origin, list(keys), boundary
        self.own = own  # the host's own key: its seals are checked by signing again
        self.sealed = 0  # events whose seal verified
        self.unsealed = 0  # events before the boundary (no seal needed)
        self._last_unsealed: int | None = None

    def failure(self, position: int, leaf_hash: bytes, seal: bytes | None) -> str | None:
        if not seal:
            if self.boundary is not None and position >= self.boundary:
                return _("peristiwa pada posisi %(p)s tidak ditulis oleh layanan: tidak bersegel, padahal "
                         "segel berlaku mulai posisi %(b)s", p=position, b=self.boundary)
            self.unsealed += 1
            self._last_unsealed = position
            return None  # before the seals (or none seen yet): written before this version
        try:
            stated = self._stated(seal, leaf_hash)
        except SealError as e:
            return _("peristiwa pada posisi %(p)s tidak ditulis oleh layanan: %(reason)s", p=position, reason=e)
        if self.boundary is None:
            if stated > position:
                return _("peristiwa pada posisi %(p)s disegel dengan batas %(b)s, sesudah posisinya",
                         p=position, b=stated)
            if self._last_unsealed is not None and self._last_unsealed >= stated:
                return _("peristiwa pada posisi %(p)s tidak ditulis oleh layanan: tidak bersegel, padahal "
                         "segel berlaku mulai posisi %(b)s", p=self._last_unsealed, b=stated)
            self.boundary = stated
        elif stated != self.boundary:
            return _("peristiwa pada posisi %(p)s disegel dengan batas %(stated)s, bukan %(b)s (batas segel "
                     "diubah)", p=position, stated=stated, b=self.boundary)
        self.sealed += 1
        return None

    def _stated(self, seal: bytes, leaf_hash: bytes) -> int:
        own = self.own
        if own is not None and seal[:12] == own.verifier.key_id + _u64.pack(own.sealed_from):
            if not own.made_this(seal, leaf_hash):
                raise SealError(_("segelnya tidak cocok dengan peristiwanya (ditulis atau diubah di luar layanan)"))
            return own.sealed_from
        return check(seal, leaf_hash, self.origin, self.keys)


__all__ = ["SIZE", "Seal", "SealError", "SealedLog", "Sealer", "check", "message"]

"""The service's side of the seals (inspector/seal.py; docs/AUDIT.md, "Seals"): where the
log's seal boundary is kept, the sealer the recorder appends with, and the check that the
checkpoint signer makes before it signs anything.

The boundary — the first position the seals cover — is kept twice: in the database
(`iku_meta.events_sealed_from`, written once, when the log is made or upgraded) and beside
the signing key (`<key>.seals`, mode 0600), outside the database, so that someone who can
write the database cannot move it to exempt rows of theirs. The key's record is the one
obeyed; a database that says otherwise is named.
"""
from __future__ import annotations

import json
import logging
import os
import stat
from pathlib import Path

from nacl.signing import SigningKey

from inspector.catalog import _
from inspector.leaves import actor_of, canonical
from inspector.merkle import Frontier, leaf_hash
from inspector.note import NoteError
from inspector.seal import SealedLog, Sealer

log = logging.getLogger(__name__)

MARK = "events_sealed_from"
BATCH = 5_000


class SealsRefused(NoteError):
    """The log holds an event the service did not write (or its boundary was moved)."""


class SealBoundary:
    """`<key>.seals` beside the signing key: the log's origin and its first sealed position."""

    def __init__(self, key_path: Path):
        self.path = Path(key_path).with_suffix(".seals")

    def read(self, origin: str) -> int | None:
        try:
            if os.name == "posix" and stat.S_IMODE(self.path.stat().st_mode) & 0o077:
                raise ValueError(_("dapat dibaca selain pemiliknya: chmod 600"))
            data = json.loads(self.path.read_text())
            sealed_from = data["sealed_from"]
            if type(sealed_from) is not int or sealed_from < 1:
                raise ValueError(_("bukan posisi"))
            if data.get("origin") != origin:
                raise ValueError(_("milik log %(origin)r, bukan %(ours)r",
                                   origin=str(data.get("origin"))[:60], ours=origin))
            return sealed_from
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
            raise SealsRefused(_("%(path)s tidak dapat dibaca (%(error)s): pulihkan berkas itu",
                                 path=self.path, error=e)) from None

    def write(self, origin: str, sealed_from: int) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as f:
            json.dump({"origin": origin, "sealed_from": sealed_from}, f)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, self.path)  # one process records it; the others read it
        except FileExistsError:
            pass
        finally:
            tmp.unlink()


def database_boundary(recorder) -> int | None:
    value = recorder.get_mark(MARK)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def mark_boundary(recorder) -> int:
    """The database's boundary; set, under the write lock, to the log's size + 1 if none is
    (a log begun now: 1; a log of before the seals: its events stay unsealed)."""
    with recorder.write() as c:
        recorder.tuple_rows(c)
        c.execute(recorder.sql("SELECT value FROM iku_meta WHERE key = ?"), (MARK,))
        row = c.fetchone()
        if row is not None:
            return int(row[0])
        c.execute(f"SELECT coalesce(max({recorder.position_column}), 0) FROM {recorder.events_table}")
        sealed_from = c.fetchone()[0] + 1
        c.execute(recorder.sql("INSERT INTO iku_meta VALUES (?, ?)"), (MARK, str(sealed_from)))
    if sealed_from > 1:
        log.warning("the audit log now seals its events: from position %d on (the %d before were "
                    "written before seals)", sealed_from, sealed_from - 1)
    return sealed_from


def boundary(recorder, key_path: Path, origin: str, *, create: bool) -> tuple[int | None, bool]:
    """The boundary this host obeys: the key's record; made from the database's (set first
    if `create` and none is) when the key has none yet. And whether the log's seals begin
    now (this is its upgrade, or its first start)."""
    kept = SealBoundary(key_path).read(origin)
    stored = database_boundary(recorder)
    begun = False
    if stored is None and create and kept is None:
        stored, begun = mark_boundary(recorder), True
    if kept is None:
        if stored is None:
            return None, False
        SealBoundary(key_path).write(origin, stored)
        return SealBoundary(key_path).read(origin), begun
    if stored != kept:
        log.error("the database says its events are sealed from position %s, the key's record says "
                  "%s: the key's is obeyed (run iku verify)", stored, kept)
    return kept, False


def attach(recorder, signer, origin: str, key_path: Path, *, create: bool = True) -> bool:
    """Give the recorder its sealer: from now on it seals every event it appends. True if
    the log's seals begin now (what the upgrade enters into the log, it enters then)."""
    sealed_from, begun = boundary(recorder, key_path, origin, create=create)
    if sealed_from is not None:
        recorder.sealer = Sealer(signer, origin, sealed_from, sign=fast_sign(signer.key))
    return begun


def own_sealer(key_path: Path, checkpoints, sealed_from: int | None) -> Sealer | None:
    """On the host that seals, its own sealer, for `iku verify` to check the seals it made
    by signing again (a sixth of the time of verifying); None where the key is not here, is
    not a trusted log key, or the boundary is unknown: seals are then verified."""
    from inspector.note import NoteError, Signer

    if sealed_from is None:
        return None
    try:
        signer = Signer.from_file(checkpoints.origin, key_path)
    except (NoteError, OSError):
        return None
    if signer.verifier not in checkpoints.log_keys:
        return None
    return Sealer(signer, checkpoints.origin, sealed_from, sign=fast_sign(signer.key))


def fast_sign(key):
    """Ed25519 signing with the key by libsodium (PyNaCl): the same signature as the
    `cryptography` key's, in half the time — it is in every write (docs/PERFORMANCE.md)."""
    from cryptography.hazmat.primitives import serialization
    from nacl.bindings import crypto_sign

    seed = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                             serialization.NoEncryption())
    secret = SigningKey(seed)._signing_key

    def sign(message: bytes) -> bytes:
        return crypto_sign(message, secret)[:64]

    return sign


def seal_with_key(agenda, key_path: Path, origin: str, *, create: bool = True):
    """An Agenda opened by itself (a benchmark, a test) seals its events with the log key
    at `key_path` (made if absent), as the service's processes do (api/bootstrap.py)."""
    from inspector.note import Signer

    from .migrate import add_seal_column

    if create:
        add_seal_column(agenda.recorder)
    attach(agenda.recorder, Signer.from_file(origin, key_path, create=True), origin, Path(key_path), create=create)
    return agenda


def check_range(recorder, frontier: Frontier, stop: int, sealed: SealedLog) -> Frontier:
    """The events after `frontier` (a tree already signed) up to `stop`, each recomputed
    from its row: its leaf must be the tree's and its seal the service's. Returns the
    frontier at `stop` computed from the events themselves, not from stored nodes."""
    frontier = Frontier(frontier.size, list(frontier.hashes))
    after = frontier.size
    while after < stop:
        rows = recorder.select_sealed_rows(after, stop, BATCH)
        for position, activity_id, version, topic, state, recorded_at, tree, seal in rows:
            if position != after + 1:
                raise SealsRefused(_("peristiwa pada posisi %(p)s hilang dari log", p=after + 1))
            leaf = leaf_hash(canonical(position, activity_id, version, topic, recorded_at,
                                       actor_of(state), state))
            if not tree or tree[:32] != leaf:
                raise SealsRefused(_("peristiwa pada posisi %(p)s tidak cocok dengan daunnya (diubah sejak "
                                     "dicatat)", p=position))
            failure = sealed.failure(position, leaf, seal)
            if failure:
                raise SealsRefused(failure)
            frontier.append(leaf)
            after = position
        if not rows:
            raise SealsRefused(_("peristiwa pada posisi %(p)s hilang dari log", p=after + 1))
    return frontier


__all__ = ["MARK", "SealBoundary", "SealsRefused", "attach", "boundary", "check_range", "seal_with_key"]

"""The audit of before the Merkle tree (a hash chain and `IKU-CHECKPOINT v1` statements),
kept to check the checkpoints signed then. A database that had them keeps `iku_chain` and
`iku_checkpoints` as they were; nothing new is written to them.

    hash(0) = 32 zero bytes,  hash(n) = SHA-256(hash(n−1) ‖ leaf(n))

(leaf: inspector.leaves.canonical). Each old checkpoint signed
"IKU-CHECKPOINT v1\\nposition: P\\nhash: H\\nsignature-less lines…"; it is verified with the
configured log keys (the same Ed25519 key signs the new checkpoints), never with the key
stored in its row.
"""
from __future__ import annotations

import base64
import hashlib

from inspector.catalog import _
from inspector.leaves import actor_of, canonical
from inspector.note import Verifier

GENESIS = bytes(32)


def _statement(position: int, chain_hash: str, signed_at: str) -> bytes:
    return (f"IKU-CHECKPOINT v1\nposition: {position}\nhash: {chain_hash}\n"
            f"signed_at: {signed_at}\n").encode()


def _table_exists(recorder, c, name: str) -> bool:
    if recorder.paramstyle_qmark:
        c.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
    else:
        c.execute("SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND tablename = %s", (name,))
    return c.fetchone() is not None


def verify_legacy(recorder, log_keys: list[Verifier]) -> tuple[int, str | None]:
    """(old checkpoints checked, the first failure or None)."""
    with recorder.read() as c:
        recorder.tuple_rows(c)
        if not _table_exists(recorder, c, "iku_checkpoints"):
            return 0, None
        c.execute("SELECT position, hash, signed_at, signature FROM iku_checkpoints ORDER BY position")
        checkpoints = c.fetchall()
    if not checkpoints:
        return 0, None
    wanted = {position: (chain_hash, signed_at, signature)
              for position, chain_hash, signed_at, signature in checkpoints}
    for position, (chain_hash, signed_at, signature) in wanted.items():
        try:
            raw = base64.b64decode(signature)
            message = _statement(position, chain_hash, signed_at)
        except (ValueError, TypeError):
            return 0, _("titik periksa lama pada posisi %(p)s tidak dapat dibaca", p=position)
        if not any(k.verify(message, raw) for k in log_keys):
            return 0, _("titik periksa lama yang ditandatangani pada %(t)s tidak ditandatangani kunci "
                        "log tepercaya", t=signed_at)
    last = max(wanted)
    previous, after = GENESIS, 0
    while after < last:
        rows = recorder.select_rows(after, last, 5_000)
        if not rows:
            break
        for position, activity_id, version, topic, state, recorded_at in rows:
            if position != after + 1:
                return 0, _("rantai lama: peristiwa pada posisi %(p)s hilang", p=after + 1)
            try:
                actor = actor_of(state)
            except (ValueError, KeyError):
                return 0, _("rantai lama: peristiwa pada posisi %(p)s tidak dapat dibaca", p=position)
            previous = hashlib.sha256(previous + canonical(
                position, activity_id, version, topic, recorded_at, actor, state)).digest()
            after = position
            if position in wanted and previous.hex() != wanted[position][0]:
                return 0, _("log tidak lagi cocok dengan titik periksa lama yang ditandatangani pada "
                            "%(t)s (posisi %(p)s)", t=wanted[position][1], p=position)
    if after < last:
        return 0, _("log lebih pendek dari titik periksa lama pada posisi %(p)s", p=last)
    return len(wanted), None

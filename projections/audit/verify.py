"""`iku verify`: everything recomputed from the stored events, nothing trusted that the
database says about itself (docs/AUDIT.md, "What verify checks").

1. The log and the tree's leaves, position by position: every event has its leaf, every
   leaf its event, each leaf is the hash of its event's bytes, and recorded_at strictly
   increases along the log.
2. Every stored inner node is the hash of its two children (proofs are answered from them).
3. Every checkpoint: signed by a configured trusted log key for the configured origin, its
   root equal to the root recomputed from the leaves at its size, its size within the log;
   every stored cosignature by a configured witness verifies.
4. The checkpoints of before the tree (projections/audit/legacy.py), if any.

It only reads: it runs on a read-only copy of the database.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from inspector import merkle
from inspector.leaves import actor_of, canonical
from inspector.note import Checkpoint, Note, NoteError, Verifier

from .legacy import verify_legacy

BATCH = 5_000


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int  # events whose leaf was recomputed
    head_position: int  # the tree size (the last position verified)
    head_hash: str  # its root, hex
    first_bad_position: int | None = None
    reason: str | None = None
    checkpoints: int = 0
    witnesses: dict[str, int] = field(default_factory=dict)  # cosignatures verified per witness
    warnings: tuple[str, ...] = ()


class _Failed(Exception):
    def __init__(self, position: int | None, reason: str):
        super().__init__(reason)
        self.position, self.reason = position, reason


def verify_store(recorder, *, log_keys: list[Verifier], witness_keys: list[Verifier],
                 origin: str) -> Verification:
    checkpoints = _checkpoints(recorder)
    roots: dict[int, bytes] = {}
    checked = 0
    try:
        checked, frontier = _leaves(recorder, {size for size, *_ in checkpoints}, roots)
        witnesses, warnings = _check_checkpoints(checkpoints, roots, frontier.size, log_keys,
                                                 witness_keys, origin, recorder)
        _inner_nodes(recorder, frontier.size)
        legacy_checked, legacy_failure = verify_legacy(recorder, log_keys)
        if legacy_failure:
            raise _Failed(None, legacy_failure)
    except _Failed as failed:
        return Verification(False, checked, 0, "", failed.position, failed.reason)
    return Verification(True, checked, frontier.size, frontier.root().hex(),
                        checkpoints=len(checkpoints) + legacy_checked, witnesses=witnesses,
                        warnings=tuple(warnings))


def _checkpoints(recorder) -> list[tuple[int, bytes, str, list[str]]]:
    with recorder.read() as c:
        recorder.tuple_rows(c)
        c.execute("SELECT size, root, note FROM iku_tree_checkpoints ORDER BY size")
        rows = c.fetchall()
        c.execute("SELECT size, line FROM iku_cosignatures ORDER BY size")
        lines: dict[int, list[str]] = {}
        for size, line in c.fetchall():
            lines.setdefault(size, []).append(line)
    return [(size, bytes(root), note, lines.pop(size, [])) for size, root, note in rows] + [
        (size, b"", "", found) for size, found in lines.items()]  # cosignatures of nothing


def _leaves(recorder, sizes: set[int], roots: dict[int, bytes]):
    frontier = merkle.Frontier()
    after, last_recorded, checked = 0, None, 0
    while True:
        rows = recorder.select_rows(after, 2**62, BATCH)
        with recorder.read() as c:
            recorder.tuple_rows(c)
            c.execute(recorder.sql("SELECT idx, hash FROM iku_merkle WHERE level = 0 AND idx >= ? "
                                   "ORDER BY idx LIMIT ?"), (after, BATCH))
            leaves = c.fetchall()
        if not rows and not leaves:
            return checked, frontier
        for k in range(max(len(rows), len(leaves))):
            position = after + 1
            row = rows[k] if k < len(rows) else None
            leaf = leaves[k] if k < len(leaves) else None
            if row is not None and row[0] != position and (leaf is None or leaf[0] == position - 1):
                raise _Failed(position, f"the event at position {position} is missing from the log")
            if row is None and leaf is not None and leaf[0] == position - 1:
                raise _Failed(position, f"the event at position {position} is missing from the log "
                                        "(its leaf is in the tree)")
            if leaf is None or leaf[0] != position - 1:
                raise _Failed(position, f"the event at position {position} has no leaf in the tree "
                                        "(it was not written by the service)")
            p, activity_id, version, topic, state, recorded_at = row
            try:
                actor = actor_of(state)
            except (ValueError, KeyError, TypeError):
                raise _Failed(position, f"the event at position {position} cannot be read") from None
            h = merkle.leaf_hash(canonical(p, activity_id, version, topic, recorded_at, actor, state))
            if h != bytes(leaf[1]):
                raise _Failed(position, f"the event at position {position} does not match its leaf "
                                        "(changed since it was recorded)")
            if last_recorded is not None and recorded_at <= last_recorded:
                raise _Failed(position, f"the event at position {position} is recorded at {recorded_at} µs, "
                                        "not after the event before it (backdated or reordered)")
            last_recorded = recorded_at
            frontier.append(h)
            checked += 1
            after = position
            if position in sizes:
                roots[position] = frontier.root()


def _inner_nodes(recorder, size: int) -> None:
    """Each stored node of level ≥ 1 is the hash of its children; none is missing."""
    level = 1
    while size >> level:
        expected_count, index = size >> level, 0
        while index < expected_count:
            with recorder.read() as c:
                recorder.tuple_rows(c)
                c.execute(recorder.sql("SELECT idx, hash FROM iku_merkle WHERE level = ? AND idx >= ? "
                                       "ORDER BY idx LIMIT ?"), (level - 1, 2 * index, 2 * BATCH))
                children = c.fetchall()
                c.execute(recorder.sql("SELECT idx, hash FROM iku_merkle WHERE level = ? AND idx >= ? "
                                       "ORDER BY idx LIMIT ?"), (level, index, BATCH))
                nodes = c.fetchall()
            for k, (idx, h) in enumerate(nodes):
                if idx >= expected_count:
                    raise _Failed(None, f"the tree has a node beyond its leaves (level {level}, index {idx})")
                left, right = (children[2 * k], children[2 * k + 1]) if 2 * k + 1 < len(children) else (None, None)
                if idx != index + k or left is None or left[0] != 2 * idx or right[0] != 2 * idx + 1:
                    raise _Failed(None, f"the tree lacks the node of level {level}, index {index + k}")
                if merkle.node_hash(bytes(left[1]), bytes(right[1])) != bytes(h):
                    raise _Failed((idx << level) + 1,
                                  f"the tree's node of level {level}, index {idx} is not the hash of "
                                  "its children (the tree was changed)")
            if not nodes:
                raise _Failed(None, f"the tree lacks the node of level {level}, index {index}")
            index += len(nodes)
        level += 1


def _check_checkpoints(checkpoints, roots, size, log_keys, witness_keys, origin, recorder):
    witnesses: dict[str, int] = {}
    warnings: list[str] = []
    for checkpoint_size, root, note_text, cosignatures in checkpoints:
        if not note_text:
            raise _Failed(None, f"cosignatures of size {checkpoint_size} have no checkpoint "
                                "(the checkpoint was deleted)")
        try:
            note = Note.parse(note_text + "".join(cosignatures))
            if not note.verified_by(log_keys):
                raise NoteError("it is signed by an unknown key, not by a trusted log key")
            checkpoint = Checkpoint.parse(note.text)
        except NoteError as e:
            raise _Failed(None, f"the checkpoint of size {checkpoint_size}: {e}") from None
        if checkpoint.origin != origin:
            raise _Failed(None, f"the checkpoint of size {checkpoint_size} is for the log "
                                f"{checkpoint.origin!r}, not {origin!r}")
        if checkpoint.size != checkpoint_size or checkpoint.root != root:
            raise _Failed(None, f"the checkpoint of size {checkpoint_size}: its row differs from its signed note")
        if checkpoint.size > size:
            raise _Failed(size + 1, f"the log has {size} events, fewer than the checkpoint of size "
                                    f"{checkpoint.size} (truncated)")
        if roots.get(checkpoint.size) != checkpoint.root:
            raise _Failed(None, f"the log no longer matches the checkpoint of size {checkpoint.size} "
                                "(history rewritten)")
        try:
            cosigned = note.cosigned_by(witness_keys)
        except NoteError as e:
            raise _Failed(None, f"the checkpoint of size {checkpoint_size}: {e} (a forged cosignature)") from None
        for name in cosigned:
            witnesses[name] = witnesses.get(name, 0) + 1
        known = {(k.name, k.key_id) for k in witness_keys}
        for s in note.signatures:
            if (s.name, s.key_id) not in known and not any(
                    k.name == s.name and k.key_id == s.key_id for k in log_keys):
                warnings.append(f"the checkpoint of size {checkpoint_size} has a cosignature by "
                                f"{s.name}, whose key is not configured: not checked")
    return witnesses, warnings

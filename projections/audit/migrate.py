"""Upgrading a database of before the Merkle tree (docs/AUDIT.md, "Migration").

On start, a database whose log has events but whose tree has no leaf at all, and that has
no checkpoint of the tree yet, gets its leaves computed once from the log, under the write
lock, in one transaction. Its old hash chain and checkpoints stay as they were and are
still checked (legacy.py). A tree that has leaves is never filled in again: an event
without its leaf is tampering that `iku verify` names.

The signing key, which used to sit beside the SQLite database, moves to its new place
outside the database's folder (checkpoints.signing_key_path) when that place is empty.
"""
from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from inspector.merkle import Frontier, leaf_hash
from inspector.leaves import actor_of, canonical

log = logging.getLogger(__name__)
BATCH = 10_000


def migrate_to_tree(recorder) -> int:
    """Compute the leaves of a log written before the tree. Returns the leaves written."""
    with recorder.read() as c:
        recorder.tuple_rows(c)
        c.execute("SELECT 1 FROM iku_merkle LIMIT 1")
        has_tree = c.fetchone() is not None
        c.execute("SELECT 1 FROM iku_tree_checkpoints LIMIT 1")
        has_checkpoints = c.fetchone() is not None
    if has_tree or has_checkpoints or not (recorder.max_notification_id() or 0):
        return 0
    with recorder.write() as c:
        recorder.tuple_rows(c)
        c.execute("SELECT 1 FROM iku_merkle LIMIT 1")
        if c.fetchone() is not None:
            return 0  # another process did it meanwhile
        frontier, after, stored = Frontier(), 0, 0
        while True:
            c.execute(recorder.sql(
                f"SELECT {recorder.position_column}, originator_id, originator_version, topic, state, "
                f"recorded_at FROM {recorder.events_table} WHERE {recorder.position_column} > ? "
                f"ORDER BY {recorder.position_column} LIMIT ?"), (after, BATCH))
            rows = c.fetchall()
            if not rows:
                break
            nodes = []
            for position, originator_id, version, topic, state, recorded_at in rows:
                if position != after + 1:
                    raise RuntimeError(f"cannot migrate: position {after + 1} is missing from the log")
                state = bytes(state)
                leaf = canonical(position, recorder.id_hex(originator_id), version, topic, recorded_at,
                                 actor_of(state), state)
                nodes.extend(h for _, _, h in frontier.append(leaf_hash(leaf)))
                after = position
            c.executemany(recorder.sql("INSERT INTO iku_merkle (id, hash) VALUES (?, ?)"),
                          list(enumerate(nodes, stored)))
            stored += len(nodes)
        c.execute(recorder.sql("INSERT INTO iku_meta VALUES (?, ?) ON CONFLICT DO NOTHING"),
                  ("merkle_tree_migrated_at_size", str(frontier.size)))
    log.warning("the audit log was upgraded to a Merkle tree: %d leaves computed from the log", frontier.size)
    return frontier.size


def move_legacy_key(database: str, target: Path) -> None:
    """The old default key (beside a SQLite database) moves to the new place, if that is free."""
    if database.startswith(("postgresql://", "postgres://")) or "mode=memory" in database:
        legacy = Path("var/iku-signing-key.pem")
    else:
        legacy = Path(database).with_name("iku-signing-key.pem")
    if not legacy.exists() or target.exists() or os.environ.get("IKU_SIGNING_KEY"):
        return
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    shutil.copyfile(legacy, target)
    os.chmod(target, 0o600)
    legacy.unlink()
    log.warning("the signing key moved from %s to %s (outside the database's folder)", legacy, target)

"""Upgrading a database of before the Merkle tree (docs/AUDIT.md, "Migration").

On start, a database whose events table has no `tree` column gets one. A log written
before the tree — the old hash chain's tables are there, no event has its tree column and
no checkpoint of the tree was ever signed — then gets the tree computed once from the log,
under the write lock, in one transaction. The old chain and checkpoints stay as they were
and are still checked (legacy.py). Nothing else is ever filled in: an event without its
leaf is tampering that `iku verify` names.

The signing key, which used to sit beside the SQLite database, moves to its new place
outside the database's folder (api/config.py: the signing key) when that place is empty.
"""
from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from domain.store.stores import store_for
from inspector.catalog import _
from inspector.leaves import actor_of, canonical
from inspector.merkle import Frontier, leaf_hash

from .legacy import _table_exists

log = logging.getLogger(__name__)
BATCH = 10_000


def _has_tree_column(recorder, c) -> bool:
    return recorder.column_exists(c, "tree")


def add_seal_column(recorder) -> None:
    """A log of before the seals gets their column; its events keep none (they were written
    before: docs/AUDIT.md, "Seals"), and nothing already signed is hashed again."""
    if recorder.has_column("seal"):
        return
    with recorder.write() as c:
        recorder.tuple_rows(c)
        if not recorder.column_exists(c, "seal"):
            c.execute(f"ALTER TABLE {recorder.events_table} ADD COLUMN seal "
                      f"{'BLOB' if recorder.paramstyle_qmark else 'bytea'}")


def migrate_to_tree(recorder, *, host_signed: bool = False) -> int:
    """Add the tree column, and compute the tree of a log written before it. Returns the
    leaves computed. `host_signed`: this host's key has signed checkpoints of the tree
    already — its database is of this version, never upgraded."""
    with recorder.read() as c:
        recorder.tuple_rows(c)
        has_column = _has_tree_column(recorder, c)
        legacy = _table_exists(recorder, c, "iku_checkpoints")
        if legacy:  # the old version signed at least one checkpoint
            c.execute("SELECT 1 FROM iku_checkpoints LIMIT 1")
            legacy = c.fetchone() is not None and not host_signed
    if has_column and not legacy:
        return 0
    with recorder.write() as c:
        recorder.tuple_rows(c)
        if not _has_tree_column(recorder, c):
            c.execute(f"ALTER TABLE {recorder.events_table} ADD COLUMN tree {'BLOB' if recorder.paramstyle_qmark else 'bytea'}")
        if not legacy:
            return 0
        c.execute(f"SELECT 1 FROM {recorder.events_table} WHERE tree IS NOT NULL LIMIT 1")
        has_tree = c.fetchone() is not None
        c.execute("SELECT 1 FROM iku_tree_checkpoints LIMIT 1")
        if has_tree or c.fetchone() is not None:
            return 0  # done before (by this process or another)
        frontier, after = Frontier(), 0
        while True:
            c.execute(recorder.sql(
                f"SELECT {recorder.position_column}, originator_id, originator_version, topic, state, "
                f"recorded_at FROM {recorder.events_table} WHERE {recorder.position_column} > ? "
                f"ORDER BY {recorder.position_column} LIMIT ?"), (after, BATCH))
            rows = c.fetchall()
            if not rows:
                break
            trees = []
            for position, originator_id, version, topic, state, recorded_at in rows:
                if position != after + 1:
                    raise RuntimeError(_("tidak dapat ditingkatkan: posisi %(p)s hilang dari log", p=after + 1))
                state = bytes(state)
                leaf = canonical(position, recorder.id_hex(originator_id), version, topic, recorded_at,
                                 actor_of(state), state)
                trees.append((b"".join(h for _level, _index, h in frontier.append(leaf_hash(leaf))), position))
                after = position
            c.executemany(recorder.sql(
                f"UPDATE {recorder.events_table} SET tree = ? WHERE {recorder.position_column} = ?"), trees)
        if frontier.size:
            c.execute(recorder.sql("INSERT INTO iku_meta VALUES (?, ?) ON CONFLICT DO NOTHING"),
                      ("merkle_tree_migrated_at_size", str(frontier.size)))
    if frontier.size:
        log.warning("the audit log was upgraded to a Merkle tree: %d leaves computed from the log", frontier.size)
    return frontier.size


def move_legacy_key(database: str, target: Path, *, configured: bool) -> None:
    """The old default key (beside a SQLite database) moves to the new place, if that is free
    and no key was named (`configured`: IKU_SIGNING_KEY)."""
    legacy = store_for(database).legacy_key(database)
    if not legacy.exists() or target.exists() or configured:
        return
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    shutil.copyfile(legacy, target)
    os.chmod(target, 0o600)
    legacy.unlink()
    log.warning("the signing key moved from %s to %s (outside the database's folder)", legacy, target)

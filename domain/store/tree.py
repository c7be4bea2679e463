"""The Merkle tree of the log, written with the events (docs/AUDIT.md).

Each event is a leaf (index = position − 1, bytes: inspector.leaves.canonical). In the
transaction that appends events, under the lock that orders their positions, the recorder
writes each new leaf hash and every complete subtree it closes into `iku_merkle
(level, idx, hash)`: node (l, i) covers leaves [i·2^l, (i+1)·2^l). Any root, inclusion
proof or consistency proof is then O(log n) reads of that table; nothing is ever hashed
after the commit by somebody else.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from inspector.leaves import actor_of, canonical
from inspector.merkle import Frontier, leaf_hash

from ..exceptions import AuditTreeDamaged

MERKLE_TABLE = "iku_merkle"


class MerkleMixin:
    """For an application recorder (the IKU mixin's dialect): append leaves in the write."""

    def _frontier(self, c, size: int) -> Frontier:
        """The complete subtrees of the tree of `size` leaves, read in one statement."""
        wanted = Frontier.levels(size)
        if not wanted:
            return Frontier()
        found = self.merkle_nodes(c, wanted)
        if len(found) != len(wanted):
            raise AuditTreeDamaged(
                f"the Merkle tree lacks nodes of the tree of size {size}: run `iku verify`")
        return Frontier(size, [found[k] for k in wanted])

    def merkle_nodes(self, c, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        # One primary-key lookup per node (SQLite scans the table for a row-value IN list;
        # an OR of equalities is a MULTI-INDEX OR there and a BitmapOr on PostgreSQL).
        where = " OR ".join("(level = ? AND idx = ?)" for _ in keys)
        c.execute(self.sql(f"SELECT level, idx, hash FROM {MERKLE_TABLE} WHERE {where}"),
                  [v for k in keys for v in k])
        return {(row[0], row[1]): bytes(row[2]) for row in c.fetchall()}

    @staticmethod
    def _leaf_parts(stored_events: Sequence[Any]) -> list[tuple]:
        """What each leaf needs besides its position and recorded_at. Read before the events
        are inserted, so that an unreadable event fails the write before anything is."""
        parts = []
        for s in stored_events:
            state = s.state if type(s.state) is bytes else bytes(s.state)
            originator_id = s.originator_id
            parts.append((originator_id.hex if isinstance(originator_id, UUID) else str(originator_id),
                          s.originator_version, s.topic, actor_of(state), state))
        return parts

    def _append_leaves(self, c, positions: Sequence[Any], parts: Sequence[tuple],
                       frontier: Frontier | None = None) -> None:
        """In the events' transaction: their leaves and the subtrees they complete."""
        if frontier is None:
            if self._tree_size(c) != int(positions[0]) - 1:
                raise AuditTreeDamaged(f"the Merkle tree does not have a leaf for each of the "
                                       f"{int(positions[0]) - 1} events: run `iku verify`")
            frontier = self._frontier(c, int(positions[0]) - 1)
        if frontier.size != int(positions[0]) - 1:
            raise AuditTreeDamaged(f"the Merkle tree has {frontier.size} leaves but the log "
                                   f"{int(positions[0]) - 1} events: run `iku verify`")
        nodes = []
        for position, (activity_id, version, topic, actor, state) in zip(positions, parts, strict=True):
            leaf = canonical(int(position), activity_id, version, topic, position.recorded_at, actor, state)
            nodes.extend(frontier.append(leaf_hash(leaf)))
        c.executemany(self.sql(f"INSERT INTO {MERKLE_TABLE} (level, idx, hash) VALUES (?, ?, ?)"),
                      nodes)

    def _tree_size(self, c) -> int:
        c.execute(f"SELECT max(idx) FROM {MERKLE_TABLE} WHERE level = 0")
        value = c.fetchone()[0]
        return 0 if value is None else value + 1


def _audit_tables(blob: str, integer: str, compact: str = "") -> tuple[str, ...]:
    """The tree, the signed checkpoints (one per tree size) and the witnesses' cosignatures."""
    return (
        f"CREATE TABLE IF NOT EXISTS {MERKLE_TABLE} (level smallint NOT NULL, idx {integer} NOT NULL, "
        f"hash {blob} NOT NULL, PRIMARY KEY (level, idx)){compact}",
        f"CREATE TABLE IF NOT EXISTS iku_tree_checkpoints (size {integer} PRIMARY KEY, "
        f"root {blob} NOT NULL, note text NOT NULL, signed_at {integer} NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS iku_cosignatures (size {integer} NOT NULL, witness text NOT NULL, "
        f"key_id text NOT NULL, line text NOT NULL, received_at {integer} NOT NULL, "
        "PRIMARY KEY (size, witness, key_id))",
    )


AUDIT_TABLES_SQLITE = _audit_tables("blob", "integer", " WITHOUT ROWID")
AUDIT_TABLES_POSTGRES = _audit_tables("bytea", "bigint")

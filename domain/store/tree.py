"""The Merkle tree of the log, written with the events (docs/AUDIT.md).

Each event is a leaf (index = position − 1, bytes: inspector.leaves.canonical). In the
transaction that appends events, under the lock that orders their positions, the recorder
writes each new leaf hash and every complete subtree it closes into `iku_merkle (id, hash)`,
in the order appending makes them (Go's sumdb/tlog layout: `id` =
inspector.merkle.stored_hash_index(level, index)), so that a write appends rows at the end
of one table. Any root, inclusion proof or consistency proof is then O(log n) primary-key
reads; nothing is ever hashed after the commit by somebody else.
"""
from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from inspector.leaves import actor_of, canonical
from inspector.merkle import Frontier, leaf_hash, size_of, stored_hash_count, stored_hash_index

from ..exceptions import AuditTreeDamaged

MERKLE_TABLE = "iku_merkle"


class MerkleMixin:
    """For an application recorder (the IKU mixin's dialect): append leaves in the write."""

    def merkle_nodes(self, c, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        """The stored hashes of complete subtrees (level, index), in one statement."""
        ids = {stored_hash_index(level, index): (level, index) for level, index in keys}
        marks = ", ".join("?" for _ in ids)
        c.execute(self.sql(f"SELECT id, hash FROM {MERKLE_TABLE} WHERE id IN ({marks})"), list(ids))
        found = {}
        for row in c.fetchall():
            value = row[1]
            if not isinstance(value, (bytes, memoryview)) or len(value) != 32:
                raise AuditTreeDamaged(f"the Merkle tree's hash {row[0]} is not 32 bytes: run `iku verify`")
            found[ids[row[0]]] = bytes(value)
        return found

    def tree_size(self, c) -> int:
        """The leaves of the tree, from how many hashes it stores."""
        c.execute(f"SELECT max(id) FROM {MERKLE_TABLE}")
        last = c.fetchone()[0]
        size = size_of(0 if last is None else last + 1)
        if size is None:
            raise AuditTreeDamaged("the Merkle tree ends in the middle of an append: run `iku verify`")
        return size

    def _frontier(self, c, size: int) -> Frontier:
        """The complete subtrees of the tree of `size` leaves."""
        wanted = Frontier.levels(size)
        found = self.merkle_nodes(c, wanted) if wanted else {}
        if len(found) != len(wanted):
            raise AuditTreeDamaged(
                f"the Merkle tree lacks nodes of the tree of size {size}: run `iku verify`")
        return Frontier(size, [found[k] for k in wanted])

    # The frontier after this process's last committed append: the next append of this
    # process, if nothing was appended by another meanwhile, need not read it back. Set
    # only once the append's transaction has committed (insert_events below).
    _committed: tuple[int, list[bytes]] | None = None
    _appending = threading.local()

    def insert_events(self, stored_events, **kwargs):
        self._appending.frontier = None
        try:
            result = super().insert_events(stored_events, **kwargs)
        except BaseException:
            self._appending.frontier = None
            raise
        frontier, self._appending.frontier = self._appending.frontier, None
        if frontier is not None:
            self._committed = (frontier.size, list(frontier.hashes))
        return result

    def _checked_frontier(self, c, events: int) -> Frontier:
        """Under the write lock, before appending: the tree has exactly one leaf per event
        (its last stored hash is the last of a tree of `events` leaves), and its frontier —
        kept from this process's last append if that is still the head, else read in the
        same statement as the tree's last id."""
        committed = self._committed
        if committed is not None and committed[0] == events:
            # Nothing was appended since: inserting the next ids fails if anything is there.
            return Frontier(events, committed[1])
        wanted = Frontier.levels(events)
        ids = {stored_hash_index(level, index): (level, index) for level, index in wanted}
        marks = ", ".join("?" for _ in ids)
        c.execute(self.sql(
            (f"SELECT id, hash FROM {MERKLE_TABLE} WHERE id IN ({marks}) UNION ALL " if ids else "")
            + f"SELECT max(id), NULL FROM {MERKLE_TABLE}"), list(ids))
        rows = c.fetchall()
        last = rows.pop()[0]
        if (-1 if last is None else last) != stored_hash_count(events) - 1:
            raise AuditTreeDamaged(f"the Merkle tree does not have a leaf for each of the {events} "
                                   "events: run `iku verify`")
        found = {ids[row[0]]: row[1] for row in rows}
        if len(found) != len(wanted) or any(len(h) != 32 for h in found.values()):
            raise AuditTreeDamaged(f"the Merkle tree lacks nodes of the tree of size {events}: run `iku verify`")
        return Frontier(events, [bytes(found[k]) for k in wanted])

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
        first = int(positions[0])
        if frontier is None:
            frontier = self._checked_frontier(c, first - 1)
        if frontier.size != first - 1:
            raise AuditTreeDamaged(f"the Merkle tree has {frontier.size} leaves but the log "
                                   f"{first - 1} events: run `iku verify`")
        start = stored_hash_count(first - 1)
        hashes = []
        for position, (activity_id, version, topic, actor, state) in zip(positions, parts, strict=True):
            leaf = canonical(int(position), activity_id, version, topic, position.recorded_at, actor, state)
            hashes.extend(h for _, _, h in frontier.append(leaf_hash(leaf)))
        c.executemany(self.sql(f"INSERT INTO {MERKLE_TABLE} (id, hash) VALUES (?, ?)"),
                      list(enumerate(hashes, start)))
        self._appending.frontier = frontier


def _audit_tables(blob: str, integer: str, key: str) -> tuple[str, ...]:
    """The tree, the signed checkpoints (one per tree size) and the witnesses' cosignatures."""
    return (
        f"CREATE TABLE IF NOT EXISTS {MERKLE_TABLE} (id {key} PRIMARY KEY, hash {blob} NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS iku_tree_checkpoints (size {integer} PRIMARY KEY, "
        f"root {blob} NOT NULL, note text NOT NULL, signed_at {integer} NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS iku_cosignatures (size {integer} NOT NULL, witness text NOT NULL, "
        f"key_id text NOT NULL, line text NOT NULL, received_at {integer} NOT NULL, "
        "PRIMARY KEY (size, witness, key_id))",
    )


# SQLite: an INTEGER PRIMARY KEY is the rowid, so a write appends to the table's last page.
AUDIT_TABLES_SQLITE = _audit_tables("blob", "integer", "integer")
AUDIT_TABLES_POSTGRES = _audit_tables("bytea", "bigint", "bigint")

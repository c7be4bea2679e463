"""The Merkle tree of the log, written in each event's own row (docs/AUDIT.md).

Each event is a leaf (index = position − 1, bytes: inspector.leaves.canonical). Appending
leaf n makes its leaf hash and every complete subtree it closes (as many as the trailing
one bits of n); the recorder writes them, concatenated, into the event's `tree` column, in
the INSERT of the event, after taking the lock that orders positions. Node (level, index)
is therefore in the row of position (index + 1)·2^level, at byte 32·level. Any root,
inclusion or consistency proof is O(log n) primary-key reads of the events table; nothing
is hashed after the commit, by this process or another, and a write touches no page but
its event's.
"""
from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, NamedTuple
from uuid import UUID

from inspector.leaves import actor_of, canonical
from inspector.merkle import Frontier, leaf_hash

from ..exceptions import AuditTreeDamaged, EventsUnsealable

HASH = 32


class Head(NamedTuple):
    """What this process's last committed append left: the tree's size and frontier, the
    last recorded_at and the as-of horizon it was written after."""

    size: int
    hashes: list[bytes]
    recorded_at: int
    horizon: int


def node_row(level: int, index: int) -> int:
    """The position of the event whose row holds node (level, index)."""
    return (index + 1) << level


class MerkleMixin:
    """For an application recorder (the IKU mixin's dialect): the tree in the events' rows."""

    # The head after this process's last committed append: its next append, if nothing was
    # appended by another process meanwhile, need not read it back. Set only once the
    # append's transaction has committed (insert_events below).
    _committed: Head | None = None
    _appending = threading.local()
    # Seals each event's leaf hash with the log's key (inspector.seal): set by the service
    # once the log's seal boundary is known; a recorder without it appends nothing.
    sealer: Any = None

    def insert_events(self, stored_events, **kwargs):
        self._appending.frontier = None
        try:
            result = super().insert_events(stored_events, **kwargs)
        except BaseException:
            self._appending.frontier = None
            raise
        frontier, self._appending.frontier = self._appending.frontier, None
        if frontier is not None:
            self._committed = Head(frontier.size, list(frontier.hashes), *self._appending.last)
        return result

    def merkle_nodes(self, c, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        """The stored hashes of complete subtrees (level, index), in one statement."""
        rows = {node_row(level, index) for level, index in keys}
        marks = ", ".join("?" for _ in rows)
        c.execute(self.sql(f"SELECT {self.position_column}, tree FROM {self.events_table} "
                           f"WHERE {self.position_column} IN ({marks})"), sorted(rows))
        trees = {row[0]: row[1] for row in c.fetchall()}
        found = {}
        for level, index in keys:
            tree = trees.get(node_row(level, index))
            if isinstance(tree, (bytes, memoryview)) and len(tree) >= HASH * (level + 1):
                found[(level, index)] = bytes(tree[HASH * level:HASH * (level + 1)])
        return found

    def tree_size(self, c) -> int:
        """The leaves of the tree: one per event (the last event's row must hold its leaf)."""
        c.execute(f"SELECT {self.position_column}, tree FROM {self.events_table} "
                  f"ORDER BY {self.position_column} DESC LIMIT 1")
        row = c.fetchone()
        if row is None:
            return 0
        if not isinstance(row[1], (bytes, memoryview)) or len(row[1]) < HASH:
            raise AuditTreeDamaged(f"the event at position {row[0]} has no leaf: run `iku verify`")
        return row[0]

    def _frontier(self, c, size: int) -> Frontier:
        """The complete subtrees of the tree of `size` leaves: kept from this process's last
        append if that is still the head, else read (and so checked to be there)."""
        committed = self._committed
        if committed is not None and committed.size == size:
            return Frontier(size, committed.hashes)
        wanted = Frontier.levels(size)
        found = self.merkle_nodes(c, wanted) if wanted else {}
        if len(found) != len(wanted):
            raise AuditTreeDamaged(f"the Merkle tree lacks nodes of the tree of size {size}: run `iku verify`")
        return Frontier(size, [found[k] for k in wanted])

    @staticmethod
    def _leaf_parts(stored_events: Sequence[Any]) -> list[tuple]:
        """(activity id hex, version, topic, actor, state) of each event: what its leaf
        needs besides its position and recorded_at."""
        parts = []
        for s in stored_events:
            state = s.state if type(s.state) is bytes else bytes(s.state)
            originator_id = s.originator_id
            parts.append((originator_id.hex if isinstance(originator_id, UUID) else str(originator_id),
                          s.originator_version, s.topic, actor_of(state), state))
        return parts

    def _rows(self, c, last_position: int, last_recorded_at: int, horizon: int,
              stored_events: Sequence[Any]) -> list[tuple]:
        """Under the lock: each event's position, recorded_at, tree column and seal.

        recorded_at = max(clock, last + 1 µs, horizon + 1 µs), one more µs per further event
        of the save: strictly increasing along the log whatever the clocks say, and after
        every as-of instant already answered. The seal signs the leaf hash, which covers
        all of them (inspector/seal.py)."""
        sealer = self.sealer
        if sealer is None:
            raise EventsUnsealable("this process holds no key to seal events with: nothing is appended")
        parts = self._leaf_parts(stored_events)
        frontier = self._frontier(c, last_position)
        first = max(self.clock.now(), last_recorded_at + 1, horizon + 1)
        rows = []
        seal = sealer.seal
        for n, (activity_id, version, topic, actor, state) in enumerate(parts):
            position, recorded_at = last_position + 1 + n, first + n
            made = frontier.append(leaf_hash(canonical(position, activity_id, version, topic,
                                                       recorded_at, actor, state)))
            rows.append((position, recorded_at, b"".join(h for _, _, h in made), seal(made[0][2])))
        self._appending.frontier = frontier
        self._appending.last = (rows[-1][1], horizon)
        return rows


def _audit_tables(blob: str, integer: str) -> tuple[str, ...]:
    """The signed checkpoints (one per tree size) and the witnesses' cosignatures."""
    return (
        f"CREATE TABLE IF NOT EXISTS iku_tree_checkpoints (size {integer} PRIMARY KEY, "
        f"root {blob} NOT NULL, note text NOT NULL, signed_at {integer} NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS iku_cosignatures (size {integer} NOT NULL, witness text NOT NULL, "
        f"key_id text NOT NULL, line text NOT NULL, received_at {integer} NOT NULL, "
        "PRIMARY KEY (size, witness, key_id))",
    )


AUDIT_TABLES_SQLITE = _audit_tables("blob", "integer")
AUDIT_TABLES_POSTGRES = _audit_tables("bytea", "bigint")

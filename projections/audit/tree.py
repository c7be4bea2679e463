"""Reading the log's Merkle tree (written with the events by domain/store/tree.py): its
size and roots, inclusion and consistency proofs, and the leaves of a range.

Every answer is O(log n) primary-key reads of the events table (each row holds the
subtrees its leaf completed), in one statement."""
from __future__ import annotations

from collections.abc import Iterator

from domain.exceptions import AuditTreeDamaged
from inspector import merkle
from inspector.catalog import _
from inspector.leaves import to_line

MAX_LEAVES = 1000  # per request for leaves


class ProofUnavailable(ValueError):
    """A proof asked for sizes or positions the tree does not have (yet)."""


class Tree:
    def __init__(self, recorder):
        self.recorder = recorder

    def size(self) -> int:
        with self.recorder.read() as c:
            self.recorder.tuple_rows(c)
            return self.recorder.tree_size(c)

    def _compute(self, compute, limit_size: int):
        """Run `compute(get)` over stored nodes: find what it reads, fetch that at once."""
        wanted = sorted(merkle.needed_nodes(compute))
        with self.recorder.read() as c:
            self.recorder.tuple_rows(c)
            if self.recorder.tree_size(c) < limit_size:
                raise ProofUnavailable(_("pohon berisi kurang dari %(n)s daun", n=limit_size))
            found = self.recorder.merkle_nodes(c, wanted) if wanted else {}
        if len(found) != len(wanted):
            raise AuditTreeDamaged(_("pohon Merkle kehilangan simpul: jalankan `iku verify`"))
        return compute(lambda level, index: found[(level, index)])

    def root(self, size: int) -> bytes:
        if size == 0:
            return merkle.EMPTY_ROOT
        return self._compute(lambda get: merkle.subtree_hash(get, 0, size), size)

    def inclusion(self, index: int, size: int) -> list[bytes]:
        if not 0 <= index < size:
            raise ProofUnavailable(_("indeks daun %(index)s tidak ada di pohon berukuran %(size)s",
                                     index=index, size=size))
        return self._compute(lambda get: merkle.inclusion_proof(get, index, size), size)

    def consistency(self, old: int, new: int) -> list[bytes]:
        if not 0 <= old <= new:
            raise ProofUnavailable(_("tidak ada bukti konsistensi dari ukuran %(old)s ke ukuran %(new)s",
                                     old=old, new=new))
        return self._compute(lambda get: merkle.consistency_proof(get, old, new), new)

    def frontier(self, size: int) -> merkle.Frontier:
        """The complete subtrees of the tree of `size` leaves, as stored."""
        wanted = merkle.Frontier.levels(size)
        if not wanted:
            return merkle.Frontier()
        with self.recorder.read() as c:
            self.recorder.tuple_rows(c)
            found = self.recorder.merkle_nodes(c, wanted)
        if len(found) != len(wanted):
            raise AuditTreeDamaged(_("pohon Merkle kehilangan simpul: jalankan `iku verify`"))
        return merkle.Frontier(size, [found[k] for k in wanted])

    def leaf_hash(self, index: int) -> bytes:
        return self._compute(lambda get: get(0, index), index + 1)

    def leaves(self, start: int, end: int) -> list[dict]:
        """The leaves [start, end) as export lines, with their seals (at most MAX_LEAVES)."""
        end = min(end, start + MAX_LEAVES)
        return [to_line(p, i, v, t, r, s, seal) for p, i, v, t, s, r, seal in
                self.recorder.select_sealed_lines(start, end, end - start)]

    def lines(self, size: int, batch: int = 5_000) -> Iterator[dict]:
        after = 0
        while after < size:
            rows = self.recorder.select_sealed_lines(after, size, batch)
            if not rows:
                return
            for p, i, v, t, s, r, seal in rows:
                yield to_line(p, i, v, t, r, s, seal)
            after = rows[-1][0]

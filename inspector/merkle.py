"""RFC 6962 / RFC 9162 §2.1 Merkle trees: hashes, proofs, and their verification.

A tree of n leaves D[0:n]: MTH({}) = SHA-256(""), MTH({d}) = SHA-256(0x00 ‖ d), and
MTH(D[a:b]) = SHA-256(0x01 ‖ MTH(D[a:a+k]) ‖ MTH(D[a+k:b])) with k the largest power of two
below b − a. Proofs are computed over a function that gives the hash of any complete,
aligned subtree (level l, index i covers leaves [i·2^l, (i+1)·2^l)), so that a store
keeping those hashes answers any proof with O(log n) reads.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

from .catalog import _

EMPTY_ROOT = hashlib.sha256(b"").digest()
_sha256 = hashlib.sha256


def leaf_hash(leaf: bytes) -> bytes:
    return _sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return _sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


class Frontier:
    """The hashes of the complete subtrees of a tree being built leaf by leaf (one per set
    bit of its size): appending a leaf yields every new complete node, and the root is
    their fold. Memory O(log n)."""

    def __init__(self, size: int = 0, hashes: Iterable[bytes] = ()):
        self.size = size
        self.hashes = list(hashes)  # highest level first
        if len(self.hashes) != bin(size).count("1"):
            raise ValueError(_("frontier memiliki satu hash untuk setiap bit 1 ukurannya"))

    @staticmethod
    def levels(size: int) -> list[tuple[int, int]]:
        """(level, index) of the complete subtrees of a tree of `size` leaves, left to right."""
        nodes, start = [], 0
        for level in range(size.bit_length() - 1, -1, -1):
            if size >> level & 1:
                nodes.append((level, start >> level))
                start += 1 << level
        return nodes

    def append(self, leaf_hash_: bytes) -> list[tuple[int, int, bytes]]:
        """Add a leaf; returns the new complete nodes (level, index, hash), leaf first."""
        index = self.size
        made = [(0, index, leaf_hash_)]
        hashes = self.hashes
        hashes.append(leaf_hash_)
        level, h = 0, leaf_hash_
        while index >> level & 1:
            right = hashes.pop()
            left = hashes.pop()
            h = node_hash(left, right)
            hashes.append(h)
            level += 1
            made.append((level, index >> level, h))
        self.size = index + 1
        return made

    def root(self) -> bytes:
        if not self.hashes:
            return EMPTY_ROOT
        r = self.hashes[-1]
        for h in reversed(self.hashes[:-1]):
            r = node_hash(h, r)
        return r


def root_of(leaf_hashes: Iterable[bytes]) -> bytes:
    frontier = Frontier()
    for h in leaf_hashes:
        frontier.append(h)
    return frontier.root()


# Proofs over stored complete subtrees -------------------------------------------------

Get = Callable[[int, int], bytes]  # (level, index) → hash of that complete subtree


def subtree_hash(get: Get, a: int, b: int) -> bytes:
    """MTH(D[a:b]) for 0 <= a < b."""
    n = b - a
    if n & (n - 1) == 0 and a % n == 0:
        level = n.bit_length() - 1
        return get(level, a >> level)
    k = _split(n)
    return node_hash(subtree_hash(get, a, a + k), subtree_hash(get, a + k, b))


def inclusion_proof(get: Get, index: int, size: int) -> list[bytes]:
    """PATH(index, D[0:size]) of RFC 6962 §2.1.1, the leaf's sibling first."""
    if not 0 <= index < size:
        raise ValueError(_("daun %(index)s tidak ada di pohon berukuran %(size)s", index=index, size=size))
    path: list[bytes] = []
    a, b = 0, size
    while b - a > 1:
        k = _split(b - a)
        if index < a + k:
            path.append(subtree_hash(get, a + k, b))
            b = a + k
        else:
            path.append(subtree_hash(get, a, a + k))
            a = a + k
    path.reverse()
    return path


def consistency_proof(get: Get, old: int, new: int) -> list[bytes]:
    """PROOF(old, D[0:new]) of RFC 6962 §2.1.2 (empty when old is 0 or equals new)."""
    if not 0 <= old <= new:
        raise ValueError(_("tidak ada bukti konsistensi dari ukuran %(old)s ke ukuran %(new)s", old=old, new=new))
    if old == 0 or old == new:
        return []
    proof: list[bytes] = []
    a, b, m, complete = 0, new, old, True
    while True:
        n = b - a
        if m == n:
            if not complete:
                proof.append(subtree_hash(get, a, b))
            break
        k = _split(n)
        if m <= k:
            proof.append(subtree_hash(get, a + k, b))
            b = a + k
        else:
            proof.append(subtree_hash(get, a, a + k))
            a, m, complete = a + k, m - k, False
    proof.reverse()
    return proof


def needed_nodes(compute: Callable[[Get], object]) -> set[tuple[int, int]]:
    """The (level, index) nodes that `compute(get)` reads: to fetch them in one query."""
    wanted: set[tuple[int, int]] = set()

    def record(level: int, index: int) -> bytes:
        wanted.add((level, index))
        return bytes(32)

    compute(record)
    return wanted


# Verification (RFC 9162 §2.1.3.2 and §2.1.4.2) -----------------------------------------


def verify_inclusion(index: int, size: int, leaf_hash_: bytes, proof: list[bytes], root: bytes) -> bool:
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf_hash_
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(old: int, new: int, old_root: bytes, new_root: bytes, proof: list[bytes]) -> bool:
    if not 0 <= old <= new:
        return False
    if old == new:
        return not proof and old_root == new_root
    if old == 0:
        return not proof
    if not proof:
        return False
    path = list(proof)
    if old & (old - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0

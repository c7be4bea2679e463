"""The hash chain over the event log, and its verification (issue: audit integrity).

Every event, in log order, gets

    hash(n) = SHA-256(hash(n-1) ‖ canonical(n)),   hash(0) = 32 zero bytes

where canonical(n) is the event's position, activity id (32 hex digits), version, topic,
recorded_at (µs), actor and stored state bytes, each length-prefixed (docs/AUDIT.md gives
the exact layout, so that anyone can recompute it). The chain is kept beside the log in
`iku_chain` by a catch-up after commit (like the view, exactly once, tracked); unlike the
view it is never rebuilt: a rebuild from a changed log would bless the change. `verify`
recomputes everything from the stored events and names the first position that fails.
"""
from __future__ import annotations

import hashlib
import json
import struct
from dataclasses import dataclass

from eventsourcing.persistence import Tracking

from domain.application import Agenda

CHAIN_NAME = "iku-chain"
GENESIS = bytes(32)
BATCH = 5_000


def _field(value: bytes) -> bytes:
    return struct.pack(">I", len(value)) + value


def canonical(position: int, activity_id: str, version: int, topic: str, recorded_at: int,
              actor: str, state: bytes) -> bytes:
    return b"".join(_field(v) for v in (
        str(position).encode(), activity_id.encode(), str(version).encode(), topic.encode(),
        str(recorded_at).encode(), actor.encode(), state))


def link(previous: bytes, canonical_bytes: bytes) -> bytes:
    return hashlib.sha256(previous + canonical_bytes).digest()


def actor_of(state: bytes) -> str:
    return json.loads(state)["actor"]


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int  # events whose hash was recomputed
    head_position: int
    head_hash: str
    first_bad_position: int | None = None
    reason: str | None = None


class Chain:
    def __init__(self, agenda: Agenda, view):
        """`view` gives the store's transactions and tracking (the activity view's recorder)."""
        self.agenda = agenda
        self.view = view
        with view.write_transaction() as c:
            c.execute("CREATE TABLE IF NOT EXISTS iku_chain (position BIGINT PRIMARY KEY, hash TEXT NOT NULL)")

    def position(self, c) -> int:
        return self.view._max_tracking_id(CHAIN_NAME, c) or 0

    def head(self) -> tuple[int, str]:
        with self.view.read() as c:
            c.execute("SELECT position, hash FROM iku_chain ORDER BY position DESC LIMIT 1")
            row = c.fetchone()
        return (row["position"], row["hash"]) if row else (0, GENESIS.hex())

    def hash_at(self, position: int) -> str | None:
        with self.view.read() as c:
            c.execute(self.view.sql("SELECT hash FROM iku_chain WHERE position = ?"), (position,))
            row = c.fetchone()
        return row["hash"] if row else None

    def hashes(self, after: int, until: int) -> dict[int, str]:
        with self.view.read() as c:
            c.execute(self.view.sql("SELECT position, hash FROM iku_chain WHERE position > ? AND position <= ?"),
                      (after, until))
            return {r["position"]: r["hash"] for r in c.fetchall()}

    def catch_up(self) -> int:
        """Chain the events recorded since the last catch-up. Returns the chain's position."""
        until = self.agenda.recorder.max_notification_id() or 0
        while True:
            with self.view.read() as c:
                position = self.position(c)
            if position >= until:
                return position
            rows = self.agenda.recorder.select_rows(position, until, BATCH)
            with self.view.write_transaction() as c:
                if self.position(c) != position:
                    continue  # another process chained these meanwhile
                previous = GENESIS
                if position:
                    c.execute(self.view.sql("SELECT hash FROM iku_chain WHERE position = ?"), (position,))
                    previous = bytes.fromhex(c.fetchone()["hash"])
                links = []
                for pos, activity_id, version, topic, state, recorded_at in rows:
                    previous = link(previous, canonical(pos, activity_id, version, topic, recorded_at,
                                                        actor_of(state), state))
                    links.append((pos, previous.hex()))
                c.executemany(self.view.sql("INSERT INTO iku_chain VALUES (?, ?)"), links)
                self.view._insert_tracking(c, Tracking(CHAIN_NAME, rows[-1][0]))

    def verify(self) -> Verification:
        """Recompute the chain from the stored events and compare it with the kept one."""
        self.catch_up()
        previous, expected_position, checked = GENESIS, 0, 0
        while True:
            rows = self.agenda.recorder.select_rows(expected_position, 2**62, BATCH)
            with self.view.read() as c:
                c.execute(self.view.sql("SELECT position, hash FROM iku_chain WHERE position > ? "
                                        "ORDER BY position LIMIT ?"), (expected_position, BATCH))
                kept = [(r["position"], r["hash"]) for r in c.fetchall()]
            if not rows and not kept:
                return Verification(True, checked, expected_position, previous.hex())
            for index, kept_link in enumerate(kept):
                expected_position += 1
                if index >= len(rows) or rows[index][0] != expected_position:
                    missing = expected_position if kept_link[0] == expected_position else kept_link[0]
                    return self._failed(checked, missing, f"the event at position {missing} is missing from the log")
                if kept_link[0] != expected_position:
                    return self._failed(checked, expected_position,
                                        f"the chain has no hash for position {expected_position}")
                pos, activity_id, version, topic, state, recorded_at = rows[index]
                try:
                    actor = actor_of(state)
                except (ValueError, KeyError):
                    return self._failed(checked, pos, "the stored event cannot be read")
                previous = link(previous, canonical(pos, activity_id, version, topic, recorded_at, actor, state))
                if previous.hex() != kept_link[1]:
                    return self._failed(checked, pos, "the stored event does not match its hash")
                checked += 1
            if len(rows) > len(kept):
                extra = rows[len(kept)][0]
                return self._failed(checked, extra, f"the event at position {extra} is not in the chain")

    @staticmethod
    def _failed(checked: int, position: int, reason: str) -> Verification:
        return Verification(False, checked, 0, "", first_bad_position=position, reason=reason)

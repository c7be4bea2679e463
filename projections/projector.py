"""Keeps the activity view up to date from the log, exactly once and resumably.

SQLite has no subscription, so the view catches up on demand: before any read, up to the
log position that read needs (a write is visible to the next read). Each batch is written
under the write lock (BEGIN IMMEDIATE): the view's tracking position is re-read inside the
transaction, and the rows and the new position are written in it. Several threads or
processes may race to catch up; each event is still applied once.

Within one catch-up, activity heads stay in memory between batches; a batch is prepared
(decoded and folded) outside the write lock and written only if the view is still at the
position it was prepared from. On PostgreSQL the writing runs on a thread while the next
batch is prepared (`_Writer`); a head evicted from the cache while its batch is still being
written is read back only after that batch commits.
"""
from __future__ import annotations

import gc
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from domain.application import Agenda

from .decoding import EventDecoder
from .fold import UCAPAN_FOLDED, LocalDates, fold, fold_ucapan, ucapan_row, version_row
from .view import DEFAULT_BUCKET_BITS, ActivityView
from .view_postgres import PostgresActivityView

LIVE_BATCH = 2_000
REBUILD_BATCH = 10_000
CACHE_LIMIT = 20_000  # activity heads kept in memory during a catch-up; least recently used go first
SYS_TO = 4  # index of sys_to in a version row
PREV_POSITION = 17  # index of prev_position in a version row
MOVED_LATE_FROM = 18  # index of moved_late_from
UCAPAN_PREV_POSITION = 14  # index of prev_position in an ucapan's row


@dataclass
class Batch:
    after: int  # the view's position this batch follows
    position: int  # the position it brings the view to
    count: int
    new_rows: list
    closed: list
    heads: dict
    deltas: dict  # (local_date, bucket, leaders, cancelled, served, media) -> +n/-n
    buckets: dict  # bucket -> (last position, its recorded_at)
    ucapan_rows: list  # the ucapan's version rows, and the earlier ones these close
    ucapan_closed: list


class _Writer:
    """Writes prepared batches: on PostgreSQL on a thread of its own, so that the next
    batch is read, decoded and folded while the database writes this one (the thread waits
    on the socket, not the GIL); on SQLite in line, where a thread was slower.
    A batch is refused when another process moved the view (`conflict`); no batch is
    written after a refused one."""

    def __init__(self, projector: Projector, progress, *, pipelined: bool):
        self.projector = projector
        self.progress = progress
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="iku-view-writer") if pipelined else None
        self.pending: Future | None = None
        self.evicted: set[str] = set()  # heads evicted while `pending` is being written
        self.conflict = False

    def submit(self, batch: Batch) -> bool:
        """Write (or start writing) a batch; False, writing nothing, after a conflict."""
        self.settle()
        if self.conflict:
            return False
        if self.pool is None:
            self.conflict = not self.projector._write(batch, self.progress)
            self.evicted.clear()  # written: nothing evicted is pending
            return not self.conflict
        self.pending = self.pool.submit(self.projector._write, batch, self.progress)
        return True

    def settle(self) -> None:
        """Wait until the batch being written is committed (or refused)."""
        if self.pending is not None:
            pending, self.pending = self.pending, None
            if not pending.result():
                self.conflict = True
            self.evicted.clear()

    def close(self) -> None:
        if self.pool is not None:
            try:
                if self.pending is not None:
                    self.pending.result()  # never leave a write running behind a failure
            finally:
                self.pool.shutdown()


VIEWS = {"sqlite": ActivityView, "postgres": PostgresActivityView}  # by the factory's `store`


def view_class(agenda: Agenda) -> type:
    """The activity view for the agenda's store."""
    return VIEWS[agenda.factory.store]


class Projector:
    def __init__(self, agenda: Agenda, zone: ZoneInfo, bucket_bits: int = DEFAULT_BUCKET_BITS, *, view=None):
        """`view`: a view recorder of its own (a scratch view, to check the live one against:
        view_check.py); by default the agenda's store's."""
        self.agenda = agenda
        self.zone = zone
        self.view = view if view is not None else agenda.factory.tracking_recorder(view_class(agenda))
        self.pipelined = not isinstance(self.view, ActivityView)  # PostgreSQL
        self.view.bucket_bits = bucket_bits
        self.decoder = EventDecoder(agenda.mapper)
        self.dates = LocalDates(zone)
        self._lock = threading.Lock()
        self._check_settings()

    def _check_settings(self) -> None:
        """Local dates depend on the configured timezone, the counts' buckets on their size:
        a change of either means a rebuild."""
        settings = {"timezone": self.zone.key, "bucket_bits": str(self.view.bucket_bits)}
        with self.view.write_transaction() as c:
            if any(self.view.get_meta(c, key) != value for key, value in settings.items()):
                self.view.reset(c)
                for key, value in settings.items():
                    self.view.set_meta(c, key, value)

    def position(self) -> int:
        with self.view.read() as c:
            return self.view.position(c)

    def catch_up(self, until: int | None = None, batch: int = LIVE_BATCH, progress=None) -> int:
        """Apply the log up to `until` (default: its end). Returns the view's position."""
        if until is None:
            until = self.agenda.recorder.max_notification_id() or 0
        with self._lock:
            position = self.position()
            if position >= until:
                return position
            # A thread only pays when there is more than one batch to write.
            writer = _Writer(self, progress, pipelined=self.pipelined and until - position > batch)
            try:
                return self._catch_up(position, until, batch, writer)
            finally:
                writer.close()

    def _catch_up(self, position: int, until: int, batch: int, writer: _Writer) -> int:
        cache: OrderedDict[str, dict] = OrderedDict()
        while True:
            while position < until:
                rows = self.agenda.recorder.select_rows(position, until, batch)
                if not rows:
                    break
                missing = {r[1] for r in rows} - cache.keys()
                if missing & writer.evicted:
                    # Heads evicted while their batch is still being written: read them
                    # only once it is committed.
                    writer.settle()
                    if writer.conflict:
                        break
                if missing:
                    with self.view.read() as c:
                        cache.update(self.view.load_heads(c, missing))
                        cache.update(self.view.load_ucapan_heads(c, missing - cache.keys()))
                prepared = self._prepare(position, rows, cache)
                if not writer.submit(prepared):
                    break
                position = prepared.position
                while len(cache) > CACHE_LIMIT:
                    writer.evicted.add(cache.popitem(last=False)[0])  # the least recently used
            writer.settle()
            if not writer.conflict:
                return position
            # Another process moved the view: our heads may be stale.
            writer.conflict = False
            cache.clear()
            position = self.position()
            if position >= until:
                return position

    def _prepare(self, after: int, rows: list[tuple], cache: OrderedDict) -> Batch:
        decode, dates, bits = self.decoder.decode, self.dates, self.view.bucket_bits
        new_rows: dict[int, list] = {}  # by position
        closed: list[tuple[int, int]] = []  # (sys_to, position) of rows already written
        touched: dict[str, dict] = {}
        deltas: dict[tuple, int] = {}
        buckets: dict[int, tuple[int, int]] = {}
        ucapan_rows: dict[int, list] = {}
        ucapan_closed: list[tuple[int, int]] = []
        for position, aid, version, topic, stored, recorded_at in rows:
            kind, data = decode(aid, version, topic, stored)
            if kind is None:
                continue  # not an activity's event
            if kind in UCAPAN_FOLDED:
                previous = cache.get(aid)
                state = fold_ucapan(previous, kind, data, version, dates)
                row = ucapan_row(position, aid, state, recorded_at)
                if previous is not None:
                    if previous["p"] in ucapan_rows:
                        ucapan_rows[previous["p"]][SYS_TO] = recorded_at
                    else:
                        ucapan_closed.append((recorded_at, previous["p"]))
                    row[UCAPAN_PREV_POSITION] = previous["p"]
                state["p"], state["record"] = position, "ucapan"
                cache[aid] = state
                cache.move_to_end(aid)
                ucapan_rows[position] = row
                continue
            bucket = position >> bits
            previous = cache.get(aid)
            state = fold(previous, kind, data, version)
            row = version_row(position, aid, state, recorded_at, dates)
            if previous is not None:
                if previous["p"] in new_rows:
                    new_rows[previous["p"]][SYS_TO] = recorded_at
                else:
                    closed.append((recorded_at, previous["p"]))
                row[PREV_POSITION] = previous["p"]
                date, *counted = previous["k"]
                if row[5] != date and recorded_at > previous["starts_at"]:
                    row[MOVED_LATE_FROM] = date  # moved to another date after its time had passed
                key = (date, bucket, *counted)
                deltas[key] = deltas.get(key, 0) - 1
            state["p"] = position
            state["k"] = (row[5], row[8], row[9], row[10], row[11])
            key = (row[5], bucket, row[8], row[9], row[10], row[11])
            deltas[key] = deltas.get(key, 0) + 1
            buckets[bucket] = (position, recorded_at)
            cache[aid] = touched[aid] = state
            cache.move_to_end(aid)  # the cache's order is recency
            new_rows[position] = row
        return Batch(after=after, position=rows[-1][0], count=len(rows),
                     new_rows=list(new_rows.values()), closed=closed, heads=touched,
                     deltas=deltas, buckets=buckets, ucapan_rows=list(ucapan_rows.values()),
                     ucapan_closed=ucapan_closed)

    def _write(self, batch: Batch, progress: Callable | None) -> bool:
        """Write a prepared batch if the view is still where it was prepared from."""
        with self.view.write_transaction() as c:
            if self.view.position(c) != batch.after:
                return False
            self.view.write(c, new_rows=batch.new_rows, closed=batch.closed,
                            heads=batch.heads, position=batch.position,
                            deltas=batch.deltas, buckets=batch.buckets,
                            ucapan_rows=batch.ucapan_rows, ucapan_closed=batch.ucapan_closed)
        if progress is not None:
            progress(batch.count)
        return True

    def rebuild(self, progress=None) -> int:
        """Forget the view and replay the whole log from position 0."""
        with self._lock:
            with self.view.write_transaction() as c:
                self.view.reset(c)
        # The heads cache holds up to CACHE_LIMIT small containers, none cyclic:
        # the cyclic collector would rescan them again and again.
        enabled = gc.isenabled()
        gc.disable()
        try:
            return self.catch_up(batch=REBUILD_BATCH, progress=progress)
        finally:
            if enabled:
                gc.enable()

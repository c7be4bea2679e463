"""Keeps the activity view up to date from the log, exactly once and resumably.

SQLite has no subscription, so the view catches up on demand: before any read, up to the
log position that read needs (a write is visible to the next read). Each batch is written
under the write lock (BEGIN IMMEDIATE): the view's tracking position is re-read inside the
transaction, and the rows and the new position are written in it. Several threads or
processes may race to catch up; each event is still applied once.

Within one catch-up, activity heads stay in memory between batches; a batch is prepared
(decoded and folded) outside the write lock and written only if the view is still at the
position it was prepared from.
"""
from __future__ import annotations

import gc
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from domain.application import Agenda

from .decoding import EventDecoder
from .fold import LocalDates, fold, version_row
from .view import ActivityView

LIVE_BATCH = 2_000
REBUILD_BATCH = 50_000
CACHE_LIMIT = 100_000  # activity heads kept in memory during a catch-up; least recently used go first
SYS_TO = 4  # index of sys_to in a version row  # activity heads kept in memory during one catch-up


@dataclass
class Batch:
    after: int  # the view's position this batch follows
    position: int  # the position it brings the view to
    count: int
    new_rows: list
    closed: list
    heads: dict


def view_class(agenda: Agenda) -> type:
    """The activity view for the agenda's store."""
    from eventsourcing.postgres import PostgresFactory

    if isinstance(agenda.factory, PostgresFactory):
        from .view_postgres import PostgresActivityView

        return PostgresActivityView
    return ActivityView


class Projector:
    def __init__(self, agenda: Agenda, zone: ZoneInfo):
        self.agenda = agenda
        self.zone = zone
        self.view = agenda.factory.tracking_recorder(view_class(agenda))
        self.decoder = EventDecoder(agenda.mapper)
        self.dates = LocalDates(zone)
        self._lock = threading.Lock()
        self._check_timezone()

    def _check_timezone(self) -> None:
        """Local dates depend on the configured timezone: a change means a rebuild."""
        with self.view.write_transaction() as c:
            stored = self.view.get_meta(c, "timezone")
            if stored != self.zone.key:
                self.view.reset(c)
                self.view.set_meta(c, "timezone", self.zone.key)

    def position(self) -> int:
        with self.view.read() as c:
            return self.view.position(c)

    def catch_up(self, until: int | None = None, batch: int = LIVE_BATCH, progress=None) -> int:
        """Apply the log up to `until` (default: its end). Returns the view's position."""
        if until is None:
            until = self.agenda.recorder.max_notification_id() or 0
        with self._lock:
            position = self.position()
            cache: OrderedDict[str, dict] = OrderedDict()
            while position < until:
                rows = self.agenda.recorder.select_rows(position, until, batch)
                if not rows:
                    break
                missing = {r[1] for r in rows} - cache.keys()
                if missing:
                    with self.view.read() as c:
                        cache.update(self.view.load_heads(c, missing))
                prepared = self._prepare(position, rows, cache)
                if self._write(prepared, progress):
                    position = prepared.position
                else:  # another process moved the view: our heads may be stale
                    cache.clear()
                    position = self.position()
                while len(cache) > CACHE_LIMIT:
                    cache.popitem(last=False)  # the least recently used
            return position

    def _prepare(self, after: int, rows: list[tuple], cache: OrderedDict) -> Batch:
        decode, dates = self.decoder.decode, self.dates
        new_rows: dict[int, list] = {}  # by position
        closed: list[tuple[int, int]] = []  # (sys_to, position) of rows already written
        touched: dict[str, dict] = {}
        for position, aid, version, topic, stored, recorded_at in rows:
            kind, data = decode(aid, version, topic, stored)
            if kind is None:
                continue  # not an activity's event
            previous = cache.get(aid)
            if previous is not None:
                if previous["p"] in new_rows:
                    new_rows[previous["p"]][SYS_TO] = recorded_at
                else:
                    closed.append((recorded_at, previous["p"]))
            state = fold(previous, kind, data, version)
            state["p"] = position
            cache[aid] = touched[aid] = state
            cache.move_to_end(aid)  # the cache's order is recency
            new_rows[position] = version_row(position, aid, state, recorded_at, dates)
        return Batch(after=after, position=rows[-1][0], count=len(rows),
                     new_rows=list(new_rows.values()), closed=closed, heads=touched)

    def _write(self, batch: Batch, progress: Callable | None) -> bool:
        """Write a prepared batch if the view is still where it was prepared from."""
        with self.view.write_transaction() as c:
            if self.view.position(c) != batch.after:
                return False
            self.view.write(c, new_rows=batch.new_rows, closed=batch.closed,
                            heads=batch.heads, position=batch.position)
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

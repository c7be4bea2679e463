"""Keeps the activity view up to date from the log, exactly once and resumably.

SQLite has no subscription, so the view catches up on demand: before any read, up to the
log position that read needs (a write is visible to the next read). Each batch takes the
write lock (BEGIN IMMEDIATE), re-reads the view's tracking position inside it, applies the
next notifications and records the new position in the same transaction: several threads
or processes may race to catch up, and each event is still applied once.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from zoneinfo import ZoneInfo

from domain.application import Agenda
from domain.store.sqlite import immediate_transaction

from .fold import fold, version_row
from .view import ActivityView

LIVE_BATCH = 2_000
REBUILD_BATCH = 10_000


class Projector:
    def __init__(self, agenda: Agenda, zone: ZoneInfo):
        self.agenda = agenda
        self.zone = zone
        self.view: ActivityView = agenda.factory.tracking_recorder(ActivityView)
        self._lock = threading.Lock()
        self._check_timezone()

    def _check_timezone(self) -> None:
        """Local dates depend on the configured timezone: a change means a rebuild."""
        with immediate_transaction(self.view.datastore) as c:
            stored = self.view.get_meta(c, "timezone")
            if stored != self.zone.key:
                self.view.reset(c)
                self.view.set_meta(c, "timezone", self.zone.key)

    def position(self) -> int:
        with self.view.datastore.transaction(commit=False) as c:
            return self.view.position(c)

    def catch_up(self, until: int | None = None, batch: int = LIVE_BATCH, progress=None) -> int:
        """Apply the log up to `until` (default: its end). Returns the view's position."""
        if until is None:
            until = self.agenda.recorder.max_notification_id() or 0
        with self._lock:
            cache: dict[str, dict] = {}
            position = self.position()
            while position < until:
                position = self._apply_next(position, until, batch, cache, progress)
            return position

    def _apply_next(self, expected, until, batch, cache, progress: Callable | None) -> int:
        notifications = self.agenda.recorder.select_notifications(
            start=expected, limit=batch, stop=until, inclusive_of_start=False
        )
        mapper = self.agenda.mapper
        with immediate_transaction(self.view.datastore) as c:
            position = self.view.position(c)
            if position != expected:
                cache.clear()  # another process applied some: our cached heads are stale
                return position
            if not notifications:
                return until
            ids = {n.originator_id.hex for n in notifications}
            heads = {aid: cache[aid] for aid in ids if aid in cache}
            heads.update(self.view.load_heads(c, ids - heads.keys()))
            new_rows: dict[tuple[str, int], list] = {}
            closed: list[tuple[int, str, int]] = []
            for n in notifications:
                aid = n.originator_id.hex
                previous = heads.get(aid)
                if previous is not None:
                    key = (aid, previous["v"])
                    if key in new_rows:
                        new_rows[key][3] = n.recorded_at
                    else:
                        closed.append((n.recorded_at, aid, previous["v"]))
                state = fold(previous, mapper.to_domain_event(n), n.originator_version)
                heads[aid] = state
                new_rows[(aid, state["v"])] = version_row(aid, state, n.recorded_at, self.zone)
            position = notifications[-1].id
            self.view.write(
                c, new_rows=list(new_rows.values()), closed=closed, heads=heads,
                position=position,
            )
        cache.update(heads)
        if len(cache) > 500_000:
            cache.clear()
        if progress is not None:
            progress(len(notifications))
        return position

    def rebuild(self, progress=None) -> int:
        """Forget the view and replay the whole log from position 0."""
        with self._lock:
            with immediate_transaction(self.view.datastore) as c:
                self.view.reset(c)
        return self.catch_up(batch=REBUILD_BATCH, progress=progress)

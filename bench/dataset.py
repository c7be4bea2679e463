"""A large log for the benchmarks, posted through the Agenda (never into tables).

Activities of ten years (2016–2025), about three events each (scheduled, protocol served,
documented, and now and then rescheduled, retracted or cancelled), recorded on a simulated
clock that moves through those years. Many activities are saved per transaction to build
a million events in minutes; each event still goes through the aggregate and the recorder."""
from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from domain.application import Agenda
from domain.context import acting_as
from domain.model import Activity
from domain.store.clock import SimulatedClock

START = datetime(2016, 1, 1, tzinfo=UTC)
YEARS = 10
EVENTS_PER_ACTIVITY = 3.1  # see the mix below
LEADERS = (["bupati"], ["wakil_bupati"], ["bupati", "wakil_bupati"])


def build(agenda: Agenda, events: int, seed: int = 1, per_save: int = 200) -> int:
    """Append about `events` events; returns how many were appended."""
    if not agenda.mark_as_demo() and not agenda.recorded_times_are_simulated:
        raise RuntimeError("the benchmark dataset needs an empty database")
    rng = random.Random(seed)
    activities = round(events / EVENTS_PER_ACTIVITY)
    span = timedelta(days=365 * YEARS)
    clock = SimulatedClock(START)
    agenda.use_clock(clock)
    appended = 0
    with acting_as("bench"):
        for first in range(0, activities, per_save):
            batch = []
            count = min(per_save, activities - first)
            for i in range(first, first + count):
                starts = START + span * (i / activities) + timedelta(hours=rng.randint(0, 12))
                a = Activity(title=f"Kegiatan {i}", leaders=rng.choice(LEADERS), starts_at=starts,
                             location="Pendopo", scope="dalam_daerah")
                roll = rng.random()
                if roll < 0.05:
                    a.cancel(reason="batal")
                else:
                    if roll < 0.15:
                        a.reschedule(starts_at=starts + timedelta(days=rng.choice((-1, 1, 3))), reason="r")
                    a.serve(officers=["Ani"])
                    a.document(media=rng.choice(("foto", "video", "media_luar_ruang")))
                    if roll > 0.97:
                        a.retract(version=a.version, reason="salah")
                batch.append(a)
            clock.set(START + span * ((first + count) / activities) + timedelta(days=2))
            appended += len(agenda.save(*batch))
    return appended

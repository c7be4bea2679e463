"""A large log for the benchmarks, posted through the Agenda (never into tables).

Activities of ten years (2016–2025), about three events each (scheduled, protocol served,
documented, and now and then rescheduled, retracted or cancelled), recorded on a simulated
clock that moves through those years. Many activities are saved per transaction to build
a million events in minutes; each event still goes through the aggregate and the recorder."""
from __future__ import annotations

import random
import re
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from domain.application import Agenda
from domain.context import acting_as
from domain.model import Activity
from domain.store.clock import SimulatedClock

from .common import Timer

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


PASSWORD = "kata-sandi-bench"


@contextmanager
def served(args, name: str, size: int, **config):
    """The service (create_app, TESTING) on a database of `size` events (bench/stores.py),
    built through the Agenda unless it already holds one (--keep)."""
    from api import create_app
    from api.config import Config

    from . import stores

    with stores.database(args, f"{name}_{size}") as (url, existed):
        app = create_app(Config.from_environment(database=url, **config))
        app.config.update(TESTING=True)
        try:
            if not existed:
                with Timer() as t:
                    built = build(app.extensions["iku"].agenda, size)
                print(f"built {built} events in {t.seconds:.0f} s")
            if "://" in url:
                analyse(url)
            yield app
        finally:
            app.extensions["iku"].close()


def signed_in(app, role: str = "pimpinan"):
    """A test client logged in as a user of `role`, and that user's API token."""
    users = app.extensions["iku"].users
    name = f"bench-{role}"
    if users.get(name) is None:
        users.create(name, role)
        users.set_password(name, PASSWORD)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"csrf_token": csrf, "name": name, "password": PASSWORD}).status_code == 302
    return client, users.new_token(name)


def analyse(url: str) -> None:
    """PostgreSQL's statistics after a bulk load, as docs/OPERATIONS.md asks of an operator
    (and autovacuum does in time): with stale ones the planner scans whole tables."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("ANALYZE")

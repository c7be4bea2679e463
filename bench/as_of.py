"""As-of IKU query latency against a full replay, and the rebuild rate, at 100k and 1M events.

For each size: build the log through the Agenda (bench/dataset.py), rebuild the view from
position 0 in a child process (timed: the rebuild rate; its own peak RSS), then answer
random as-of queries — a random period (year, half, quarter or month of the ten years), a
random instant between the first and the last recorded_at, a random leader filter —
through the same calculator the API uses, and time a few full replays (the reference
calculator) of the same kind of query.

    python -m bench.as_of [--sizes 100000 1000000] [--queries 300] [--replays 3]
                          [--store sqlite|postgres] [--keep]   (see bench/stores.py)
"""
from __future__ import annotations

import argparse
import multiprocessing
import random
import resource
import time
from zoneinfo import ZoneInfo

from api.bootstrap import Services
from domain.store.stores import store_for
from domain.store.clock import to_datetime
from projections.calculator import ReferenceCalculator
from projections.periods import Period

from . import stores
from .common import Timer, machine_note, median, percentile
from .dataset import YEARS, build


def random_period(rng: random.Random) -> Period:
    year = 2016 + rng.randrange(YEARS)
    return Period.parse(rng.choice([
        f"{year}", f"{year}-S{rng.randint(1, 2)}", f"{year}-Q{rng.randint(1, 4)}",
        f"{year}-{rng.randint(1, 12):02d}"]))


def _rebuild(database: str, results) -> None:
    svc = Services(database, "Asia/Jakarta")
    events = svc.agenda.recorder.max_notification_id()
    start = time.perf_counter()
    svc.projector.rebuild()
    seconds = time.perf_counter() - start
    svc.close()
    results.put((events, seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def vacuum(database: str) -> None:
    """What the operations notes ask after a bulk load or a rebuild on PostgreSQL: fresh
    planner statistics (autovacuum gets there too, later). SQLite needs nothing."""
    if store_for(database).name == "postgres":
        import psycopg

        with psycopg.connect(database, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")


def rebuild_in_child(database: str) -> tuple[int, float, float]:
    """(events, seconds, peak RSS in MB) of a rebuild from position 0, in a new process."""
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    child = context.Process(target=_rebuild, args=(database, results))
    child.start()
    outcome = results.get()
    child.join()
    return outcome


def run(database: str, existed: bool, size: int, queries: int = 300, replays: int = 3,
        seed: int = 7, rebuild: bool = True) -> dict:
    svc = Services(database, "Asia/Jakarta")
    with Timer() as t_build:
        if not existed:
            build(svc.agenda, size)
    svc.close()
    if rebuild or not existed:
        events, rebuild_seconds, rebuild_rss = rebuild_in_child(database)
    else:
        events, rebuild_seconds, rebuild_rss = size, float("nan"), float("nan")
    vacuum(database)
    svc = Services(database, "Asia/Jakarta")
    recorder = svc.agenda.recorder
    first = recorder.select_notifications(start=None, limit=1)[0].recorded_at
    last = recorder.recorded_at_of(recorder.max_notification_id())
    rng = random.Random(seed)
    latencies = []
    for _ in range(queries):
        period = random_period(rng)
        as_of = to_datetime(rng.randint(first, last))
        leader = rng.choice([None, "bupati", "wakil_bupati"])
        with Timer() as t:
            svc.calculator.compute(period, as_of, leader)
        latencies.append(t.seconds * 1000)
    reference = ReferenceCalculator(svc.agenda, ZoneInfo("Asia/Jakarta"))
    replay_seconds = []
    for _ in range(replays):
        period, as_of = random_period(rng), to_datetime(rng.randint(first, last))
        with Timer() as t:
            reference.compute(period, as_of, None)
        replay_seconds.append(t.seconds)
    svc.close()
    return {
        "events": events,
        "build_seconds": t_build.seconds,
        "rebuild_rate": events / rebuild_seconds,
        "rebuild_rss_mb": rebuild_rss,
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
        "replay_ms": median(replay_seconds) * 1000 if replay_seconds else None,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--replays", type=int, default=3, help="full replays (0: none)")
    parser.add_argument("--no-rebuild", action="store_true", help="with --keep: reuse the view as it is")
    stores.add_arguments(parser)
    args = parser.parse_args()
    print(machine_note(), f"store: {args.store}")
    print("| events | as-of p50 | as-of p95 | full replay (median) | replay ÷ as-of p50 | rebuild "
          "| rebuild peak RSS | build |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size in args.sizes:
        with stores.database(args, f"asof_{size}") as (database, existed):
            r = run(database, existed, size, args.queries, args.replays, rebuild=not args.no_rebuild)
        replay = (f"{r['replay_ms']:,.0f} ms | {r['replay_ms'] / r['p50_ms']:,.0f}×"
                  if r["replay_ms"] is not None else "— | —")
        print(f"| {r['events']:,} | {r['p50_ms']:.2f} ms | {r['p95_ms']:.2f} ms | {replay} | "
              f"{r['rebuild_rate']:,.0f} ev/s | {r['rebuild_rss_mb']:,.0f} MB | "
              f"{r['build_seconds']:.0f} s |", flush=True)


if __name__ == "__main__":
    main()

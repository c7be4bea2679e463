"""Inclusion and consistency proofs of the audit log at 1M and 10M events, and the
verify-export rate of a 1M-event export.

The log is built through the Agenda (bench/dataset.py): every event goes through the
recorder, which writes its leaf and the subtrees it completes in the event's transaction.
Then, on that store:
- proofs: random (position, tree size) inclusion proofs and random (old, new) consistency
  proofs through projections.audit.tree.Tree (the code behind /api/v1/audit/proofs/*),
  each one statement; p50/p95 in ms. Also through the HTTP handler (Flask test client).
- export (with --export): `iku export audit` of the whole log, then the offline verifier
  (inspector.export.verify_export: every leaf hashed, the root recomputed, every figure
  and submitted report recomputed), events/s, median of --runs.

    python -m bench.proofs [--sizes 1000000 10000000] [--proofs 2000] [--export]
                           [--store sqlite|postgres] [--keep] [--folder DIR]
"""
from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
from pathlib import Path

from api.bootstrap import Services
from projections.audit.export import export_audit
from projections.periods import Period

from . import stores
from .common import Timer, machine_note, median, percentile
from .dataset import build


def time_proofs(services: Services, count: int, rng: random.Random) -> dict:
    tree = services.tree
    size = tree.size()
    results = {}
    for name, make in (
        ("inclusion at the head", lambda: tree.inclusion(rng.randrange(size), size)),
        ("inclusion in an older tree", lambda: (lambda n: tree.inclusion(rng.randrange(n), n))(rng.randint(1, size))),
        ("consistency", lambda: (lambda a, b: tree.consistency(min(a, b), max(a, b)))(
            rng.randint(1, size), rng.randint(1, size))),
    ):
        times = []
        for _ in range(count):
            start = time.perf_counter()
            make()
            times.append((time.perf_counter() - start) * 1000)
        results[name] = (median(times), percentile(times, 95))
    return results


def time_http(database: str, count: int, rng: random.Random) -> tuple[float, float]:
    from api import create_app

    app = create_app({"IKU_DATABASE": database, "IKU_TIMEZONE": "Asia/Jakarta"})
    client = app.test_client()
    size = app.extensions["iku"].tree.size()
    times = []
    for _ in range(count):
        position = rng.randint(1, size)
        start = time.perf_counter()
        response = client.get(f"/api/v1/audit/proofs/inclusion?position={position}&tree_size={size}")
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.data
    app.extensions["iku"].close()
    return median(times), percentile(times, 95)


def time_export(services: Services, runs: int) -> dict:
    from inspector.export import verify_export

    folder = Path(tempfile.mkdtemp())
    try:
        with Timer() as exported:
            export_audit(services, Period.parse("2021"), folder / "export", sign=True)
        key = services.checkpoints.signer.verifier
        rates = []
        for _ in range(runs):
            with Timer() as t:
                result = verify_export(folder / "export", [key])
            rates.append(result["events"] / t.seconds)
        return {"events": result["events"], "export_seconds": exported.seconds, "rates": rates,
                "submissions": result["submissions_recomputed"],
                "megabytes": sum(p.stat().st_size for p in (folder / "export").rglob("*") if p.is_file()) / 1e6}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--proofs", type=int, default=2000)
    parser.add_argument("--http", type=int, default=500, help="HTTP inclusion proofs timed")
    parser.add_argument("--export", action="store_true", help="also time verify-export on the log")
    parser.add_argument("--runs", type=int, default=3)
    stores.add_arguments(parser)
    args = parser.parse_args()
    print(machine_note(), f"store: {args.store}")
    rng = random.Random(7)
    for size in args.sizes:
        with stores.database(args, f"audit_{size}") as (database, existed):
            services = Services(database, "Asia/Jakarta")
            if not existed:
                with Timer() as built:
                    build(services.agenda, size)
                print(f"built {services.tree.size():,} events in {built.seconds:.0f} s")
            n = services.tree.size()
            for name, (p50, p95) in time_proofs(services, args.proofs, rng).items():
                print(f"{n:>11,} events  {name:<28} p50 {p50:6.2f} ms  p95 {p95:6.2f} ms")
            p50, p95 = time_http(database, args.http, rng)
            print(f"{n:>11,} events  {'inclusion over HTTP':<28} p50 {p50:6.2f} ms  p95 {p95:6.2f} ms")
            if args.export:
                r = time_export(services, args.runs)
                print(f"{r['events']:>11,} events  export {r['export_seconds']:.0f} s ({r['megabytes']:.0f} MB); "
                      f"verify-export {median(r['rates']):,.0f} ev/s (median of {len(r['rates'])}: "
                      f"{', '.join(f'{x:,.0f}' for x in r['rates'])}); {r['submissions']} submissions recomputed")
            services.close()


if __name__ == "__main__":
    main()

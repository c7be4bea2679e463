"""The read pages and API reads at the largest period the service accepts (ten years), on a
log of ten years (bench/dataset.py), through the Flask test client as a logged-in user.

For each size: every read is asked `--repeat` times with the period of ten years
(2016-01-01..2025-12-31) and with one year (2021); the median and the slowest are
reported. Beside them, the dashboard's trend of 120 months as one grouped query
(`AsOfCalculator.monthly`) against the month-by-month computation it replaced.

    python -m bench.pages [--store sqlite|postgres] [--sizes 100000 1000000] [--repeat 5]
"""
from __future__ import annotations

import argparse
import re

from projections.periods import Period

from . import dataset, stores
from .common import Timer, machine_note, median
from .dataset import signed_in

TEN_YEARS = "2016-01-01..2025-12-31"
READS = (
    ("page /dashboard", "/dashboard?period={p}"),
    ("page /dashboard/diff", "/dashboard/diff?period={p}&from=2021-06-01&to=2025-06-01"),
    ("page /dashboard/activities", "/dashboard/activities?period={p}&as_of=2026-01-01T00:00:00%2B07:00&part=served"),
    ("page /agenda", "/agenda?period={p}"),
    ("page /audit", "/audit"),
    ("GET /api/v1/iku", "/api/v1/iku?period={p}"),
    ("GET /api/v1/iku/explain", "/api/v1/iku/explain?period={p}&indicator=IKU-1"),
    ("GET /api/v1/iku/diff", "/api/v1/iku/diff?period={p}&from=2021-06-01"),
    ("GET /api/v1/activities", "/api/v1/activities?period={p}"),
)


def time_reads(client, headers, period: str, repeat: int) -> list[tuple[str, int, float, float, int]]:
    out = []
    for name, path in READS:
        url = path.format(p=period)
        seconds, status, size = [], 0, 0
        for _ in range(repeat):
            with Timer() as t:
                response = client.get(url, headers=headers if url.startswith("/api/") else {})
            seconds.append(t.seconds)
            status, size = response.status_code, len(response.data)
        out.append((name, status, median(seconds), max(seconds), size))
    return out


def time_trend(calculator, repeat: int) -> tuple[float, float]:
    period = Period.parse(TEN_YEARS)
    fixed, _ = calculator.fix(None)
    grouped, by_month = [], []
    for _ in range(repeat):
        with Timer() as t:
            calculator.monthly(period, fixed)
        grouped.append(t.seconds)
        with Timer() as t:
            [calculator.compute(m, fixed) for m in period.months()]
        by_month.append(t.seconds)
    return median(grouped), median(by_month)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    stores.add_arguments(parser)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(machine_note(), f"store={args.store}")
    for size in args.sizes:
        with dataset.served(args, "pages", size) as app:
            client, token = signed_in(app)
            headers = {"Authorization": f"Bearer {token}"}
            for label, period in (("ten years", TEN_YEARS), ("one year", "2021")):
                client.get(f"/dashboard?period={period}")  # the view caught up, caches warm
                print(f"\n{size:,} events, period {period} ({label}): median / slowest of {args.repeat}")
                for name, status, med, slowest, body in time_reads(client, headers, period, args.repeat):
                    print(f"  {name:28} {status}  {med * 1000:8.1f} / {slowest * 1000:8.1f} ms  {body / 1024:8.0f} KiB")
            grouped, by_month = time_trend(app.extensions["iku"].calculator, args.repeat)
            print(f"\n  trend of 120 months: grouped {grouped * 1000:.1f} ms, month by month "
                  f"{by_month * 1000:.1f} ms (÷ {by_month / grouped:.1f})")

if __name__ == "__main__":
    main()

"""The diff page and its workbook beside the API's diff, on the demo year (`iku demo`:
2021, its 5,400 events recorded on a simulated clock), compared over six years:
`from=2021-01-01`, `to` (the page: `as_of`) 2026-12-31, period 2021 — every activity and
ucapan of the year changed in between (finding 4 of the adversarial review).

Each read is asked `--repeat` times through the Flask test client as a signed-in user
(pimpinan); the median and the slowest are reported, with the answer's size.

    python -m bench.diff [--store sqlite|postgres] [--repeat 5]
"""
from __future__ import annotations

import argparse

from . import stores
from .common import Timer, machine_note, median
from .dataset import signed_in

SIX_YEARS = "period=2021&from=2021-01-01"
READS = (
    ("GET /api/v1/iku/diff (all)", f"/api/v1/iku/diff?{SIX_YEARS}&to=2026-12-31"),
    ("GET /api/v1/iku/diff (100)", f"/api/v1/iku/diff?{SIX_YEARS}&to=2026-12-31&per_page=100"),
    ("page /dashboard/diff", f"/dashboard/diff?{SIX_YEARS}&as_of=2026-12-31"),
    ("page /dashboard/diff p. 2", f"/dashboard/diff?{SIX_YEARS}&as_of=2026-12-31&page=2&ucapan_page=2"),
    ("/dashboard/diff.xlsx", f"/dashboard/diff.xlsx?{SIX_YEARS}&as_of=2026-12-31"),
)


def main() -> None:
    from api import create_app
    from api.config import Config
    from api.service_layer.demo import run_demo

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    stores.add_arguments(parser)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(machine_note(), f"store={args.store}")
    with stores.database(args, "diff_demo") as (url, existed):
        app = create_app(Config.from_environment(database=url))
        app.config.update(TESTING=True)
        svc = app.extensions["iku"]
        try:
            if not existed:
                svc.agenda.mark_as_demo()
                with Timer() as t:
                    steps = run_demo(svc, svc.zone)
                print(f"demo year: {steps} steps in {t.seconds:.0f} s")
            client, token = signed_in(app)
            headers = {"Authorization": f"Bearer {token}"}
            client.get("/dashboard?period=2021")  # the view caught up, caches warm
            print(f"\nperiod 2021, from 2021-01-01 to 2026-12-31: median / slowest of {args.repeat}")
            for name, url in READS:
                seconds, status, size = [], 0, 0
                for _ in range(args.repeat):
                    with Timer() as t:
                        response = client.get(url, headers=headers if url.startswith("/api/") else {})
                    seconds.append(t.seconds)
                    status, size = response.status_code, len(response.data)
                print(f"  {name:28} {status}  {median(seconds) * 1000:8.1f} / {max(seconds) * 1000:8.1f} ms"
                      f"  {size / 1024:8.0f} KiB")
        finally:
            svc.close()


if __name__ == "__main__":
    main()

"""What the checks of issue 23 cost on a large log (SQLite or PostgreSQL):

- the view against a fold of the log (projections/view_check.py: `iku verify`, `iku serve`'s start);
- a report's figures recomputed from the log before they are signed (projections/audit/figures.py);
- the signer's check of the events since the last checkpoint (each seal, each leaf), per event;
- `iku verify` as a whole (events, seals, tree, checkpoints, users, view).

    python -m bench.audit_checks [--sizes 100000] [--store sqlite|postgres] [--keep]
"""
from __future__ import annotations

import argparse
from datetime import UTC, datetime

from inspector.merkle import Frontier
from inspector.seal import SealedLog
from projections.audit.figures import against_log
from projections.audit.seals import check_range
from projections.view_check import differences

from . import stores
from .common import Timer, machine_note
from .dataset import served


def run(app, size: int) -> dict:
    svc = app.extensions["iku"]
    svc.projector.catch_up()
    found = {}
    with Timer() as t:
        assert differences(svc.agenda, svc.projector.view, svc.zone) == []
    found["view check"] = t.seconds
    from projections.periods import Period

    answer = svc.calculator.compute(Period.parse("2021"), datetime.now(UTC))
    from api.service_layer.queries import figure_rows

    with Timer() as t:
        assert against_log(svc.agenda.recorder, figure_rows(answer.figures), "2021", answer.as_of, svc.zone.key) == []
    found["report's figures from the log"] = t.seconds
    checked = min(size, 20_000)
    sealer = svc.agenda.recorder.sealer
    frontier = svc.tree.frontier(size - checked)
    with Timer() as t:
        check_range(svc.agenda.recorder, frontier, size,
                    SealedLog(svc.checkpoints.origin, svc.checkpoints.log_keys, boundary=sealer.sealed_from, own=sealer))
    found[f"signer's check, per event ({checked} events)"] = t.seconds / checked
    with Timer() as t:
        assert svc.verify().ok
    found["iku verify"] = t.seconds
    return found


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    stores.add_arguments(parser)
    args = parser.parse_args()
    print(machine_note(), f"store: {args.store}")
    for size in args.sizes:
        with served(args, "audit_checks", size) as app:
            for name, seconds in run(app, app.extensions["iku"].tree.size()).items():
                shown = f"{seconds * 1e6:.0f} µs" if "per event" in name else f"{seconds:.2f} s"
                print(f"{size:>9,} events  {name}: {shown}")


if __name__ == "__main__":
    main()

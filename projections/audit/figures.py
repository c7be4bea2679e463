"""A period's figures recomputed from the log itself by the inspector's own implementation
of SPEC §5 (inspector/recompute.py), not from the view: what a report's figures are checked
against before they are signed into `ReportSubmitted`, so that a view changed beneath the
service can never be frozen into a submission (docs/AUDIT.md)."""
from __future__ import annotations

from inspector.recompute import CODES, GOAL_PARTS, Recomputer, compare

BATCH = 10_000


def against_log(recorder, figures: list[dict], period: str, as_of, zone: str,
                goal_parts: tuple[str, ...] = GOAL_PARTS) -> list[str]:
    """The disagreements between `figures` (as a ReportSubmitted stores them) and the log's
    figures for `period` as known at `as_of`; [] when they agree. The indicators of SPEC and
    the decree are compared; an office's own further indicators have no second reckoning."""
    recomputer = Recomputer(goal_parts)
    until, after = recorder.max_notification_id() or 0, 0
    while after < until:
        rows = recorder.select_rows(after, until, BATCH)
        if not rows:
            break
        recomputer.feed_rows(rows)
        after = rows[-1][0]
    stated = [f for f in figures if f.get("code") in CODES]
    return compare(stated, recomputer.figures(period, as_of, zone=zone))


__all__ = ["against_log"]

"""Which of a period's activities a listing shows (the agenda's filters, a numerator's
activities, those changed between two instants), as a condition on the view's rows."""
from __future__ import annotations

from dataclasses import dataclass

from .facts import FACTS


@dataclass(frozen=True)
class Selection:
    """Which of a period's activities a listing shows, decided in the query so that a page
    of a long listing costs a page."""

    cancelled: bool | None = None  # only cancelled ones (True), only counted ones (False)
    fact: str | None = None  # only those for which this fact (projections/facts.py) holds
    lacking: str | None = None  # only those for which this fact does not hold ("yang belum")
    text: str | None = None  # only those with this text in the title or location (any case)
    changed: tuple[int, int] | None = None  # only those with an event recorded in (a, b] (µs)
    first_day: int | None = None  # this local date (YYYYMMDD) and later first, then earlier, latest first
    late: bool = False  # only those cancelled after their start had passed (with cancelled=True)

    def order(self) -> tuple[str, list]:
        """The ORDER BY of a listing: by start; or, from `first_day` (today on the agenda),
        that day and those after it in order of start, then the earlier ones latest first."""
        if self.first_day is None:
            return "ORDER BY starts_at, activity_id", []
        return ("ORDER BY CASE WHEN local_date >= ? THEN 0 ELSE 1 END, "
                "CASE WHEN local_date >= ? THEN starts_at ELSE -starts_at END, activity_id",
                [self.first_day, self.first_day])

    def where(self, bucket_bits: int) -> tuple[str, list]:
        """The condition on activity_versions, and its parameters. `bucket_bits`: the
        view's buckets of positions, which bound the search for changed activities to the
        positions from the bucket `a` falls in (recorded_at increases along the log)."""
        sql, params = "", []
        if self.cancelled is not None:  # a literal: the partial index of cancelled rows serves it
            sql += " AND cancelled = 1" if self.cancelled else " AND cancelled = 0"
        if self.late:
            # The cancellation is the first row that says cancelled (after it only
            # retractions follow, which move neither the start nor the cancellation).
            sql += (" AND starts_at < (SELECT min(c.sys_from) FROM activity_versions c "
                    "WHERE c.activity_id = activity_versions.activity_id AND c.cancelled = 1)")
        if self.fact is not None:
            sql += f" AND ({FACTS[self.fact].sql})"
        if self.lacking is not None:
            sql += f" AND NOT ({FACTS[self.lacking].sql})"
        if self.text:
            # Lowered in SQL on both sides: the same letters fold (SQLite: ASCII only).
            escaped = self.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            sql += " AND (lower(title) LIKE lower(?) ESCAPE '\\' OR lower(location) LIKE lower(?) ESCAPE '\\')"
            params += [f"%{escaped}%"] * 2
        if self.changed is not None:
            sql += (" AND activity_id IN (SELECT activity_id FROM activity_versions WHERE position >= "
                    f"(SELECT coalesce(min(bucket), {1 << 40}) FROM view_buckets WHERE last_sys_from > ?) * {1 << bucket_bits} "
                    "AND sys_from > ? AND sys_from <= ?)")
            params += [self.changed[0], *self.changed]
        return sql, params


EVERY = Selection()


def moved_out_late(start: int, end: int, as_of: int, leader_bit: int | None) -> tuple[str, list]:
    """How many activities left the dates start..end (YYYYMMDD) by a reschedule recorded
    after their start had passed (a row whose moved_late_from is in the dates and whose
    own date is not), and are not back in them at `as_of`. Such rows are rare and indexed:
    the count does not read the period's rows."""
    sql = ("SELECT count(DISTINCT n.activity_id) AS n FROM activity_versions n "
           "WHERE n.moved_late_from BETWEEN ? AND ? AND (n.local_date < ? OR n.local_date > ?) "
           "AND n.sys_from <= ? "
           "AND NOT EXISTS (SELECT 1 FROM activity_versions c WHERE c.activity_id = n.activity_id "
           "AND c.sys_from <= ? AND c.sys_to > ? AND c.local_date BETWEEN ? AND ?)")
    params = [start, end, start, end, as_of, as_of, as_of, start, end]
    if leader_bit is not None:
        sql += " AND (n.leaders & ?) <> 0"
        params.append(leader_bit)
    return sql, params

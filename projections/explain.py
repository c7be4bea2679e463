"""Why a figure is what it is: the activities in an indicator's denominator and numerator
as known at an instant, each with the recorded events that put it there."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.application import RecordedEvent

from .calculator import AsOfCalculator
from .facts import FACTS
from .periods import Period


@dataclass(frozen=True)
class Explained:
    activity_id: UUID
    title: str
    starts_at: int  # µs, from the view row
    utc_offset: float
    placed_by: list[RecordedEvent]  # the events that put it in the period (scheduled, last rescheduled)
    counted_by: list[RecordedEvent]  # the live entries that put it in the numerator (may be empty)


def explain(calculator: AsOfCalculator, fact: str | None, period: Period,
            as_of: datetime | None, leader: str | None):
    """(as_of used, [Explained] for the denominator); the numerator of an indicator counting
    `fact` (e.g. its numerator_fact) is those with counted_by; with no fact, none are.
    Whether the fact holds is the view row's answer; the events shown are its live entries
    that the fact counts."""
    found = FACTS[fact] if fact is not None else None
    fixed, rows = calculator.activities(period, as_of, leader)
    agenda = calculator.agenda
    explained = []
    for row in rows:
        if row["cancelled"]:
            continue
        events = agenda.history(UUID(row["activity_id"]), fixed)
        retracted = {e.data["retracted_version"] for e in events if e.type == "EntryRetracted"}
        reschedules = [e for e in events if e.type == "ActivityRescheduled"]
        placed = [events[0], *reschedules[-1:]]
        counted = [] if found is None or not found.row(row) else [
            e for e in events if e.version not in retracted and found.counts(e.type, e.data)]
        explained.append(Explained(UUID(row["activity_id"]), row["title"], row["starts_at"],
                                   row["utc_offset"], placed, counted))
    return fixed, explained

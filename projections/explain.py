"""Why a figure is what it is: the activities in an indicator's denominator and numerator
as known at an instant, each with the recorded events that put it there."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.application import RecordedEvent
from domain.store.clock import to_micros
from domain.ucapan import Ucapan

from .calculator import AsOfCalculator
from .facts import FACTS, LEADER_BITS
from .periods import Period, date_key
from .selection import Selection


@dataclass(frozen=True)
class Explained:
    activity_id: UUID
    title: str
    starts_at: int  # µs, from the view row
    utc_offset: float
    placed_by: list[RecordedEvent]  # the events that put it in the period (scheduled, last rescheduled)
    counted_by: list[RecordedEvent]  # the live entries that put it in the numerator (may be empty)


def explain(calculator: AsOfCalculator, fact: str | None, period: Period,
            as_of: datetime | None, leader: str | None, limit: int | None = None, offset: int = 0):
    """(as_of used, [Explained] of the denominator, [Explained] of the numerator, how many
    in each): the numerator of an indicator counting `fact` (its numerator_fact), or none
    without a fact. Whether the fact holds is the view row's answer; the events shown are its
    live entries that the fact counts. `limit` of each list from `offset`: a page, and only
    the page's activities are read from the log."""
    found = FACTS[fact] if fact is not None else None
    fixed, _position = calculator.fix(as_of)
    counted = Selection(cancelled=False)
    holding = Selection(cancelled=False, fact=fact)
    rows = calculator.activities(period, fixed, leader, counted, limit, offset)[1]
    numerator_rows = [] if found is None else calculator.activities(period, fixed, leader, holding, limit, offset)[1]
    histories = calculator.agenda.histories({UUID(r["activity_id"]) for r in rows + numerator_rows}, fixed)

    def explained(row, counts: bool) -> Explained:
        activity_id = UUID(row["activity_id"])
        events = histories[activity_id]
        retracted = {e.data["retracted_version"] for e in events if e.type == "EntryRetracted"}
        reschedules = [e for e in events if e.type == "ActivityRescheduled"]
        placed = [events[0], *reschedules[-1:]]
        live = [e for e in events if e.version not in retracted and found.counts(e.type, e.data)] if counts else []
        return Explained(activity_id, row["title"], row["starts_at"], row["utc_offset"], placed, live)

    return (fixed, [explained(r, found is not None and found.row(r)) for r in rows],
            [explained(r, True) for r in numerator_rows],
            calculator.count(period, fixed, leader, counted),
            0 if found is None else calculator.count(period, fixed, leader, holding))


@dataclass(frozen=True)
class ExplainedUcapan:
    ucapan_id: UUID
    recipient: str
    kind: str
    due_date: int  # YYYYMMDD, from the view row
    placed_by: list[RecordedEvent]  # its request
    counted_by: list[RecordedEvent]  # the live deliveries that put it in the numerator


def explain_ucapan(calculator: AsOfCalculator, fact: str, period: Period, as_of: datetime | None,
                   leader: str | None, limit: int | None = None, offset: int = 0):
    """As `explain`, for an indicator of the ucapan: (as_of used, [ExplainedUcapan] of the
    denominator, of the numerator, how many in each, how many cancelled)."""
    found = FACTS[fact]
    fixed, _position = calculator.fix(as_of)
    view = calculator.projector.view
    span = (date_key(period.start), date_key(period.end), to_micros(fixed),
            None if leader is None else LEADER_BITS[leader])
    rows = view.ucapan_rows(*span, "counted", None, limit, offset)
    numerator_rows = view.ucapan_rows(*span, "counted", None, limit, offset, fact=fact)
    histories = calculator.agenda.histories({UUID(r["ucapan_id"]) for r in rows + numerator_rows}, fixed, Ucapan)

    def explained(row, counts: bool) -> ExplainedUcapan:
        events = histories[UUID(row["ucapan_id"])]
        retracted = {e.data["retracted_version"] for e in events if e.type == "DeliveryRetracted"}
        live = [e for e in events if e.version not in retracted and found.counts(e.type, e.data)] if counts else []
        # The delivery that counts is the first one delivered (its local date decides "on time").
        first = sorted(live, key=lambda e: e.data["delivered_at"])[:1]
        return ExplainedUcapan(UUID(row["ucapan_id"]), row["recipient"], row["kind"], row["due_date"],
                               events[:1], first)

    return (fixed, [explained(r, found.row(r)) for r in rows], [explained(r, True) for r in numerator_rows],
            view.ucapan_count(*span, "counted"), view.ucapan_count(*span, "counted", fact=fact),
            view.ucapan_count(*span, "cancelled"))

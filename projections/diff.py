"""Restatements: what changed in a period's figures between two instants, and which
recorded events changed each activity's contribution (a late entry, a retraction, a
reschedule into or out of the period, a cancellation), and which target settings changed
the capaian."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from domain.application import RecordedEvent
from domain.store.clock import to_micros
from domain.ucapan import Ucapan

from .calculator import AsOfCalculator, IKUAnswer
from .facts import FACTS, LEADER_BITS, MEDIA_BITS
from .periods import Period, date_key
from .selection import Selection


@dataclass(frozen=True)
class Contribution:
    """What one activity adds to a period's figures."""

    counted: bool  # in the denominator
    cancelled: bool  # counted apart as cancelled
    served: bool
    documented: bool
    media: tuple[str, ...]
    facts: tuple[str, ...] = ()  # every fact of projections/facts.py that holds


ABSENT = Contribution(False, False, False, False, ())


def contribution(row: dict | None) -> Contribution:
    """An activity counts its facts only when it is in the denominator (not cancelled)."""
    if row is None:
        return ABSENT
    cancelled = bool(row["cancelled"])
    holding = () if cancelled else tuple(name for name, f in FACTS.items()
                                         if f.record == "activity" and f.row(row))
    return Contribution(
        counted=not cancelled, cancelled=cancelled,
        served="served" in holding, documented="documented" in holding,
        media=tuple(m for m in MEDIA_BITS if f"media:{m}" in holding), facts=holding)


@dataclass(frozen=True)
class Change:
    activity_id: UUID
    title: str
    before: Contribution
    after: Contribution
    events: list[RecordedEvent]  # recorded after `from`, up to `to`


@dataclass(frozen=True)
class UcapanContribution:
    """What one ucapan adds to a period's figures of the ucapan."""

    counted: bool  # in the denominator
    cancelled: bool
    facts: tuple[str, ...] = ()  # every fact of the ucapan that holds (delivered, on time)


ABSENT_UCAPAN = UcapanContribution(False, False)


def ucapan_contribution(row: dict | None) -> UcapanContribution:
    if row is None:
        return ABSENT_UCAPAN
    cancelled = bool(row["cancelled"])
    holding = () if cancelled else tuple(name for name, f in FACTS.items() if f.record == "ucapan" and f.row(row))
    return UcapanContribution(counted=not cancelled, cancelled=cancelled, facts=holding)


@dataclass(frozen=True)
class UcapanChange:
    ucapan_id: UUID
    recipient: str
    before: UcapanContribution
    after: UcapanContribution
    events: list[RecordedEvent]  # recorded after `from`, up to `to`


@dataclass(frozen=True)
class Restatement:
    before: IKUAnswer
    after: IKUAnswer
    changes: list[Change]  # `limit` of them from `offset` (a page), by activity id
    total: int = 0  # how many changed
    targets: list[RecordedEvent] = field(default_factory=list)  # target settings recorded in between
    ucapan: list[UcapanChange] = field(default_factory=list)  # those whose contribution changed (a page: the pages')
    ucapan_total: int = 0  # how many ucapan changed


def restatement(calculator: AsOfCalculator, period: Period, since: datetime, until: datetime | None,
                leader: str | None = None, limit: int | None = None, offset: int = 0,
                ucapan_limit: int | None = None, ucapan_offset: int = 0) -> Restatement:
    """Only activities with an event recorded in between can have changed: those are
    compared, and only the page's events are read from the log (the ucapan's: every one
    unless `ucapan_limit` asks for a page of them)."""
    after = calculator.compute(period, until, leader)
    before = calculator.compute(period, min(since, after.as_of), leader)
    recorded_between = Selection(changed=(to_micros(before.as_of), to_micros(after.as_of)))
    _, rows_before = calculator.activities(period, before.as_of, leader, recorded_between)
    _, rows_after = calculator.activities(period, after.as_of, leader, recorded_between)
    by_id_before = {r["activity_id"]: r for r in rows_before}
    by_id_after = {r["activity_id"]: r for r in rows_after}
    changed = []
    for activity_id in sorted(by_id_before.keys() | by_id_after.keys()):
        old = contribution(by_id_before.get(activity_id))
        new = contribution(by_id_after.get(activity_id))
        if old != new:
            changed.append((activity_id, old, new))
    low, high = to_micros(before.as_of), to_micros(after.as_of)
    shown = changed[offset:None if limit is None else offset + limit]
    histories = calculator.agenda.histories([UUID(a) for a, _old, _new in shown], after.as_of)
    changes = []
    for activity_id, old, new in shown:
        row = by_id_after.get(activity_id) or by_id_before[activity_id]
        events = [e for e in histories[UUID(activity_id)] if low < to_micros(e.recorded_at) <= high]
        changes.append(Change(UUID(activity_id), row["title"], old, new, events))
    targets = []
    if period.start.year == period.end.year:  # a target is yearly: none applies across years
        codes = [indicator.code for indicator in calculator.indicators]
        targets = [e for e in calculator.agenda.target_history(codes, period.start.year, after.as_of)
                   if low < to_micros(e.recorded_at) <= high]
    ucapan, ucapan_total = _ucapan_changes(calculator, period, leader, low, high, after.as_of,
                                           ucapan_limit, ucapan_offset)
    return Restatement(before, after, changes, len(changed), targets, ucapan, ucapan_total)


def _ucapan_changes(calculator, period: Period, leader, low: int, high: int, until, limit: int | None,
                    offset: int) -> tuple[list[UcapanChange], int]:
    """The ucapan (hundreds a year) whose contribution differs between the two instants,
    `limit` of them from `offset`, each with the events recorded in between; and how many
    differ."""
    view = calculator.projector.view
    span = (date_key(period.start), date_key(period.end))
    bit = None if leader is None else LEADER_BITS[leader]
    old = {r["ucapan_id"]: r for r in view.ucapan_rows(*span, low, bit)}
    new = {r["ucapan_id"]: r for r in view.ucapan_rows(*span, high, bit)}
    changed = [(u, ucapan_contribution(old.get(u)), ucapan_contribution(new.get(u)))
               for u in sorted(old.keys() | new.keys())]
    changed = [c for c in changed if c[1] != c[2]]
    shown = changed[offset:None if limit is None else offset + limit]
    histories = calculator.agenda.histories([UUID(u) for u, _o, _n in shown], until, Ucapan)
    return [UcapanChange(UUID(u), (new.get(u) or old[u])["recipient"], before, after,
                         [e for e in histories[UUID(u)] if low < to_micros(e.recorded_at) <= high])
            for u, before, after in shown], len(changed)

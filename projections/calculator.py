"""The as-of IKU calculator (SPEC §5), answered from the bitemporal view with one indexed
query, and the plain reference replay the tests hold it to."""
from __future__ import annotations

from collections.abc import Sequence
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from domain.application import Agenda
from domain.model import Activity
from domain.ucapan import Ucapan
from domain.store.clock import to_micros

from .facts import FACTS, LEADER_BITS
from .indicators import INDICATORS, Indicator, all_facts, check_indicators
from .periods import Period, date_key, local_date
from .projector import Projector
from .selection import EVERY, Selection
from .view import Counts


QUARTER = re.compile(r"^\d{4}-Q[1-4]$")


def percent(numerator: int, denominator: int) -> float | None:
    """100 × n / d rounded half-up to 2 decimals; None when there is nothing to count."""
    if denominator == 0:
        return None
    exact = Decimal(100 * numerator) / Decimal(denominator)
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def capaian(realisasi: float | None, target: Decimal | None) -> float | None:
    """realisasi / target × 100, half-up to 2 decimals; None without a (non-zero) target."""
    if realisasi is None or target is None or target == 0:
        return None
    exact = Decimal(str(realisasi)) / target * 100
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Figure:
    indicator: Indicator
    numerator: int
    denominator: int
    cancelled: int
    breakdown: dict[str, int] = field(default_factory=dict)
    target: Decimal | None = None  # the year's Perjanjian Kinerja target, as known then

    @property
    def percent(self) -> float | None:
        return percent(self.numerator, self.denominator)

    @property
    def capaian(self) -> float | None:
        return capaian(self.percent, self.target)

    @property
    def code(self) -> str:
        return self.indicator.code

    @property
    def name(self) -> str:
        return self.indicator.name

    @property
    def by_media(self) -> dict[str, int] | None:
        return dict(self.breakdown) if self.breakdown else None


@dataclass(frozen=True)
class YearToDate:
    """For a triwulan: the figures from 1 January to the triwulan's end."""

    period: Period
    figures: list[Figure]

    @property
    def indicators(self) -> list[Figure]:
        return self.figures


@dataclass(frozen=True)
class IKUAnswer:
    period: Period
    as_of: datetime
    leader: str | None
    figures: list[Figure]
    position: int  # the log position the answer was computed up to
    year_to_date: YearToDate | None = None  # for a triwulan

    @property
    def indicators(self) -> list[Figure]:
        return self.figures


RECORDS = ("activity", "ucapan")


def _figures(indicators, counts: dict[str, Counts]) -> list[Figure]:
    """The figures of the indicators from the counts of each record; a goal indicator's
    from the figures of its parts (their numerators and denominators summed)."""
    made: dict[str, Figure] = {}
    for ind in indicators:
        if not ind.parts:
            c = counts[ind.record]
            made[ind.code] = Figure(
                indicator=ind, numerator=c.facts[ind.numerator_fact], denominator=c.denominator,
                cancelled=c.cancelled, breakdown={key: c.facts[fact] for key, fact in ind.breakdown.items()})
    return with_goals(indicators, made)


def with_goals(indicators, made: dict[str, Figure]) -> list[Figure]:
    """The figures in the indicators' order, each goal indicator's made from its parts'
    (`made`: the other indicators' figures by code)."""
    for ind in indicators:
        if ind.parts:
            parts = [made[code] for code in ind.parts]
            made[ind.code] = Figure(
                indicator=ind, numerator=sum(p.numerator for p in parts),
                denominator=sum(p.denominator for p in parts), cancelled=sum(p.cancelled for p in parts))
    return [made[ind.code] for ind in indicators]


def _none(facts: dict[str, list[str]]) -> dict[str, Counts]:
    return {record: Counts(0, 0, dict.fromkeys(facts[record], 0)) for record in RECORDS}


class AsOfCalculator:
    def __init__(self, agenda: Agenda, projector: Projector, indicators=INDICATORS):
        self.agenda = agenda
        self.projector = projector
        check_indicators(indicators)
        self.indicators: Sequence[Indicator] = indicators
        self.facts = {record: all_facts(indicators, record) for record in RECORDS}

    def fix(self, as_of: datetime | None) -> tuple[datetime, int]:
        """Fix the instant and bring the view up to the position that instant needs."""
        fixed, position = self.agenda.fix_as_of(as_of)
        self.projector.catch_up(position)
        return fixed, position

    def compute(self, period: Period, as_of: datetime | None = None, leader=None) -> IKUAnswer:
        fixed, position = self.fix(as_of)
        year_to_date = None
        if QUARTER.match(period.label):
            ytd = Period(f"{period.start.year}-01-01..{period.end.isoformat()}",
                         date(period.start.year, 1, 1), period.end)
            year_to_date = YearToDate(ytd, self._figures(ytd, fixed, leader))
        return IKUAnswer(period=period, as_of=fixed, leader=leader,
                         figures=self._figures(period, fixed, leader), position=position,
                         year_to_date=year_to_date)

    def monthly(self, period: Period, as_of: datetime | None = None, leader=None) -> list[tuple[Period, list[Figure]]]:
        """Each month of the period (clipped to it) with its figures, as `compute` gives
        them month by month, from one query per record: a trend over ten years costs one
        count of the activities and one of the ucapan."""
        fixed, _position = self.fix(as_of)
        by_month = self._counts(period, fixed, leader, by_month=True)
        targets = {year: self._targets(year, fixed) for year in range(period.start.year, period.end.year + 1)}
        out = []
        for month in period.months():
            key = month.start.year * 100 + month.start.month
            counts = {**_none(self.facts), **{r: c[key] for r, c in by_month.items() if key in c}}
            out.append((month, [replace(f, target=targets[month.start.year][f.code])
                                for f in _figures(self.indicators, counts)]))
        return out

    def _counts(self, period: Period, fixed: datetime, leader, by_month: bool) -> dict[str, dict]:
        """Each record's counts ({month or None: Counts}), one statement each."""
        span = (date_key(period.start), date_key(period.end), to_micros(fixed),
                None if leader is None else LEADER_BITS[leader])
        counters = {"activity": self.projector.view.monthly_counts, "ucapan": self.projector.view.ucapan_counts}
        return {record: counters[record](*span, self.facts[record], by_month=by_month)
                for record in RECORDS if any(ind.record == record for ind in self.indicators)}

    def _figures(self, period: Period, fixed: datetime, leader) -> list[Figure]:
        counts = {**_none(self.facts), **{record: c[None] for record, c in
                                          self._counts(period, fixed, leader, by_month=False).items()
                                          if None in c}}
        figures = _figures(self.indicators, counts)
        if period.start.year != period.end.year:
            return figures  # a target is yearly: none applies across years
        targets = self._targets(period.start.year, fixed)
        return [replace(f, target=targets[f.code]) for f in figures]

    def _targets(self, year: int, fixed: datetime) -> dict:
        return self.agenda.targets_as_of([ind.code for ind in self.indicators], year, fixed)

    def activities(self, period: Period, as_of: datetime | None = None, leader=None,
                   selection: Selection = EVERY, limit: int | None = None, offset: int = 0):
        """The versions current at as_of of the (selected) activities starting in the
        period: (the instant fixed, rows); `limit` rows from `offset`, a page."""
        fixed, _position = self.fix(as_of)
        return fixed, self.projector.view.rows(*self._span(period, fixed, leader), selection, limit, offset)

    def count(self, period: Period, fixed: datetime, leader=None, selection: Selection = EVERY) -> int:
        """How many activities `activities` selects at an instant already fixed."""
        return self.projector.view.count(*self._span(period, fixed, leader), selection)

    def moved_out_late(self, period: Period, fixed: datetime, leader=None) -> int:
        """How many activities a reschedule recorded after their start moved out of the
        period (and that are not back in it), as known at an instant already fixed."""
        return self.projector.view.moved_out_late(*self._span(period, fixed, leader))

    @staticmethod
    def _span(period: Period, fixed: datetime, leader) -> tuple:
        return (date_key(period.start), date_key(period.end), to_micros(fixed),
                None if leader is None else LEADER_BITS[leader])


class ReferenceCalculator:
    """Replays the whole log through the domain aggregate and applies SPEC §5 literally.
    Slow and obvious on purpose: the tests hold the as-of calculator equal to it."""

    def __init__(self, agenda: Agenda, zone: ZoneInfo, indicators=INDICATORS):
        self.agenda = agenda
        self.zone = zone
        self.indicators = indicators

    def compute(self, period: Period, as_of: datetime, leader=None) -> IKUAnswer:
        activities, position = self._replay(as_of)
        return IKUAnswer(period=period, as_of=as_of, leader=leader,
                         figures=self._figures(activities, period, leader), position=position)

    def monthly(self, period: Period, as_of: datetime, leader=None) -> list[tuple[Period, list[Figure]]]:
        """Each month of the period with its figures (targets aside), from one replay."""
        activities, _position = self._replay(as_of)
        return [(m, self._figures(activities, m, leader)) for m in period.months()]

    def _replay(self, as_of: datetime) -> tuple[dict, int]:
        """The records as known at as_of: {id: Activity or Ucapan}."""
        limit = to_micros(as_of)
        records = {}
        position = 0
        for n in self.agenda.recorder.select_notifications(start=None, limit=10**9):
            if n.recorded_at > limit:
                break
            position = n.id
            event = self.agenda.mapper.to_domain_event(n)
            if isinstance(event, (Activity.Event, Ucapan.Event)):  # targets, reports, users are not counted
                records[n.originator_id] = event.mutate(records.get(n.originator_id))
        return records, position

    def _figures(self, records: dict, period: Period, leader) -> list[Figure]:
        # Assembled here, not with the as-of calculator's code: each indicator's numerator
        # and breakdown counted from the aggregates with the facts' own predicates. A goal
        # indicator sums its parts' counts, as its definition says.
        zone = self.zone

        def in_period(record) -> bool:
            if isinstance(record, Ucapan):
                return period.contains(date.fromisoformat(record.due_on))
            return period.contains(local_date(record.starts_at, zone))

        of: dict[str, list] = {"activity": [], "ucapan": []}
        for record in records.values():
            if in_period(record) and (leader is None or leader in record.leaders):
                of["ucapan" if isinstance(record, Ucapan) else "activity"].append(record)
        made: dict[str, Figure] = {}
        for ind in self.indicators:
            if ind.parts:
                continue
            counted = [r for r in of[ind.record] if not r.cancelled]
            made[ind.code] = Figure(
                indicator=ind,
                numerator=sum(1 for r in counted if FACTS[ind.numerator_fact].holds_for(r, zone)),
                denominator=len(counted),
                cancelled=len(of[ind.record]) - len(counted),
                breakdown={key: sum(1 for r in counted if FACTS[f].holds_for(r, zone))
                           for key, f in ind.breakdown.items()},
            )
        return with_goals(self.indicators, made)

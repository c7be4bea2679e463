"""What the service layer's queries and commands answer: plain dataclasses, which the
schemas (JSON), the templates (pages) and the CLI show."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from domain.application import RecordedEvent, Written
from projections.calculator import Figure, IKUAnswer
from projections.periods import Period

MAX_PER_PAGE = 1000  # the most a listing answers at once: a page costs a page, whatever the period


@dataclass(frozen=True)
class Page:
    """Which slice of a long list an answer holds: page `number` (from 1) of `per_page`
    items, of `total`."""

    number: int = 1
    per_page: int = MAX_PER_PAGE
    total: int = 0

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.per_page

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    def of(self, total: int) -> Page:
        return Page(self.number, self.per_page, total)


@dataclass(frozen=True)
class ListedActivity:
    """An activity as a listing shows it: its state at the listing's as_of."""

    activity_id: UUID
    version: int
    title: str
    leaders: list[str]
    starts_at: datetime
    ends_at: datetime | None
    location: str
    scope: str
    category: str | None
    cancelled: bool
    served: bool
    documented: bool
    media: list[str]


@dataclass(frozen=True)
class Listing:
    period: Period
    as_of: datetime
    leader: str | None
    activities: list[ListedActivity]
    page: Page = Page()

    @property
    def total(self) -> int:
        return self.page.total


@dataclass(frozen=True)
class ActivityState:
    """One activity as known at as_of, with its entries (dicts: version, the entry's
    values, retracted, retraction_reason)."""

    activity_id: UUID
    version: int
    as_of: datetime
    title: str
    leaders: list[str]
    starts_at: datetime
    ends_at: datetime | None
    location: str
    scope: str
    category: str | None
    notes: str | None
    cancelled: bool
    cancel_reason: str | None
    served: bool
    documented: bool
    protocol: list[dict]
    documentation: list[dict]


@dataclass(frozen=True)
class ReportState:
    """A period's last submitted report as known at an instant."""

    status: str  # submitted or reopened
    position: int
    receipt: str
    as_of: str
    recorded_at: datetime
    submitted_by: str
    indicators: list[dict]
    chain: dict
    reopening: object = None  # the ReportReopened event (reason, actor, recorded_at) when reopened


@dataclass(frozen=True)
class IKUResult:
    period: Period
    as_of: datetime
    leader: str | None
    position: int
    indicators: list[Figure]
    year_to_date: object | None  # projections.calculator.YearToDate
    report: ReportState | None
    restated: bool | None
    answer: IKUAnswer
    cancelled_late: int = 0  # cancelled after their start had passed (docs/RULES.md)
    moved_out_late: int = 0  # moved out of the period after their start had passed
    target_events: list = field(default_factory=list)  # the indicator's target settings, up to as_of


@dataclass(frozen=True)
class ExplainedActivity:
    activity_id: UUID
    title: str
    starts_at: datetime
    events: list[RecordedEvent]


@dataclass(frozen=True)
class Explanation:
    period: Period
    as_of: datetime
    leader: str | None
    indicator: str | None
    numerator: int
    denominator: int
    denominator_activities: list[ExplainedActivity]
    numerator_activities: list[ExplainedActivity]
    page: Page = Page()  # of the longer list (the denominator's); the same page of both
    cancelled: int = 0  # the period's cancelled activities, outside the denominator
    cancelled_late: int = 0  # of them, those cancelled after their start had passed
    moved_out_late: int = 0  # moved out of the period after their start had passed
    target_events: list = field(default_factory=list)  # the indicator's target settings, up to as_of
    record: str = "activity"  # what the lists hold: activities, or the ucapan (below)
    denominator_ucapan: list = field(default_factory=list)  # [ExplainedUcapanItem]
    numerator_ucapan: list = field(default_factory=list)
    parts: tuple = ()  # a goal indicator: the indicators it sums (explained each on its own)


@dataclass(frozen=True)
class ExplainedUcapanItem:
    ucapan_id: UUID
    recipient: str
    kind: str
    due_on: date
    events: list[RecordedEvent]


@dataclass(frozen=True)
class Target:
    indicator: str
    year: int
    target: float | None


@dataclass(frozen=True)
class Targets:
    year: int
    as_of: datetime
    targets: list[Target]


@dataclass(frozen=True)
class ReportEvent:
    type: str
    version: int
    recorded_at: datetime
    actor: str
    as_of: str | None
    reason: str | None
    indicators: list[dict] | None
    chain: dict | None
    position: int
    receipt: str | None
    note: str | None = None


@dataclass(frozen=True)
class ReportHistory:
    period: Period
    status: str  # open, submitted or reopened
    events: list[ReportEvent]


@dataclass(frozen=True)
class Imported:
    activities: int  # newly scheduled
    events: int  # recorded (their facts included)
    skipped: int  # already in the log, or twice in the file


@dataclass(frozen=True)
class Submitted:
    period: Period
    written: Written
    as_of: datetime
    indicators: list[dict]
    chain_position: int
    chain_hash: str

    @property
    def version(self):
        return self.written.version

    @property
    def recorded_at(self):
        return self.written.recorded_at

    @property
    def position(self):
        return self.written.position

    @property
    def chain(self) -> dict:
        return {"position": self.chain_position, "hash": self.chain_hash}


class UnknownIndicator(ValueError):
    pass

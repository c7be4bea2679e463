"""The ucapan's commands and queries (domain/ucapan.py), for the JSON API, the pages and
the CLI alike: the same steps as the activities' (commands.py) — the role, the values
normalised, the Idempotency-Key claimed, the domain command run as the user."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from domain.application import RecordedEvent, Written
from domain.exceptions import InvalidActivityData
from domain.store import to_datetime, to_micros
from projections.facts import LEADER_BITS
from projections.periods import Period, date_key

from .commands import _name, _required, _run, _stored, _text
from .permissions import require
from .queries import today
from .results import Page

# A delivery is recorded after it happened: one dated later than this past the moment it
# is recorded is a typing error (a phone's clock may run a little ahead).
FUTURE_TOLERANCE = timedelta(minutes=10)


def request_ucapan(svc, user, *, kind, recipient, relation, occasion, leaders, due_on, notes=None,
                   key=None) -> Written:
    require(user, "request_ucapan")
    given = {"kind": kind, "recipient": recipient, "relation": relation, "occasion": occasion,
             "leaders": list(leaders), "due_on": str(due_on), "notes": notes}
    values = {**given, "recipient": _said(recipient, "recipient"),
              "occasion": _said(occasion, "occasion"), "notes": _text(notes, "notes")}
    return _run(svc, user, "request_ucapan", given, values, key=key)


def _said(value: str, field: str) -> str:
    """A required text with a letter or digit in it (a zero-width space alone says nothing)."""
    text = _required(value, field)
    if not any(ch.isalnum() for ch in text):
        raise InvalidActivityData("Missing data for required field.", field=field)
    return text


def deliver_ucapan(svc, user, ucapan_id: UUID, *, channel, delivered_by, delivered_at, evidence=(),
                   notes=None, expected_version=None, key=None) -> Written:
    """`evidence`: SHA-256s of files already in the evidence store, as for documentation."""
    require(user, "deliver_ucapan")
    now = to_datetime(svc.agenda.recorder.clock.now())  # the moment it is recorded (a demo's simulated one)
    if delivered_at.utcoffset() is not None and delivered_at > now + FUTURE_TOLERANCE:
        raise InvalidActivityData("A delivery is recorded after it happened: not in the future.",
                                  field="delivered_at")
    given = {"channel": channel, "delivered_by": list(delivered_by), "delivered_at": delivered_at,
             "evidence": list(evidence or ()), "notes": notes}
    values = {"channel": channel, "delivered_by": [_name(n, "delivered_by") for n in delivered_by],
              "delivered_at": delivered_at, "notes": _text(notes, "notes"),
              "evidence": [_stored(svc, sha256) for sha256 in dict.fromkeys(
                  "".join(h.split()).lower() for h in evidence or ())]}
    return _run(svc, user, "deliver_ucapan", given, values, target=ucapan_id,
                expected_version=expected_version, key=key)


def cancel_ucapan(svc, user, ucapan_id: UUID, *, reason, expected_version=None, key=None) -> Written:
    require(user, "cancel_ucapan")
    return _run(svc, user, "cancel_ucapan", {"reason": reason}, {"reason": _required(reason, "reason")},
                target=ucapan_id, expected_version=expected_version, key=key)


def retract_delivery(svc, user, ucapan_id: UUID, *, version: int, reason, expected_version=None,
                     key=None) -> Written:
    require(user, "retract_delivery")
    given = {"version": version, "reason": reason}
    return _run(svc, user, "retract_delivery", given, {**given, "reason": _required(reason, "reason")},
                target=ucapan_id, expected_version=expected_version, key=key)


@dataclass(frozen=True)
class UcapanState:
    """One ucapan as known at an instant, with its deliveries."""

    ucapan_id: UUID
    version: int
    as_of: datetime
    kind: str
    recipient: str
    relation: str
    occasion: str
    leaders: list[str]
    due_on: str
    notes: str | None
    cancelled: bool
    cancel_reason: str | None
    delivered: bool
    delivered_on: str | None  # the local date of its first live delivery
    on_time: bool
    deliveries: list[dict]


def ucapan(svc, user, ucapan_id: UUID, as_of: datetime | None) -> UcapanState:
    """One ucapan as known at an instant (UcapanNotFound if it did not exist yet)."""
    require(user, "read")
    fixed, _ = svc.agenda.fix_as_of(as_of)
    found = svc.agenda.ucapan_as_of(ucapan_id, fixed)
    deliveries = [{"version": v, **d, "retracted": v in found.retracted,
                   "retraction_reason": found.retracted.get(v)} for v, d in sorted(found.deliveries.items())]
    delivered_on = found.delivered_on(svc.zone)
    return UcapanState(
        ucapan_id=found.id, version=found.version, as_of=fixed, kind=found.kind, recipient=found.recipient,
        relation=found.relation, occasion=found.occasion, leaders=found.leaders, due_on=found.due_on,
        notes=found.notes, cancelled=found.cancelled, cancel_reason=found.cancel_reason,
        delivered=delivered_on is not None, delivered_on=None if delivered_on is None else delivered_on.isoformat(),
        on_time=found.on_time(svc.zone), deliveries=deliveries)


def ucapan_history(svc, user, ucapan_id: UUID) -> list[RecordedEvent]:
    require(user, "read")
    return svc.agenda.ucapan_history(ucapan_id)


@dataclass(frozen=True)
class ListedUcapan:
    """An ucapan as a listing shows it: its state at the listing's as_of."""

    ucapan_id: UUID
    version: int
    kind: str
    recipient: str
    relation: str
    occasion: str
    leaders: list[str]
    due_on: date
    cancelled: bool
    delivered: bool
    delivered_on: date | None
    on_time: bool
    overdue: bool  # not delivered, not cancelled, due before today


@dataclass(frozen=True)
class UcapanListing:
    period: Period
    as_of: datetime
    leader: str | None
    status: str | None
    ucapan: list[ListedUcapan]
    page: Page


def _day(key: int | None) -> date | None:
    return None if key is None else date(key // 10000, key // 100 % 100, key % 100)


def listed_ucapan(row: dict, today_key: int) -> ListedUcapan:
    delivered = row["delivered_date"]
    return ListedUcapan(
        ucapan_id=UUID(row["ucapan_id"]), version=row["version"], kind=row["kind"], recipient=row["recipient"],
        relation=row["relation"], occasion=row["occasion"],
        leaders=[name for name, bit in LEADER_BITS.items() if row["leaders"] & bit],
        due_on=_day(row["due_date"]), cancelled=bool(row["cancelled"]), delivered=delivered is not None,
        delivered_on=_day(delivered), on_time=delivered is not None and delivered <= row["due_date"],
        overdue=not row["cancelled"] and delivered is None and row["due_date"] < today_key)


def ucapan_list(svc, user, period: Period, as_of: datetime | None, leader: str | None = None, *,
                status: str | None = None, page: Page = Page()) -> UcapanListing:
    """One page of the ucapan due in a period, as known at an instant, by due date; of a
    status (projections.view.UCAPAN_STATUSES: open, overdue, delivered, late, cancelled)."""
    require(user, "read")
    fixed, position = svc.agenda.fix_as_of(as_of)
    svc.projector.catch_up(position)
    # Overdue as known then: due before the local date of the instant asked (today at most).
    today_key = date_key(min(today(svc), fixed.astimezone(svc.zone).date()))
    span = (date_key(period.start), date_key(period.end), to_micros(fixed),
            None if leader is None else LEADER_BITS[leader], status, today_key)
    rows = svc.projector.view.ucapan_rows(*span, page.per_page, page.offset)
    total = svc.projector.view.ucapan_count(*span)
    return UcapanListing(period, fixed, leader, status, [listed_ucapan(r, today_key) for r in rows],
                         page.of(total))


def status_counts(svc, user, period: Period, as_of: datetime, leader: str | None, statuses) -> dict[str, int]:
    """How many ucapan due in the period are of each status, as known at an instant already
    fixed (the dashboard's "not yet delivered: 6 · late: 36")."""
    require(user, "read")
    today_key = date_key(min(today(svc), as_of.astimezone(svc.zone).date()))
    span = (date_key(period.start), date_key(period.end), to_micros(as_of),
            None if leader is None else LEADER_BITS[leader])
    return {status: svc.projector.view.ucapan_count(*span, status, today_key) for status in statuses}

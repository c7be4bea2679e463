"""One function per query, for the JSON API, the pages and the CLI alike. Each checks the
role and returns dataclasses; the entrypoints' schemas and templates show them.

Longer than 300 lines because the map (docs/DESIGN.md) keeps every query in this one module,
as commands.py keeps every command: a reader finds any read of the service here."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from uuid import UUID

from domain.application import RecordedEvent
from domain.exceptions import AuditTreeDamaged
from inspector.note import Proof
from projections.audit.tree import ProofUnavailable
from domain.store.clock import SystemClock, to_datetime, to_micros
from projections.calculator import Figure
from projections.diff import Restatement, restatement
from projections.explain import explain as explain_fact
from projections.explain import explain_ucapan
from projections.facts import LEADER_BITS, MEDIA_BITS
from projections.periods import FIRST_YEAR, LAST_YEAR, Period, date_key
from projections.selection import EVERY, Selection

from .permissions import require
from .results import (
    ActivityState,
    ExplainedActivity,
    ExplainedUcapanItem,
    Explanation,
    IKUResult,
    ListedActivity,
    Listing,
    Page,
    ReportEvent,
    ReportHistory,
    ReportState,
    Target,
    Targets,
    UnknownIndicator,
)

# Figures as a submitted report stores them ------------------------------------------------

REPORT_KEYS = ("code", "numerator", "denominator", "cancelled", "by_media", "target")  # a target changed since restates the capaian


def figure_rows(figures: list[Figure]) -> list[dict]:
    """The figures as plain values: what a ReportSubmitted event stores."""
    rows = []
    for figure in figures:
        row = {"code": figure.code, "name": figure.name, "numerator": figure.numerator,
               "denominator": figure.denominator, "percent": figure.percent,
               "cancelled": figure.cancelled,
               "target": None if figure.target is None else float(figure.target),
               "capaian": figure.capaian}
        if figure.breakdown:
            row["by_media"] = dict(figure.breakdown)
        rows.append(row)
    return rows


def differs(submitted: list[dict], current: list[dict]) -> bool:
    """Whether a figure the report stated is no longer what is known: an indicator defined
    after the report (not stated in it) restates nothing."""
    now = {f.get("code"): f for f in current}
    return any({k: f.get(k) for k in REPORT_KEYS} != {k: now.get(f.get("code"), {}).get(k) for k in REPORT_KEYS}
               for f in submitted)


# Queries ------------------------------------------------------------------------------------


def listed(row: dict) -> ListedActivity:
    offset = timezone(timedelta(seconds=row["utc_offset"]))
    return ListedActivity(
        activity_id=UUID(row["activity_id"]), version=row["version"], title=row["title"],
        leaders=[name for name, bit in LEADER_BITS.items() if row["leaders"] & bit],
        starts_at=to_datetime(row["starts_at"]).astimezone(offset),
        ends_at=None if row["ends_at"] is None else to_datetime(row["ends_at"]).astimezone(offset),
        location=row["location"], scope=row["scope"], category=row["category"],
        cancelled=bool(row["cancelled"]), served=bool(row["served"]), documented=row["media"] != 0,
        media=[name for name, bit in MEDIA_BITS.items() if row["media"] & bit])


# What a listing may be narrowed to (the agenda's filters): decided in the view's query.
STATUSES = {
    "scheduled": Selection(cancelled=False),
    "cancelled": Selection(cancelled=True),
    "cancelled_late": Selection(cancelled=True, late=True),  # cancelled after its time had passed
    "served": Selection(cancelled=False, fact="served"),
    "documented": Selection(cancelled=False, fact="documented"),
    "unserved": Selection(cancelled=False, lacking="served"),  # what pulls IKU-1 down
    "undocumented": Selection(cancelled=False, lacking="documented"),  # and IKU-2
}
# The status of the activities an indicator's numerator is still missing (the dashboard's
# "yang belum" links), by the indicator's numerator fact.
STILL_MISSING = {"served": "unserved", "documented": "undocumented"}


# A search's dates: all of them (a text narrows it, and a page of it is read at a time).
ALL_DATES = Period("semua", date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31))


def activities(svc, user, period: Period, as_of: datetime | None, leader: str | None, *,
               status: str | None = None, text: str | None = None, page: Page = Page(),
               from_day: date | None = None) -> Listing:
    """One page of the activities starting in a period (ALL_DATES: a search's, with a
    text), as known at an instant, in the order of their start, or from `from_day` (today)
    and after it first, then earlier ones latest first; narrowed to a status (STATUSES) or
    a text in title or location."""
    require(user, "read")
    selection = replace(STATUSES.get(status, EVERY), text=text or None,
                        first_day=None if from_day is None else date_key(from_day))
    fixed, rows = svc.calculator.activities(period, as_of, leader, selection, page.per_page, page.offset)
    total = svc.calculator.count(period, fixed, leader, selection)
    return Listing(period, fixed, leader, [listed(row) for row in rows], page.of(total))


def today(svc) -> date:
    """Today where the office is (the database's timezone, WIB), not the server's date."""
    return to_datetime(SystemClock().now()).astimezone(svc.zone).date()


def opening_month(svc) -> str:
    """The month a page opens on: of the latest activity up to today (the demo's 2021
    opens on 2021-12), else this month."""
    key = svc.projector.view.latest_date(date_key(today(svc))) or date_key(today(svc).replace(day=1))
    return f"{key // 10000:04d}-{key // 100 % 100:02d}"


def activity(svc, user, activity_id: UUID, as_of: datetime | None) -> ActivityState:
    """One activity as known at an instant (ActivityNotFound if it did not exist yet)."""
    require(user, "read")
    fixed, _ = svc.agenda.fix_as_of(as_of)
    found = svc.agenda.activity_as_of(activity_id, fixed)
    retracted = found.retracted

    def entries(kind: dict) -> list[dict]:
        return [{"version": v, **entry, "retracted": v in retracted, "retraction_reason": retracted.get(v)}
                for v, entry in sorted(kind.items())]

    protocol, documentation = entries(found.protocol), entries(found.documentation)
    return ActivityState(
        activity_id=found.id, version=found.version, as_of=fixed, title=found.title,
        leaders=found.leaders, starts_at=found.starts_at, ends_at=found.ends_at,
        location=found.location, scope=found.scope, category=found.category, notes=found.notes,
        cancelled=found.cancelled, cancel_reason=found.cancel_reason,
        served=any(not e["retracted"] for e in protocol),
        documented=any(not e["retracted"] for e in documentation),
        protocol=protocol, documentation=documentation)


def history(svc, user, activity_id: UUID) -> list[RecordedEvent]:
    """Every event of the activity in order: what, who, when recorded, where in the log."""
    require(user, "read")
    return svc.agenda.history(activity_id)


def evidence_file(svc, user, sha256: str, *, thumbnail: bool = False):
    """(path, media type) of a stored file or its thumbnail, for a signed-in role; (None,
    None) if the store has none."""
    require(user, "read")
    if not svc.evidence.has(sha256):
        return None, None
    if thumbnail:
        path = svc.evidence.thumb_path(sha256)
        return (path, "image/jpeg") if path.is_file() else (None, None)
    return svc.evidence.path(sha256), svc.evidence.kind(sha256)


def same_activity(title: str, starts_at: datetime) -> tuple[str, int]:
    """What makes an imported line the same activity as one already recorded: its title
    (ignoring case and spaces) and the instant it starts."""
    return " ".join(title.split()).casefold(), to_micros(starts_at)


def already_scheduled(svc, user, schedules: list[dict]) -> set[tuple[str, int]]:
    """Of the activities to import, which are already in the log (as known now, cancelled
    or not), by `same_activity`: read from the view, over the dates they span."""
    require(user, "read")
    if not schedules:
        return set()
    days = [s["starts_at"].astimezone(svc.zone).date() for s in schedules]
    span = Period("import", min(days), max(days))
    _, rows = svc.calculator.activities(span, None, None, EVERY)
    return {same_activity(r["title"], to_datetime(r["starts_at"])) for r in rows}


def known_officers(svc, user) -> list[str]:
    """Officers' names already recorded, the most often named first: a protocol officer
    picks from them (and may still write a new one)."""
    require(user, "read")
    return svc.agenda.recent_officers()


def report_state(svc, period: Period, as_of: datetime | None = None) -> ReportState | None:
    events = svc.agenda.report_history(period.label, as_of)
    submitted = [e for e in events if e.type == "ReportSubmitted"]
    if not submitted:
        return None
    last = submitted[-1]
    return ReportState(
        status="reopened" if events[-1].type == "ReportReopened" else "submitted",
        position=last.position, receipt=f"/api/v1/audit/receipts/{last.position}",
        as_of=last.data["as_of"], recorded_at=last.recorded_at, submitted_by=last.actor,
        indicators=last.data["figures"],
        chain={"position": last.data["chain_position"], "hash": last.data["chain_hash"]},
        reopening=events[-1] if events[-1].type == "ReportReopened" else None)


def iku(svc, user, period: Period, as_of: datetime | None = None, leader: str | None = None) -> IKUResult:
    """The indicators for a period as known at an instant (repeatable), with the period's
    submitted report as known then and whether the figures restate it."""
    require(user, "read")
    answer = svc.calculator.compute(period, as_of, leader)
    report = None if leader else report_state(svc, period, answer.as_of)
    restated = None if report is None else differs(report.indicators, figure_rows(answer.figures))
    return IKUResult(answer.period, answer.as_of, answer.leader, answer.position, answer.figures,
                     answer.year_to_date, report, restated, answer,
                     svc.calculator.count(period, answer.as_of, leader, STATUSES["cancelled_late"]),
                     svc.calculator.moved_out_late(period, answer.as_of, leader))


def indicators(svc, user):
    require(user, "read")
    return svc.calculator.indicators


def indicator(svc, code: str):
    found = next((i for i in svc.calculator.indicators if i.code == code), None)
    if found is None:
        raise UnknownIndicator(f"Unknown indicator; one of {', '.join(i.code for i in svc.calculator.indicators)}.")
    return found


def explain(svc, user, period: Period, as_of: datetime | None = None, leader: str | None = None,
            *, indicator_code: str | None = None, fact: str | None = None, page: Page = Page()) -> Explanation:
    """The activities in the denominator, and those in the numerator of an indicator (or
    for which a fact holds; neither: none), with the events that put them there: one page
    of each list, and how many there are."""
    require(user, "read")
    if indicator_code is not None:
        found = indicator(svc, indicator_code)
        if found.parts or found.record == "ucapan":
            return _explain_other(svc, found, period, as_of, leader, page)
        fact = found.numerator_fact
    fixed, placed, counted, denominator, numerator = explain_fact(
        svc.calculator, fact, period, as_of, leader, page.per_page, page.offset)

    def shown(item, events):
        starts_at = to_datetime(item.starts_at).astimezone(timezone(timedelta(seconds=item.utc_offset)))
        return ExplainedActivity(item.activity_id, item.title, starts_at, events)

    targets = []  # what set the target the capaian is measured against (a year's target)
    if indicator_code is not None and period.start.year == period.end.year:
        targets = svc.agenda.target_history([indicator_code], period.start.year, fixed)
    return Explanation(period, fixed, leader, indicator_code or fact, numerator, denominator,
                       [shown(i, i.placed_by) for i in placed], [shown(i, i.counted_by) for i in counted],
                       page.of(denominator),
                       svc.calculator.count(period, fixed, leader, STATUSES["cancelled"]),
                       svc.calculator.count(period, fixed, leader, STATUSES["cancelled_late"]),
                       svc.calculator.moved_out_late(period, fixed, leader), targets)


def _explain_other(svc, found, period: Period, as_of, leader, page: Page) -> Explanation:
    """A goal indicator is explained by its parts (their figures and lists); an indicator
    of the ucapan by the ucapan in its denominator and numerator."""
    targets = []
    if period.start.year == period.end.year:
        targets = svc.agenda.target_history([found.code], period.start.year, svc.agenda.fix_as_of(as_of)[0])
    if found.parts:
        answer = svc.calculator.compute(period, as_of, leader)
        figure = next(f for f in answer.figures if f.code == found.code)
        return Explanation(period, answer.as_of, leader, found.code, figure.numerator, figure.denominator, [], [],
                           page.of(0), figure.cancelled, target_events=targets, record="", parts=found.parts)
    fixed, placed, counted, denominator, numerator, cancelled = explain_ucapan(
        svc.calculator, found.numerator_fact, period, as_of, leader, page.per_page, page.offset)

    def shown(item, events):
        return ExplainedUcapanItem(item.ucapan_id, item.recipient, item.kind,
                                   date(item.due_date // 10000, item.due_date // 100 % 100, item.due_date % 100),
                                   events)

    return Explanation(period, fixed, leader, found.code, numerator, denominator, [], [], page.of(denominator),
                       cancelled, target_events=targets, record="ucapan",
                       denominator_ucapan=[shown(i, i.placed_by) for i in placed],
                       numerator_ucapan=[shown(i, i.counted_by) for i in counted])


def diff(svc, user, period: Period, since: datetime, until: datetime | None = None,
         leader: str | None = None, page: Page = Page(), ucapan_page: Page | None = None
         ) -> tuple[Restatement, Page]:
    """The figures as known at two instants, and one page of the activities whose
    contribution changed, with the events that changed it; every ucapan that changed, or
    one page of them (`ucapan_page`: the pages')."""
    require(user, "read")
    ucapan_limit, ucapan_offset = (None, 0) if ucapan_page is None else (ucapan_page.per_page, ucapan_page.offset)
    found = restatement(svc.calculator, period, since, until, leader, page.per_page, page.offset,
                        ucapan_limit, ucapan_offset)
    return found, page.of(found.total)


def targets(svc, user, year: int, as_of: datetime | None = None) -> Targets:
    """The Perjanjian Kinerja targets of a year, as known at an instant."""
    require(user, "read")
    fixed, _ = svc.agenda.fix_as_of(as_of)
    values = svc.agenda.targets_as_of([i.code for i in svc.calculator.indicators], year, fixed)
    return Targets(year, fixed, [Target(code, year, None if value is None else float(value))
                                 for code, value in values.items()])


def target_history(svc, user, year: int, as_of: datetime | None = None) -> list[RecordedEvent]:
    """Every setting and change of the year's targets (as recorded up to as_of), latest
    first (who, when, why)."""
    require(user, "read")
    codes = [i.code for i in svc.calculator.indicators]
    return list(reversed(svc.agenda.target_history(codes, year, as_of)))


def receipt(svc, position: int) -> str | None:
    """Public: the C2SP tlog-proof of the event at a position (its inclusion proof, the
    checkpoint covering it, the event itself as extra data); None while no signed
    checkpoint covers it yet. LookupError: no event there, or no proof of it."""
    if not 1 <= position <= svc.tree.size():
        raise LookupError(f"no event at position {position}")
    latest = svc.checkpoints.covering(position)
    if latest is None:
        return None
    try:
        hashes = svc.tree.inclusion(position - 1, latest.size)
    except ProofUnavailable as e:
        raise LookupError(str(e)) from None
    lines = svc.tree.leaves(position - 1, position)
    if not lines:
        raise AuditTreeDamaged(f"the event at position {position} is missing from the log: run `iku verify`")
    (line,) = lines
    extra = json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode()  # the event, checked by its hash
    return str(Proof(position - 1, tuple(hashes), latest.text, extra))


def report(svc, user, period: Period) -> ReportHistory:
    """A period's submissions and reopenings."""
    require(user, "read")
    events = svc.agenda.report_history(period.label)
    status = "open" if not events or events[-1].type == "ReportOpened" else (
        "reopened" if events[-1].type == "ReportReopened" else "submitted")
    shown = []
    for e in events:
        if e.type == "ReportOpened":
            continue
        submitted = e.type == "ReportSubmitted"
        shown.append(ReportEvent(
            type=e.type, version=e.version, recorded_at=e.recorded_at, actor=e.actor,
            as_of=e.data.get("as_of"), reason=e.data.get("reason"), indicators=e.data.get("figures"),
            chain={"position": e.data["chain_position"], "hash": e.data["chain_hash"]} if submitted else None,
            position=e.position, receipt=f"/api/v1/audit/receipts/{e.position}" if submitted else None,
            note=e.data.get("note")))
    return ReportHistory(period, status, shown)

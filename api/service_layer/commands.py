"""One function per command, for the JSON API, the pages and the CLI alike.

Each takes the acting user and plain values, checks the role, normalises the values (so
that what is stored never depends on the entrypoint), claims the Idempotency-Key, and runs
the domain command as that user. Returns the domain's `Written` acknowledgement."""
from __future__ import annotations

import logging
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

from domain.application import Written
from domain.context import acting_as
from domain.exceptions import InvalidActivityData, NotPermitted, NotSubmittable
from domain.reports import PeriodNotEnded
from inspector.note import NoteError
from projections.audit.figures import against_log as figures_against_log
from projections.periods import Period

from ..evidence import EvidenceError
from . import idempotency
from .permissions import require, retractable_kinds
from .queries import already_scheduled, figure_rows, same_activity, today
from .results import Imported, Submitted

log = logging.getLogger(__name__)


def _run(svc, user, command: str, given: dict, values: dict, *, target: UUID | None = None,
         expected_version: int | None = None, key: str | None = None, **extra) -> Written:
    """Claim the key for the values as given (a retry sends the same), then run the domain
    command with the normalised values, as the user. The caller has checked the role."""
    claim = idempotency.claim(user.name, key, command, target, given, expected_version)
    method = getattr(svc.agenda, command)
    with acting_as(user.name):
        if target is None:
            return method(idempotency=claim, **values, **extra)
        return method(target, expected_version=expected_version, idempotency=claim, **values, **extra)


def _storable(value: str, field: str) -> str:
    """Text the store can keep: UTF-8 (a lone surrogate, sent as a JSON escape, is not), and
    no NUL character (PostgreSQL's text cannot hold one: the view would stop at it)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidActivityData("Not valid text (a lone surrogate).", field=field) from None
    if "\x00" in value:
        raise InvalidActivityData("Not valid text (a NUL character).", field=field)
    return value


def _required(value: str, field: str) -> str:
    """A required text, without surrounding spaces; only spaces is no text (422)."""
    text = _storable(value, field).strip()
    if not text:
        raise InvalidActivityData("Missing data for required field.", field=field)
    return text


def _text(value: str | None, field: str) -> str | None:
    """Surrounding spaces dropped; an empty optional text is no text."""
    if value is None:
        return None
    return _storable(value, field).strip() or None


def schedule(svc, user, *, title, leaders, starts_at, location, scope, ends_at=None,
             category=None, notes=None, key=None) -> Written:
    require(user, "schedule")
    given = {"title": title, "leaders": list(leaders), "starts_at": starts_at, "ends_at": ends_at,
             "location": location, "scope": scope, "category": category, "notes": notes}
    values = {**given, "title": _required(title, "title"), "location": _required(location, "location"),
              "category": _text(category, "category"), "notes": _text(notes, "notes")}
    return _run(svc, user, "schedule", given, values, key=key)


def reschedule(svc, user, activity_id: UUID, *, starts_at, reason, ends_at=None,
               expected_version=None, key=None) -> Written:
    require(user, "reschedule")
    given = {"starts_at": starts_at, "ends_at": ends_at, "reason": reason}
    return _run(svc, user, "reschedule", given, {**given, "reason": _required(reason, "reason")},
                target=activity_id, expected_version=expected_version, key=key)


def cancel(svc, user, activity_id: UUID, *, reason, expected_version=None, key=None) -> Written:
    require(user, "cancel")
    return _run(svc, user, "cancel", {"reason": reason}, {"reason": _required(reason, "reason")},
                target=activity_id, expected_version=expected_version, key=key)


def record_protocol(svc, user, activity_id: UUID, *, officers, notes=None, expected_version=None,
                    key=None) -> Written:
    require(user, "record_protocol")
    given = {"officers": list(officers), "notes": notes}
    values = {"officers": [_required(o, "officers") for o in officers], "notes": _text(notes, "notes")}
    return _run(svc, user, "record_protocol", given, values, target=activity_id,
                expected_version=expected_version, key=key)


def record_documentation(svc, user, activity_id: UUID, *, media, evidence_uri=None,
                         evidence_sha256=None, notes=None, evidence=(), documented_by=(),
                         expected_version=None, key=None) -> Written:
    """`evidence`: SHA-256s of files already in the evidence store (an upload, or
    PUT /api/v1/evidence/{sha256}); each is recorded with its size, type and capture time."""
    require(user, "record_documentation")
    given = {"media": media, "evidence_uri": evidence_uri, "evidence_sha256": evidence_sha256, "notes": notes,
             "evidence": list(evidence or ()), "documented_by": list(documented_by or ())}
    values = {"media": media, "evidence_uri": _text(evidence_uri, "evidence_uri"),
              # A digest is stored in lower case, whoever typed it (certutil puts spaces in it).
              "evidence_sha256": None if evidence_sha256 is None else "".join(evidence_sha256.split()).lower() or None,
              "notes": _text(notes, "notes"),
              "evidence": [_stored(svc, sha256) for sha256 in dict.fromkeys(
                  "".join(h.split()).lower() for h in evidence or ())],
              "documented_by": [_name(name, "documented_by") for name in documented_by or ()]}
    return _run(svc, user, "record_documentation", given, values, target=activity_id,
                expected_version=expected_version, key=key)


def store_evidence(svc, user, stream, expected: str | None = None):
    """Keep a photo or video in the evidence store (EvidenceError if refused): the same
    bytes again store nothing new. A documentation entry or an ucapan's delivery then names
    it by its hash."""
    require(user, "upload_evidence")
    return svc.evidence.put(stream, expected=expected)


def _name(value: str, field: str) -> str:
    """A person's name on one line, with a letter or digit in it (not a zero-width space)."""
    name = " ".join(_storable(value, field).split())
    if not any(ch.isalnum() for ch in name):
        raise InvalidActivityData("name at least one", field=field)
    return name


def _stored(svc, sha256: str) -> dict:
    try:
        return svc.evidence.describe(sha256).as_event_data()
    except EvidenceError:
        raise InvalidActivityData(f"no file {sha256[:80]} in the evidence store: upload it first",
                                  field="evidence") from None


def retract(svc, user, activity_id: UUID, *, version: int, reason, expected_version=None,
            key=None) -> Written:
    """Which kinds the user may retract is known from the role; which kind the entry is, the
    domain decides on the state the retraction appends to."""
    kinds = retractable_kinds(user)
    given = {"version": version, "reason": reason}
    try:
        return _run(svc, user, "retract", given, {**given, "reason": _required(reason, "reason")},
                    target=activity_id, expected_version=expected_version, key=key, kinds=kinds)
    except NotPermitted as refused:  # the domain knows the entry, not who asked
        raise NotPermitted(f"the role {user.role!r} {refused.message}") from None


def import_activities(svc, user, rows: list[dict]) -> Imported:
    """Schedule many activities (with their protocol and documentation facts) in one
    transaction: all are recorded, or none (rows: api/documents/agenda_import.py). An
    activity already in the log, or twice in the rows (`queries.same_activity`), is
    skipped: importing a file again imports nothing twice."""
    require(user, "schedule")
    if any(row.get("protocol") for row in rows):
        require(user, "record_protocol")
    if any(row.get("documentation") for row in rows):
        require(user, "record_documentation")
    seen = already_scheduled(svc, user, [row["schedule"] for row in rows])
    new = []
    for row in rows:
        key = same_activity(row["schedule"]["title"], row["schedule"]["starts_at"])
        if key not in seen:
            seen.add(key)
            new.append(row)
    with acting_as(user.name):
        written = svc.agenda.import_activities(new) if new else []
    return Imported(activities=len(new), events=len(written), skipped=len(rows) - len(new))


def set_target(svc, user, *, indicator: str, year: int, target, reason=None, key=None) -> Written:
    require(user, "set_targets")
    codes = [i.code for i in svc.calculator.indicators]
    if indicator not in codes:
        raise InvalidActivityData(f"Unknown indicator; one of {', '.join(codes)}.", field="indicator")
    given = {"indicator": indicator, "year": year, "target": str(target), "reason": reason}
    values = {"indicator": indicator, "year": year,
              "target": Decimal(str(target)),  # the number as written, not a binary float
              "reason": _text(reason, "reason")}
    return _run(svc, user, "set_target", given, values, key=key)


def period_kind(period: Period) -> str:
    """triwulan, semester, tahun, bulan or rentang (any other span: a range, a day)."""
    label = period.label
    if re.fullmatch(r"\d{4}-Q[1-4]", label):
        return "triwulan"
    if re.fullmatch(r"\d{4}-S[12]", label):
        return "semester"
    if re.fullmatch(r"\d{4}", label):
        return "tahun"
    return "bulan" if re.fullmatch(r"\d{4}-\d{2}", label) else "rentang"


def first_reporting_day(svc, period: Period) -> date:
    """The first local date a period's report may be submitted on: the day after it ends,
    and the office's grace days after that (IKU_REPORT_GRACE_DAYS)."""
    return period.end + timedelta(days=1 + svc.config.report_grace_days)


def check_reportable(svc, period: Period, at: datetime | None = None) -> None:
    """A report is for a kind of period the office reports (IKU_REPORT_PERIODS: triwulan,
    semester, tahun by default) that has ended."""
    kind = period_kind(period)
    if kind not in svc.config.report_kinds:
        raise InvalidActivityData(f"reports are submitted for {', '.join(svc.config.report_kinds)}, "
                                  f"not for a {kind}", field="period")
    day = today(svc) if at is None else at.astimezone(svc.zone).date()
    if day < first_reporting_day(svc, period):
        raise PeriodNotEnded(f"{period.label} has not ended: its report may be submitted from "
                             f"{first_reporting_day(svc, period).isoformat()}")


def submit_report(svc, user, period: Period, as_of=None, note: str | None = None):
    """Freeze a period's figures as known now (or at as_of: the demo's simulated clock),
    with the audit log's tree head before it; then sign a checkpoint that includes it.
    Refused for a kind of period the office does not report, or one not ended. Returns a
    `Submitted`."""
    require(user, "submit_reports")
    check_reportable(svc, period, as_of)
    note = _text(note, "note")
    if note is not None and len(note) > 4000:
        raise InvalidActivityData("Longer than maximum length 4000.", field="note")
    try:  # every event up to now must be the service's own: nothing is submitted over others
        svc.checkpoints.sign()
    except NoteError as e:
        raise NotSubmittable(f"no report is submitted over this log: {e}") from None
    answer = svc.calculator.compute(period, as_of)
    figures = figure_rows(answer.figures)
    if against_log(svc, period, answer.as_of, figures):
        # the view disagrees with the log (changed beneath the service): rebuilt, asked again
        svc.projector.rebuild()
        answer = svc.calculator.compute(period, answer.as_of)
        figures = figure_rows(answer.figures)
        if problems := against_log(svc, period, answer.as_of, figures):
            raise NotSubmittable("the view's figures are not the log's: " + "; ".join(problems))
    size = svc.tree.size()
    head = (size, svc.tree.root(size).hex())
    with acting_as(user.name):
        written = svc.agenda.submit_report(period=period.label, as_of=answer.as_of, figures=figures,
                                           chain_position=head[0], chain_hash=head[1], note=note)
    svc.checkpoints.sign_or_log()
    return Submitted(period=period, written=written, as_of=answer.as_of, indicators=figures,
                     chain_position=head[0], chain_hash=head[1])


def against_log(svc, period: Period, as_of, figures: list[dict]) -> list[str]:
    """A report's figures against the log's, recomputed by the inspector's implementation."""
    parts = next((i.parts for i in svc.config.indicators if i.code == "TUJUAN-1" and i.parts), None)
    problems = figures_against_log(svc.agenda.recorder, figures, period.label, as_of, svc.zone.key,
                                   **({"goal_parts": parts} if parts else {}))
    if problems:
        log.error("the view's figures of %s are not the log's: %s", period.label, "; ".join(problems))
    return problems


def reopen_report(svc, user, period: Period, *, reason: str) -> Written:
    require(user, "submit_reports")
    with acting_as(user.name):
        return svc.agenda.reopen_report(period=period.label, reason=_required(reason, "reason"))

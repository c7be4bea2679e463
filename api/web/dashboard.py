"""The IKU dashboard: figures, charts, the report of a period, what changed, and the
activities behind a number; the LKjIP downloads."""
from __future__ import annotations

from datetime import datetime
from io import BytesIO

from flask import abort, g, render_template, request, send_file
from flask_babel import gettext as _

from domain.exceptions import DomainError
from domain.model import LEADERS
from projections.facts import FACTS
from projections.periods import InvalidPeriod, Period

from ..documents.diff_xlsx import diff_workbook
from ..documents.lkjip import MIMETYPES, lkjip_document, signer_for
from ..service_layer import commands, queries, ucapan
from ..service_layer.parsing import InvalidInstant, parse_as_of, parse_date_or_instant
from ..service_layer.results import Page
from .charts import media_chart, trend_chart
from .common import page, page_asked, read_filters, services, web
from .i18n import period_name


@web.get("/dashboard")
@page()
def dashboard():
    period, as_of, leader, errors = read_filters()
    result = queries.iku(services(), g.user, period, as_of, leader)
    months = services().calculator.monthly(period, result.as_of, leader)
    set_by = {}  # each indicator's target as known then: the setting it comes from
    if period.start.year == period.end.year:
        for event in reversed(queries.target_history(services(), g.user, period.start.year, result.as_of)):
            set_by[event.data["indicator"]] = event
    return render_template(
        "dashboard.html", answer=result.answer, period=period, leader=leader, errors=errors,
        report=result.report, restated=bool(result.restated),
        as_of=request.args.get("as_of", ""), leaders=LEADERS,
        trend=trend_chart(months, services().calculator.indicators), media=media_chart(result.answer),
        as_of_param=result.as_of.isoformat(), still_missing=queries.STILL_MISSING,
        late_cancelled=result.cancelled_late, moved_out=result.moved_out_late, target_set_by=set_by,
        reportable=_reportable(period),
        ucapan_counts=ucapan.status_counts(services(), g.user, period, result.as_of, leader, ("open", "late")))


def _reportable(period) -> bool:
    """Whether a report of the period may be submitted now (else no link offers it)."""
    try:
        commands.check_reportable(services(), period)
    except DomainError:
        return False
    return True


def _compared():
    """The diff's period, the two instants and the leader from the query string; errors by field."""
    period, until, leader, errors = read_filters()
    since = None
    text = (request.args.get("from") or "").strip()
    exact = (request.args.get("from_exact") or "").strip()  # a report's instant, behind its date's box
    if exact and text and len(text) <= 10:
        try:
            if parse_as_of(exact, services().zone).astimezone(services().zone).date() == \
                    parse_date_or_instant(text):
                text = exact
        except (InvalidInstant, AttributeError):
            pass
    try:
        since = parse_as_of(text, services().zone)  # a date, or an instant (a report's as_of)
        if since is None:
            raise InvalidInstant("empty")
    except InvalidInstant:
        errors["from"] = _("Tanggal tidak sah.")
    if since is not None and until is not None and since > until:
        errors["from"] = _("Tidak boleh sesudah tanggal pembanding.")
    return period, since, until, leader, errors, text


@web.get("/dashboard/diff")
@page()
def diff():
    """What changed in a period's figures between two dates, highlighted."""
    period, since, until, leader, errors, text = _compared()
    if errors:
        return render_template("diff.html", result=None, period=period, leader=leader, errors=errors,
                               since=text, until=request.args.get("as_of", ""), leaders=LEADERS), 422
    ucapan_asked = page_asked("ucapan_page")  # the ucapan that changed: a list of their own, paged alike
    result, shown = queries.diff(services(), g.user, period, since, until, leader, page_asked(), ucapan_asked)
    zone = services().zone
    # Both boxes filled with the local dates compared (a report's instant, or now, included),
    # so that pressing "Bandingkan" again compares the same days.
    return render_template("diff.html", result=result, page=shown, ucapan_page=ucapan_asked.of(result.ucapan_total),
                           period=period, leader=leader, errors={},
                           since=result.before.as_of.astimezone(zone).date().isoformat(),
                           until=result.after.as_of.astimezone(zone).date().isoformat(), leaders=LEADERS,
                           exact_since=len(text) > 10, export_from=text, export_to=result.after.as_of.isoformat())


EXPORTED = 20_000  # activities in one diff workbook, at most


@web.get("/dashboard/diff.xlsx")
@page()
def diff_download():
    """The diff as a workbook: every changed activity, not a page of them."""
    period, since, until, leader, errors, _text = _compared()
    if errors:
        abort(422)
    result, _shown = queries.diff(services(), g.user, period, since, until, leader, Page(1, EXPORTED))
    data = diff_workbook(result, period_name(period), services().zone)
    zone = services().zone
    days = "-".join(instant.astimezone(zone).strftime("%Y%m%d") for instant in (result.before.as_of, result.after.as_of))
    return send_file(BytesIO(data), mimetype=MIMETYPES["xlsx"], as_attachment=True,
                     download_name=f"perubahan-iku-{period.label}-{days}.xlsx")


@web.get("/reports/lkjip-<int:year>.<any(xlsx, pdf):fmt>")
@page()
def lkjip_download(year: int, fmt: str):
    """The LKjIP table of a year as XLSX or PDF, as known at the dashboard's date."""
    if not 2000 <= year <= 2100:
        abort(404)
    try:
        as_of = parse_as_of(request.args.get("as_of"), services().zone)
    except InvalidInstant:
        abort(422)
    data, mimetype = lkjip_document(services(), year, fmt, as_of, signer_for(services(), g.user, year))
    return send_file(BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=f"lkjip-{year}.{fmt}")


PARTS = ("denominator", "cancelled", *(name for name, f in FACTS.items() if f.record == "activity"))  # the ucapan's: /ucapan


@web.get("/dashboard/activities")
@page()
def behind():
    """The activities behind one number of the dashboard."""
    try:
        period = Period.parse(request.args.get("period", ""))
        as_of = parse_date_or_instant(request.args.get("as_of", ""))
        if not isinstance(as_of, datetime):  # the dashboard links the instant it answered at
            raise InvalidInstant("not an instant")
    except (InvalidPeriod, InvalidInstant):
        abort(404)
    leader = request.args.get("leader") or None
    part = request.args.get("part", "denominator")
    if leader not in (None, *LEADERS) or part not in PARTS:
        abort(404)
    if part == "cancelled":
        listing = queries.activities(services(), g.user, period, as_of, leader, status="cancelled",
                                     page=page_asked())
        answered_at, shown = listing.as_of, listing.page
        items = [(a, []) for a in listing.activities]
        outside = None
    else:
        fact = None if part == "denominator" else part
        explained = queries.explain(services(), g.user, period, as_of, leader, fact=fact, page=page_asked())
        answered_at = explained.as_of
        if fact is None:
            listed, shown = explained.denominator_activities, explained.page
        else:
            listed, shown = explained.numerator_activities, explained.page.of(explained.numerator)
        items = [(a, a.events) for a in listed]
        outside = (explained.cancelled, explained.cancelled_late, explained.moved_out_late)  # not counted
    return render_template("behind.html", items=items, page=shown, period=period, leader=leader,
                           part=part, answered_at=answered_at, outside=outside,
                           as_of_param=answered_at.isoformat())

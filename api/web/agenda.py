"""The agenda: a period's activities by day, filtered, a page at a time."""
from __future__ import annotations

from datetime import date

from flask import g, render_template, request, session, url_for
from flask_babel import gettext as _

from domain.model import LEADERS

from ..service_layer import queries
from .common import page, page_asked, read_filters, services, web


@web.get("/agenda")
@page()
def agenda():
    """Today first when the period holds it; a search looks across all dates unless asked
    to stay in the period; the filters are remembered for the way back (docs/RULES.md)."""
    period, as_of, leader, errors = read_filters()
    status = request.args.get("status") or ""
    query = "".join(ch for ch in (request.args.get("q") or "") if ch.isprintable()).strip()
    everywhere = bool(query) and not request.args.get("in_period")
    if status not in ("", *queries.STATUSES):
        errors["status"], status = _("Pilihan tidak dikenal."), ""
    now = queries.today(services())
    today_first = everywhere or period.contains(now)
    listing = queries.activities(services(), g.user, queries.ALL_DATES if everywhere else period, as_of,
                                 leader, status=status or None, text=query, page=page_asked(),
                                 from_day=now if today_first else None)
    days: dict[date, list] = {}
    for a in listing.activities:
        days.setdefault(a.starts_at.astimezone(services().zone).date(), []).append(a)
    if not errors:
        session["agenda"] = request.query_string.decode("ascii", "replace")[:MAX_REMEMBERED]
    return render_template("agenda.html", days=days, period=period, leader=leader, status=status,
                           q=query, everywhere=everywhere, today=now, today_first=today_first,
                           as_of=request.args.get("as_of", ""), errors=errors,
                           answered_at=listing.as_of, count=listing.total, page=listing.page,
                           statuses=tuple(queries.STATUSES), leaders=LEADERS, quick=QUICK)


MAX_REMEMBERED = 1000  # characters of the agenda's query string kept in the session
QUICK = ("hari ini", "minggu ini", "bulan ini", "minggu depan")  # the agenda's quick periods


@web.app_template_global()
def agenda_url() -> str:
    """The agenda as last filtered in this session (the way back from an activity)."""
    remembered = session.get("agenda")
    return url_for("web.agenda") + (f"?{remembered}" if remembered else "")

"""The agenda: a period's activities by day, filtered, a page at a time."""
from __future__ import annotations

from datetime import date

from flask import g, render_template, request
from flask_babel import gettext as _

from domain.model import LEADERS

from ..service_layer import queries
from .common import page, page_asked, read_filters, services, web


@web.get("/agenda")
@page()
def agenda():
    period, as_of, leader, errors = read_filters()
    status = request.args.get("status") or ""
    query = "".join(ch for ch in (request.args.get("q") or "") if ch.isprintable()).strip()
    if status not in ("", *queries.STATUSES):
        errors["status"], status = _("Pilihan tidak dikenal."), ""
    listing = queries.activities(services(), g.user, period, as_of, leader, status=status or None,
                                 text=query, page=page_asked())
    days: dict[date, list] = {}
    for a in listing.activities:
        days.setdefault(a.starts_at.astimezone(services().zone).date(), []).append(a)
    return render_template("agenda.html", days=days, period=period, leader=leader, status=status,
                           q=query, as_of=request.args.get("as_of", ""), errors=errors,
                           answered_at=listing.as_of, count=listing.total, page=listing.page,
                           statuses=tuple(queries.STATUSES), leaders=LEADERS)

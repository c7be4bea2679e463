"""The agenda: a period's activities by day, filtered."""
from __future__ import annotations

from datetime import date

from flask import g, render_template, request

from domain.model import LEADERS

from ..service_layer import queries
from .common import page, read_filters, services, web

STATUSES = ("scheduled", "cancelled", "served", "documented")


@web.get("/agenda")
@page()
def agenda():
    period, as_of, leader, errors = read_filters()
    status = request.args.get("status") or ""
    query = (request.args.get("q") or "").strip()
    listing = queries.activities(services(), g.user, period, as_of, leader)
    activities = listing.activities
    if status == "scheduled":
        activities = [a for a in activities if not a.cancelled]
    elif status in ("cancelled", "served", "documented"):
        activities = [a for a in activities if getattr(a, status) and (status == "cancelled" or not a.cancelled)]
    if query:
        needle = query.casefold()
        activities = [a for a in activities if needle in a.title.casefold()
                      or needle in a.location.casefold()]
    days: dict[date, list] = {}
    for a in activities:
        days.setdefault(a.starts_at.astimezone(services().zone).date(), []).append(a)
    return render_template("agenda.html", days=days, period=period, leader=leader, status=status,
                           q=query, as_of=request.args.get("as_of", ""), errors=errors,
                           answered_at=listing.as_of, count=len(activities), statuses=STATUSES,
                           leaders=LEADERS)

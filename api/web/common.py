"""What every page shares: the `web` blueprint, who is signed in, the `page` decorator
(a signed-in user whose role has the permission), and reading the filters of a page."""
from __future__ import annotations

import secrets
from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, g, redirect, request, session, url_for
from flask_babel import gettext as _

from domain.model import LEADERS
from projections.periods import InvalidPeriod, Period

from ..service_layer.parsing import InvalidInstant, parse_as_of, parse_period
from ..service_layer.permissions import may
from ..service_layer.queries import opening_month, today
from ..service_layer.results import Page

web = Blueprint("web", __name__)


def services():
    return current_app.extensions["iku"]


@web.before_app_request
def load_user():
    g.user = None
    name = session.get("user")
    if name:
        # A session ended (logout, a new password or role, a disabled user) is no session.
        g.user = services().users.session_user(name, session.get("generation"))
        if g.user is None:
            session.clear()


def actor_name(actor: str) -> str:
    """An event's actor as people read it: the user's full name where known; the server's
    operator and importer by what they are."""
    if actor == "system:cli":
        return _("operator sistem (perintah iku)")
    if actor == "system:upgrade":
        return _("peningkatan layanan (akun yang sudah ada dicatat)")
    if actor.startswith("system:import:"):
        return _("impor berkas %(f)s", f=actor.split(":", 2)[2])
    known = g.get("actor_names")
    if known is None:
        known = g.actor_names = {u.name: u.display_name for u in services().users.all()}
    return known.get(actor, actor)


@web.app_context_processor
def page_globals():
    return {
        "actor_name": actor_name,
        "user": g.get("user"),
        "may": lambda permission: g.get("user") is not None and may(g.user.role, permission),
        "simulated": services().agenda.recorded_times_are_simulated,
        "form_token": lambda: secrets.token_urlsafe(16),
    }


def page(permission: str = "read"):
    """The page needs a signed-in user with `permission` (the service layer checks it again
    on every command and query)."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if g.user is None:
                return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
            if not may(g.user.role, permission):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def safe_next(target: str | None) -> str:
    """A path of this site to go back to; anything else (another site, control characters
    that would split the Location header) goes to the agenda."""
    if (target and target.startswith("/") and not target.startswith("//") and target.isprintable()
            and "\\" not in target and not urlsplit(target).netloc):
        return target
    return url_for("web.agenda")


def period_error() -> str:
    return _("Periode tidak dikenal. Contoh: hari ini, minggu ini, 30/11/2026, "
             "1/12/2026 s.d. 7/12/2026, Maret 2021, Triwulan I 2021, Tahun 2021.")


def default_period() -> str:
    return opening_month(services())


PER_PAGE = 100  # activities on one page of the agenda and the lists behind a number


def page_asked(name: str = "page") -> Page:
    """The page of a long list the query string asks for (`page`, from 1; a second list
    of the same page: its own name)."""
    text = request.args.get(name, "")
    number = int(text) if text.isascii() and text.isdigit() and 0 < len(text) < 7 else 1
    return Page(max(1, number), PER_PAGE)


def read_filters():
    """Period, as_of (an instant or None), leader from the query string; errors by field."""
    errors = {}
    label = request.args.get("period") or default_period()
    try:
        period = parse_period(label, today(services()))
    except InvalidPeriod:
        errors["period"] = period_error()
        period = Period.parse(default_period())
    leader = request.args.get("leader") or None
    if leader not in (None, *LEADERS):
        errors["leader"] = _("Pilihan tidak dikenal.")
        leader = None
    as_of = None
    try:
        as_of = parse_as_of(request.args.get("as_of"), services().zone)
    except InvalidInstant:
        errors["as_of"] = _("Tanggal tidak sah.")
    return period, as_of, leader, errors

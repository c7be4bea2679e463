"""Language and dates for the pages. Bahasa Indonesia is the source language of the
templates (their msgids) and the office's working language: every page is in Indonesian
whatever the browser asks (Accept-Language is not read), unless the user chose English
(kept in the session and in a cookie of a year, so that it outlives a logout)."""
from __future__ import annotations

import re
from datetime import date, datetime

from babel.dates import format_datetime
from flask import current_app, request, session
from flask_babel import Babel, get_locale, ngettext
from flask_babel import gettext as _

import inspector.catalog

from ..documents import formats

LANGUAGES = ("id", "en")


LANGUAGE_COOKIE = "iku_lang"
SPEAKING = "iku.inspector_language"  # the request's token of inspector.catalog.speak


def select_locale() -> str:
    chosen = session.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
    return chosen if chosen in LANGUAGES else "id"


def init_app(app) -> None:
    Babel(app, locale_selector=select_locale)

    @app.before_request
    def inspector_language():
        """The audit's messages (a verification's reason, a refused checkpoint) in the
        language of this request: its page's, or English for the JSON API."""
        # Kept with the request, not in `g`: a request made while another is handled (in a
        # test) shares the application context, and so `g`, with it.
        request.environ[SPEAKING] = inspector.catalog.speak(
            "en" if request.path.startswith("/api/") else select_locale())

    @app.teardown_request
    def inspector_language_back(_error=None):
        token = request.environ.pop(SPEAKING, None)
        if token is not None:
            inspector.catalog.stop_speaking(token)

    app.jinja_env.filters["when"] = format_when
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.globals["when_range"] = format_range
    app.jinja_env.filters["percent"] = format_percent
    app.jinja_env.filters["period_name"] = period_name
    app.jinja_env.filters["instant"] = lambda text: datetime.fromisoformat(text) if text else None
    app.jinja_env.filters["dmy"] = day_month_year
    app.jinja_env.filters["iso_date"] = lambda text: date.fromisoformat(text) if text else None
    app.jinja_env.filters["short_day"] = lambda day: formats.day_short(day, str(get_locale()))
    app.jinja_env.filters["nip"] = formats.nip
    app.jinja_env.globals["language"] = lambda: str(get_locale())


def zone_label() -> str:
    return formats.zone_label(current_app.extensions["iku"].zone)


def format_when(instant: datetime | None) -> str:
    """'Senin, 5 April 2021 09.00 WIB' — in the configured zone, in the user's language."""
    return formats.when(instant, current_app.extensions["iku"].zone, str(get_locale()))


def format_day(day) -> str:
    return formats.day(day, str(get_locale()))


def format_range(starts: datetime, ends: datetime | None) -> str:
    """An activity's time: 'Rabu, 17 Maret 2021 08.00–11.00 WIB' on one day; over several
    'Senin, 7 Desember 2026 08.00 – Rabu, 9 Desember 2026 15.00 WIB (3 hari)'."""
    if ends is None:
        return format_when(starts)
    zone = current_app.extensions["iku"].zone
    first, last = starts.astimezone(zone), ends.astimezone(zone)
    locale = str(get_locale())
    clock = "HH.mm" if locale == "id" else "HH:mm"
    if first.date() == last.date():
        return (f"{format_datetime(first, 'EEEE, d MMMM y ' + clock, locale=locale)}–"
                f"{format_datetime(last, clock, locale=locale)} {zone_label()}")
    days = (last.date() - first.date()).days + 1
    return (f"{format_datetime(first, 'EEEE, d MMMM y ' + clock, locale=locale)} – "
            f"{format_when(ends)} ({ngettext('%(num)s hari', '%(num)s hari', days)})")


def day_month_year(text: str | None) -> str:
    """A date box's value as the office writes dates, whatever the browser's language:
    2021-04-10 → 10/04/2021 (a date box of the browser's own would show 04/10/2021 in an
    English browser, read as 4 Oktober); other text as typed."""
    text = (text or "").strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        year, month, day = text.split("-")
        return f"{day}/{month}/{year}"
    return text


def format_percent(value) -> str:
    """A percentage as the office writes it: '89,76%' (English '89.76%'); '—' for none."""
    return formats.percent(value, str(get_locale()))


def period_name(period) -> str:
    """A period as the office names it (documents/formats.py), in the user's language: the
    words from the catalog. The code stays in URLs and the API."""
    return formats.period_name(period, str(get_locale()), {
        "year": _("Tahun %(y)s", y="{y}"), "quarter": _("Triwulan %(n)s %(y)s", n="{n}", y="{y}"),
        "half": _("Semester %(n)s %(y)s", n="{n}", y="{y}"), "all": _("semua tanggal")})

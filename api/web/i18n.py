"""Language and dates for the pages. Bahasa Indonesia is the source language of the
templates (their msgids) and the office's working language: every page is in Indonesian
whatever the browser asks (Accept-Language is not read), unless the user chose English
(kept in the session and in a cookie of a year, so that it outlives a logout)."""
from __future__ import annotations

import re
from datetime import datetime

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from flask import current_app, request, session
from flask_babel import Babel, get_locale, ngettext
from flask_babel import gettext as _

from projections.periods import FIRST_YEAR, LAST_YEAR

LANGUAGES = ("id", "en")
ZONE_ABBREVIATIONS = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA",
                      "Asia/Jayapura": "WIT"}


LANGUAGE_COOKIE = "iku_lang"


def select_locale() -> str:
    chosen = session.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
    return chosen if chosen in LANGUAGES else "id"


def init_app(app) -> None:
    Babel(app, locale_selector=select_locale)
    app.jinja_env.filters["when"] = format_when
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.globals["when_range"] = format_range
    app.jinja_env.filters["percent"] = format_percent
    app.jinja_env.filters["period_name"] = period_name
    app.jinja_env.globals["language"] = lambda: str(get_locale())


def zone_label() -> str:
    zone = current_app.extensions["iku"].zone
    return ZONE_ABBREVIATIONS.get(zone.key, zone.key)


def format_when(instant: datetime | None) -> str:
    """'Senin, 5 April 2021 09.00 WIB' — in the configured zone, in the user's language."""
    if instant is None:
        return ""
    try:
        local = instant.astimezone(current_app.extensions["iku"].zone)
    except (OverflowError, ValueError):  # a time at the edge of what Python holds: as written
        return instant.isoformat()
    locale = str(get_locale())
    pattern = "EEEE, d MMMM y HH.mm" if locale == "id" else "EEEE, d MMMM y HH:mm"
    return f"{format_datetime(local, pattern, locale=locale)} {zone_label()}"


def format_day(day) -> str:
    return format_date(day, "EEEE, d MMMM y", locale=str(get_locale()))


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


def format_percent(value) -> str:
    """A percentage as the office writes it: '89,76%' (English '89.76%'); '—' for none."""
    if value is None:
        return "—"
    return f"{format_decimal(value, format='#,##0.00', locale=str(get_locale()))}%"


ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def period_name(period) -> str:
    """A period as the office names it: 'Triwulan I 2021', 'Semester I 2021', 'Maret 2021',
    'Tahun 2021', 'Rabu, 17 Maret 2021', '1–7 Desember 2026'. The code stays in URLs and
    the API."""
    locale = str(get_locale())
    label, start, end = period.label, period.start, period.end
    if re.fullmatch(r"\d{4}", label):
        return _("Tahun %(y)s", y=label)
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", label):
        return _("Triwulan %(n)s %(y)s", n=ROMAN[int(m[2])], y=m[1])
    if m := re.fullmatch(r"(\d{4})-S([12])", label):
        return _("Semester %(n)s %(y)s", n=ROMAN[int(m[2])], y=m[1])
    if re.fullmatch(r"\d{4}-\d{2}", label):
        return format_date(start, "MMMM y", locale=locale)
    if start.year <= FIRST_YEAR and end.year >= LAST_YEAR:
        return _("semua tanggal")
    if start == end:
        return format_day(start)
    if start.year != end.year:
        return f"{format_date(start, 'd MMMM y', locale=locale)} – {format_date(end, 'd MMMM y', locale=locale)}"
    if start.month != end.month:
        return f"{format_date(start, 'd MMMM', locale=locale)} – {format_date(end, 'd MMMM y', locale=locale)}"
    return f"{start.day}–{format_date(end, 'd MMMM y', locale=locale)}"

"""How the office writes numbers, instants and periods, for documents made outside a page
(PDF, XLSX, the CLI) and for the pages alike: Babel's formats of a locale (Indonesian by
default: "89,76%", "Senin, 5 April 2021 09.00 WIB", "Triwulan I 2021")."""
from __future__ import annotations

import functools
import re
from datetime import date, datetime
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_decimal

from projections.periods import FIRST_YEAR, LAST_YEAR

ZONE_ABBREVIATIONS = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA",
                      "Asia/Jayapura": "WIT"}
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
# The words a period's name needs, per locale (the pages take theirs from the catalog).
WORDS = {"id": {"year": "Tahun {y}", "quarter": "Triwulan {n} {y}", "half": "Semester {n} {y}",
                "all": "semua tanggal"},
         "en": {"year": "Year {y}", "quarter": "Quarter {n} {y}", "half": "Semester {n} {y}",
                "all": "all dates"}}


def markup(text) -> str:
    """Text as a PDF paragraph shows it (reportlab reads '<' as markup): escaped, its line
    breaks kept. Every text a person typed goes through here."""
    return escape(str(text)).replace("\n", "<br/>")


def no_formulas(book) -> None:
    """Every cell of a workbook the service writes is a value: a text a person typed that
    begins with '=' is kept as that text, never a formula for Excel to run."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"


def zone_label(zone: ZoneInfo) -> str:
    return ZONE_ABBREVIATIONS.get(zone.key, zone.key)


def percent(value, locale: str = "id") -> str:
    """'89,76%' (English '89.76%'); '—' for none."""
    if value is None:
        return "—"
    return f"{format_decimal(value, format='#,##0.00', locale=locale)}%"


def when(instant: datetime | None, zone: ZoneInfo, locale: str = "id") -> str:
    """'Senin, 5 April 2021 09.00 WIB' — in the zone given, in the locale's words."""
    if instant is None:
        return ""
    try:
        local = instant.astimezone(zone)
    except (OverflowError, ValueError):  # a time at the edge of what Python holds: as written
        return instant.isoformat()
    clock = f"{local:%H.%M}" if locale == "id" else f"{local:%H:%M}"  # Babel's HH.mm, HH:mm
    return f"{_day(local.date(), locale)} {clock} {zone_label(zone)}"


@functools.lru_cache(maxsize=4096)
def _day(value: date, locale: str) -> str:
    """A day's words, once: a workbook or a page names thousands of instants, on far fewer
    days (Babel's formatting of a whole instant took a quarter of the diff workbook's time)."""
    return day(value, locale)


def day(value, locale: str = "id") -> str:
    return format_date(value, "EEEE, d MMMM y", locale=locale)


def day_short(value, locale: str = "id") -> str:
    """'30 Nov 2026': a date in a badge or a heading on a phone."""
    return format_date(value, "d MMM y", locale=locale)


def date_long(value, locale: str = "id") -> str:
    """'30 November 2026' (a letter's date)."""
    return format_date(value, "d MMMM y", locale=locale)


def nip(digits: str) -> str:
    """A NIP as it is written: '19780512 200312 1 004' (birth date, appointment, sex, number)."""
    if len(digits) != 18:
        return digits
    return f"{digits[:8]} {digits[8:14]} {digits[14]} {digits[15:]}"


def period_name(period, locale: str = "id", words: dict | None = None) -> str:
    """A period as the office names it: 'Triwulan I 2021', 'Semester I 2021', 'Maret 2021',
    'Tahun 2021', 'Rabu, 17 Maret 2021', '1–7 Desember 2026'. `words`: the names of a
    year, a quarter and a half-year (the pages pass the catalog's)."""
    words = words or WORDS.get(locale, WORDS["id"])
    label, start, end = period.label, period.start, period.end
    if re.fullmatch(r"\d{4}", label):
        return words["year"].format(y=label)
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", label):
        return words["quarter"].format(n=ROMAN[int(m[2])], y=m[1])
    if m := re.fullmatch(r"(\d{4})-S([12])", label):
        return words["half"].format(n=ROMAN[int(m[2])], y=m[1])
    if re.fullmatch(r"\d{4}-\d{2}", label):
        return format_date(start, "MMMM y", locale=locale)
    if start.year <= FIRST_YEAR and end.year >= LAST_YEAR:
        return words["all"]
    if start == end:
        return day(start, locale)
    if start.year != end.year:
        return f"{format_date(start, 'd MMMM y', locale=locale)} – {format_date(end, 'd MMMM y', locale=locale)}"
    if start.month != end.month:
        return f"{format_date(start, 'd MMMM', locale=locale)} – {format_date(end, 'd MMMM y', locale=locale)}"
    return f"{start.day}–{format_date(end, 'd MMMM y', locale=locale)}"

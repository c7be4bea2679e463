"""The one parser of instants and `as_of` for every entrypoint (periods: `Period.parse`;
on the pages, `parse_period`: also dates as officers write them and words like "hari ini").

An as_of is an RFC 3339 instant with its offset, or a date alone meaning the end of that
local day in the configured timezone. Digits are ASCII only."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from projections.periods import FIRST_YEAR, LAST_YEAR, InvalidPeriod, Period, end_of_local_day

_INSTANT = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?"
    r"(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$", re.ASCII)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)


class InvalidInstant(ValueError):
    """Not an RFC 3339 instant (or a date, where one is allowed); `naive`: no offset."""

    def __init__(self, message: str, *, naive: bool = False):
        super().__init__(message)
        self.naive = naive


def parse_instant(text: str) -> datetime:
    """An RFC 3339 instant with its offset ('+' may arrive as a space from a query string)."""
    found = _INSTANT.match(re.sub(r" (\d{2}:?\d{2})$", r"+\1", text.strip()))
    if found is None:
        raise InvalidInstant("Not an RFC 3339 date-time.")
    year, month, day, hour, minute, second, fraction, zulu, sign, off_h, off_m = found.groups()
    if not zulu and not sign:
        raise InvalidInstant("Give a timezone offset (e.g. +07:00 or Z).", naive=True)
    offset = timedelta(0) if zulu else (1 if sign == "+" else -1) * timedelta(hours=int(off_h), minutes=int(off_m))
    try:
        return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0),
                        int((fraction or "0")[:6].ljust(6, "0")), tzinfo=timezone(offset))
    except ValueError:
        raise InvalidInstant("Not an RFC 3339 date-time.") from None


def parse_as_of(text: str | None, zone: ZoneInfo) -> datetime | None:
    """None for no text; a date → the end of that local day; else an instant."""
    if text is None or not text.strip():
        return None
    return resolve_as_of(parse_date_or_instant(text), zone)


def parse_date_or_instant(text: str) -> date | datetime:
    """A date alone (2021-04-10, or 10/04/2021 as the office writes it) or an instant, in
    the years of periods (1900–2999)."""
    text = text.strip()
    if written := _DMY_DAY.match(text):
        try:
            found = date(int(written[3]), int(written[2]), int(written[1]))
        except ValueError:
            raise InvalidInstant("Not a date.") from None
        if not FIRST_YEAR <= found.year <= LAST_YEAR:
            raise InvalidInstant(f"Must lie in the years {FIRST_YEAR}–{LAST_YEAR}.")
        return found
    if _DATE.match(text):
        try:
            found = date.fromisoformat(text)
        except ValueError:
            raise InvalidInstant("Not a date.") from None
        day = found
    else:
        found = parse_instant(text)
        day = found.astimezone(timezone.utc).date() if FIRST_YEAR < found.year < LAST_YEAR else found.date()
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise InvalidInstant(f"Must lie in the years {FIRST_YEAR}–{LAST_YEAR}.")
    return found


def resolve_as_of(value: date | datetime | None, zone: ZoneInfo) -> datetime | None:
    """A date alone means the end of that local day."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return end_of_local_day(value, zone)
    return value


# What an officer types as a period on a page (the API keeps the codes of Period.parse):
# words relative to today, and dates as Indonesian Excel and speech write them.
_WORDS = {"hari ini": ("day", 0), "kemarin": ("day", -1), "besok": ("day", 1),
          "minggu ini": ("week", 0), "minggu lalu": ("week", -1), "minggu depan": ("week", 1),
          "bulan ini": ("month", 0), "bulan lalu": ("month", -1), "bulan depan": ("month", 1),
          "tahun ini": ("year", 0)}
# The periods as the pages name them: "Triwulan I 2021", "TW 1 2021", "Semester II 2021",
# "Tahun 2021", "Maret 2021" (and the codes in any case: "2021-q1").
_NUMBERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_NAMED = re.compile(r"^(triwulan|tw|semester|smt)\s+(iv|iii|ii|i|[1-4])\s+(\d{4})$")
_MONTHS = {name: number for number, names in enumerate((
    ("januari", "jan"), ("februari", "feb", "pebruari"), ("maret", "mar"), ("april", "apr"), ("mei",),
    ("juni", "jun"), ("juli", "jul"), ("agustus", "agu", "ags", "agt"), ("september", "sep", "sept"),
    ("oktober", "okt"), ("november", "nov", "nop"), ("desember", "des")), start=1) for name in names}
_DMY = r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})"
_DMY_DAY = re.compile(rf"^{_DMY}$", re.ASCII)
_DMY_RANGE = re.compile(rf"^{_DMY}\s*(?:\.\.|-|–|—|s\.?\s?d\.?|s/d|sampai(?: dengan)?)\s*{_DMY}$", re.ASCII | re.IGNORECASE)


def parse_period(text: str, today: date) -> Period:
    """A period as a page accepts it: a code of Period.parse, a date (2026-11-30,
    30/11/2026), a range of them (1/12/2026 s.d. 7/12/2026), or a word relative to today
    (hari ini, minggu ini, bulan ini, …; a week runs Monday to Sunday). Its label is a
    code, so a link or a report names it one way."""
    words = " ".join(text.replace("-", " ").split()).casefold()
    if words in _WORDS:
        unit, shift = _WORDS[words]
        if unit == "day":
            day = today + timedelta(days=shift)
            return Period.parse(day.isoformat())
        if unit == "week":
            monday = today - timedelta(days=today.weekday()) + timedelta(weeks=shift)
            return Period.parse(f"{monday.isoformat()}..{(monday + timedelta(days=6)).isoformat()}")
        if unit == "month":
            month = today.year * 12 + today.month - 1 + shift
            return Period.parse(f"{month // 12:04d}-{month % 12 + 1:02d}")
        return Period.parse(f"{today.year:04d}")
    if named := _named(words):
        return Period.parse(named)
    text = text.strip()
    try:
        if found := _DMY_DAY.match(text):
            return Period.parse(_iso(*found.groups()))
        if found := _DMY_RANGE.match(text):
            return Period.parse(f"{_iso(*found.groups()[:3])}..{_iso(*found.groups()[3:])}")
    except InvalidPeriod:
        raise
    except ValueError:
        raise InvalidPeriod(f"not a real date: {text!r}") from None
    return Period.parse(text)


def _named(words: str) -> str | None:
    """The code of a period named in words ("triwulan i 2021" → 2021-Q1), or None."""
    if found := _NAMED.match(words):
        kind, number, year = found.groups()
        n = _NUMBERS[number]
        if kind in ("semester", "smt"):
            return f"{year}-S{n}" if n <= 2 else None
        return f"{year}-Q{n}"
    parts = words.split()
    if len(parts) == 2 and parts[0] == "tahun" and parts[1].isdigit():
        return parts[1]
    if len(parts) == 2 and parts[0] in _MONTHS and parts[1].isdigit() and len(parts[1]) == 4:
        return f"{parts[1]}-{_MONTHS[parts[0]]:02d}"
    if re.fullmatch(r"\d{4} [qs][1-4]", words):  # 2021-q1 (its hyphen made a space above)
        return f"{words[:4]}-{words[5:].upper()}"
    return None


def _iso(day: str, month: str, year: str) -> str:
    return date(int(year), int(month), int(day)).isoformat()

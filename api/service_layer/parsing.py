"""The one parser of instants and `as_of` for every entrypoint (periods: `Period.parse`).

An as_of is an RFC 3339 instant with its offset, or a date alone meaning the end of that
local day in the configured timezone. Digits are ASCII only."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from projections.periods import FIRST_YEAR, LAST_YEAR, end_of_local_day

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
    """A date alone or an instant, in the years of periods (1900–2999)."""
    text = text.strip()
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

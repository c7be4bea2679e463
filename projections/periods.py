"""Periods (SPEC §5): valid-time ranges of inclusive local dates.

`2021` year, `2021-S1`/`2021-S2` half, `2021-Q1`…`2021-Q4` triwulan, `2021-03` month,
`2021-03-17` a day, `2021-01-01..2021-02-15` an inclusive range of local dates.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.model import FIRST_YEAR as FIRST_ACTIVITY_YEAR
from domain.model import LAST_YEAR as LAST_ACTIVITY_YEAR

DEFAULT_TIMEZONE = "Asia/Jakarta"

# ASCII digits only: one label per period (a ２０２１ must not name 2021 a second time).
_YEAR = re.compile(r"^(\d{4})$", re.ASCII)
_HALF = re.compile(r"^(\d{4})-S([12])$", re.ASCII)
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.ASCII)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$", re.ASCII)
_DAY = re.compile(r"^(\d{4}-\d{2}-\d{2})$", re.ASCII)
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$", re.ASCII)
FIRST_YEAR, LAST_YEAR = FIRST_ACTIVITY_YEAR, LAST_ACTIVITY_YEAR  # no activity lies outside them
MAX_RANGE_DAYS = 10 * 366  # a range of dates spans at most ten years


class InvalidPeriod(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    label: str
    start: date
    end: date  # inclusive

    @classmethod
    def parse(cls, label: str) -> Period:
        period = cls._parse(label.strip())
        if not (FIRST_YEAR <= period.start.year and period.end.year <= LAST_YEAR):
            raise InvalidPeriod(f"a period lies in the years {FIRST_YEAR}–{LAST_YEAR}")
        if (period.end - period.start).days >= MAX_RANGE_DAYS:
            raise InvalidPeriod("a range of dates spans at most ten years")
        return period

    @classmethod
    def _parse(cls, label: str) -> Period:
        try:
            if m := _YEAR.match(label):
                y = int(m[1])
                return cls(label, date(y, 1, 1), date(y, 12, 31))
            if m := _HALF.match(label):
                y, h = int(m[1]), int(m[2])
                return cls(label, date(y, 6 * h - 5, 1), _month_end(y, 6 * h))
            if m := _QUARTER.match(label):
                y, q = int(m[1]), int(m[2])
                return cls(label, date(y, 3 * q - 2, 1), _month_end(y, 3 * q))
            if m := _MONTH.match(label):
                y, mo = int(m[1]), int(m[2])
                return cls(label, date(y, mo, 1), _month_end(y, mo))
            if m := _DAY.match(label):
                day = date.fromisoformat(m[1])
                return cls(label, day, day)
            if m := _RANGE.match(label):
                start, end = date.fromisoformat(m[1]), date.fromisoformat(m[2])
                if end < start:
                    raise InvalidPeriod("the range ends before it starts")
                return cls(label, start, end)
        except ValueError as e:
            if isinstance(e, InvalidPeriod):
                raise
            raise InvalidPeriod(f"not a real date: {label!r}") from None
        raise InvalidPeriod(
            f"unrecognised period {label!r}: use 2021, 2021-S1, 2021-Q1, 2021-03, 2021-03-17 or "
            "2021-01-01..2021-02-15"
        )

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def months(self) -> list[Period]:
        """The calendar months the period touches, each clipped to the period."""
        out, y, m = [], self.start.year, self.start.month
        while date(y, m, 1) <= self.end:
            start = max(self.start, date(y, m, 1))
            end = min(self.end, _month_end(y, m))
            out.append(Period(f"{y:04d}-{m:02d}", start, end))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def date_key(day: date) -> int:
    """Dates as integers YYYYMMDD: ordered like the dates, cheap to index."""
    return day.year * 10000 + day.month * 100 + day.day


def local_date(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()


def end_of_local_day(day: date, zone: ZoneInfo) -> datetime:
    """`as_of` given as a date alone means the end of that local day."""
    return datetime.combine(day + timedelta(days=1), time(0), zone) - timedelta(microseconds=1)

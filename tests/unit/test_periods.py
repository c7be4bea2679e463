from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from projections.periods import InvalidPeriod, Period, end_of_local_day, local_date

JAKARTA = ZoneInfo("Asia/Jakarta")


@pytest.mark.parametrize(
    ("label", "start", "end"),
    [
        ("2021", date(2021, 1, 1), date(2021, 12, 31)),
        ("2021-S1", date(2021, 1, 1), date(2021, 6, 30)),
        ("2021-S2", date(2021, 7, 1), date(2021, 12, 31)),
        ("2021-Q1", date(2021, 1, 1), date(2021, 3, 31)),
        ("2021-Q4", date(2021, 10, 1), date(2021, 12, 31)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("2021-01-01..2021-02-15", date(2021, 1, 1), date(2021, 2, 15)),
        ("2021-03-05..2021-03-05", date(2021, 3, 5), date(2021, 3, 5)),
    ],
)
def test_period_labels_name_inclusive_local_date_ranges(label, start, end):
    period = Period.parse(label)
    assert (period.label, period.start, period.end) == (label, start, end)


@pytest.mark.parametrize(
    "label", ["", "21", "2021-Q5", "2021-S3", "2021-13", "2021-1", "2021-02-30..2021-03-01",
              "2021-03-02..2021-03-01", "Q1-2021", "2021/03", "2021-03-01.."],
)
def test_an_unparseable_period_is_refused(label):
    with pytest.raises(InvalidPeriod):
        Period.parse(label)


def test_surrounding_spaces_of_a_period_are_forgiven():
    assert Period.parse(" 2021-Q1 ").label == "2021-Q1"


def test_a_period_splits_into_the_months_it_touches():
    months = Period.parse("2021-01-20..2021-03-05").months()
    assert [(m.label, m.start, m.end) for m in months] == [
        ("2021-01", date(2021, 1, 20), date(2021, 1, 31)),
        ("2021-02", date(2021, 2, 1), date(2021, 2, 28)),
        ("2021-03", date(2021, 3, 1), date(2021, 3, 5)),
    ]


def test_local_dates_are_taken_in_the_configured_timezone():
    # 17:00 UTC on 31 March is midnight of 1 April in WIB.
    assert local_date(datetime(2021, 3, 31, 16, 59, 59, tzinfo=timezone.utc), JAKARTA) == date(2021, 3, 31)
    assert local_date(datetime(2021, 3, 31, 17, 0, 0, tzinfo=timezone.utc), JAKARTA) == date(2021, 4, 1)


def test_an_as_of_date_alone_means_the_end_of_that_local_day():
    end = end_of_local_day(date(2021, 4, 5), JAKARTA)
    assert end.astimezone(timezone.utc) == datetime(2021, 4, 5, 16, 59, 59, 999999, tzinfo=timezone.utc)


def test_local_dates_of_instants_beyond_what_datetime_holds_do_not_raise():
    from projections.fold import LocalDates

    dates = LocalDates(JAKARTA)
    year_one = -62135596800 * 1_000_000  # 0001-01-01T00:00:00Z
    assert dates.key(year_one - 14 * 3600 * 1_000_000) == 0
    assert dates.key(10**18) == 99_999_999

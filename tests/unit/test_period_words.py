"""Usability review: the period box refused the names the pages print ("Triwulan I 2021")."""
from datetime import date

import pytest

from api.service_layer.parsing import parse_period
from projections.periods import InvalidPeriod

TODAY = date(2026, 11, 30)


@pytest.mark.parametrize("typed, code", [
    ("Triwulan I 2021", "2021-Q1"), ("triwulan 4 2021", "2021-Q4"), ("TW II 2021", "2021-Q2"),
    ("tw iv 2021", "2021-Q4"), ("Semester I 2021", "2021-S1"), ("smt 2 2021", "2021-S2"),
    ("Tahun 2021", "2021"), ("Maret 2021", "2021-03"), ("agu 2021", "2021-08"), ("Desember 2026", "2026-12"),
    ("2021-q1", "2021-Q1"), ("2021-s2", "2021-S2"), ("2021-Q3", "2021-Q3"), ("15/04/2021", "2021-04-15"),
])
def test_a_period_is_read_as_the_pages_name_it(typed, code):
    assert parse_period(typed, TODAY).label == code


@pytest.mark.parametrize("typed", ["Semester 3 2021", "Triwulan V 2021", "Maret", "tahun dua ribu", "2021-q5"])
def test_a_name_that_is_no_period_is_refused(typed):
    with pytest.raises(InvalidPeriod):
        parse_period(typed, TODAY)

"""IKU-1 and IKU-2 are defined as data, in the decree's own words."""
from pathlib import Path

import pytest

from projections.calculator import percent
from projections.indicators import INDICATORS

DECREE = Path(__file__).parents[2] / "docs" / "decree" / "DECREE-2021-IKU-Prokopim-Jember.txt"


def decree_text() -> str:
    return " ".join(DECREE.read_text(encoding="utf-8").split())


@pytest.mark.parametrize("indicator", INDICATORS, ids=lambda i: i.code)
def test_indicator_texts_quote_the_decree_exactly(indicator):
    text = decree_text()
    for quoted in (indicator.kinerja_utama, indicator.indikator, indicator.numerator_label,
                   indicator.denominator_label, indicator.penanggung_jawab, indicator.sumber_data):
        assert quoted in text, quoted


def test_the_two_indicators_of_the_decree_are_shipped():
    assert [(i.code, i.numerator_fact) for i in INDICATORS] == [
        ("IKU-1", "served"), ("IKU-2", "documented")]
    assert set(INDICATORS[1].breakdown) == {"media_luar_ruang", "foto", "video"}


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [(1, 800, 0.13), (1, 8, 12.5), (2, 3, 66.67), (1, 6, 16.67), (5, 5, 100.0), (0, 7, 0.0),
     (1, 400, 0.25), (3, 1600, 0.19)],
)
def test_percent_is_rounded_half_up_to_two_decimals(numerator, denominator, expected):
    assert percent(numerator, denominator) == expected


def test_percent_is_null_when_nothing_was_scheduled():
    assert percent(0, 0) is None

"""IKU-1 and IKU-2 are defined as data, in the decree's own words; the office's supporting
indicator (the ucapan) and the decree's goal indicator beside them (issue 14)."""
from pathlib import Path

import pytest

from projections.calculator import percent
from projections.indicators import INDICATORS

DECREE = Path(__file__).parents[2] / "docs" / "decree" / "DECREE-2021-IKU-Prokopim-Jember.txt"


def decree_text() -> str:
    return " ".join(DECREE.read_text(encoding="utf-8").split())


@pytest.mark.parametrize("indicator", [i for i in INDICATORS if i.kind == "iku"], ids=lambda i: i.code)
def test_indicator_texts_quote_the_decree_exactly(indicator):
    text = decree_text()
    for quoted in (indicator.kinerja_utama, indicator.indikator, indicator.numerator_label,
                   indicator.denominator_label, indicator.penanggung_jawab, indicator.sumber_data):
        assert quoted in text, quoted


def test_the_goal_indicator_quotes_the_decrees_tujuan_and_indikator_tujuan():
    goal = next(i for i in INDICATORS if i.kind == "tujuan")
    text = decree_text()
    assert f"Tujuan : {goal.kinerja_utama}" in text
    assert f"Indikator Tujuan : {goal.indikator}" in text
    assert goal.parts == ("IKU-1", "IKU-2", "PENDUKUNG-1")


def test_the_two_indicators_of_the_decree_are_shipped_with_the_offices_supporting_one_and_the_goal():
    assert [(i.code, i.numerator_fact, i.record, i.kind) for i in INDICATORS] == [
        ("IKU-1", "served", "activity", "iku"), ("IKU-2", "documented", "activity", "iku"),
        ("PENDUKUNG-1", "delivered_on_time", "ucapan", "pendukung"), ("TUJUAN-1", "", "", "tujuan")]
    assert set(INDICATORS[1].breakdown) == {"media_luar_ruang", "foto", "video"}
    supporting = INDICATORS[2].indikator
    assert "ucapan duka dan selamat" in supporting and supporting not in decree_text()


def test_a_goal_must_sum_indicators_defined_before_it():
    from projections.indicators import Indicator, check_indicators

    goal = INDICATORS[3]
    with pytest.raises(ValueError, match="not an indicator defined before it"):
        check_indicators([goal, *INDICATORS[:3]])
    with pytest.raises(ValueError, match="defined twice"):
        check_indicators([*INDICATORS, INDICATORS[0]])
    with pytest.raises(ValueError, match="is not of an activity"):
        Indicator(**{**INDICATORS[0].__dict__, "numerator_fact": "delivered_on_time"})


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [(1, 800, 0.13), (1, 8, 12.5), (2, 3, 66.67), (1, 6, 16.67), (5, 5, 100.0), (0, 7, 0.0),
     (1, 400, 0.25), (3, 1600, 0.19)],
)
def test_percent_is_rounded_half_up_to_two_decimals(numerator, denominator, expected):
    assert percent(numerator, denominator) == expected


def test_percent_is_null_when_nothing_was_scheduled():
    assert percent(0, 0) is None


def test_an_office_defines_its_goal_with_iku_tujuan_without_code():
    from api.config import Config

    indicators = Config.from_environment({"IKU_TUJUAN": " iku-1, PENDUKUNG-1 "}).indicators
    goal = next(i for i in indicators if i.parts)
    assert goal.parts == ("IKU-1", "PENDUKUNG-1")
    assert goal.formula == ("(Jumlah kegiatan yang mendapat pelayanan keprotokolan + Jumlah ucapan yang "
                            "tersampaikan tepat waktu) / (Jumlah kegiatan Bupati dan Wakil Bupati yang "
                            "diagendakan + Jumlah ucapan duka dan selamat yang diminta) × 100%")
    assert Config.from_environment({}).indicators == INDICATORS
    for wrong in ("IKU-1,TUJUAN-1", "IKU-9", "IKU-1,IKU-1", " , "):
        with pytest.raises(ValueError, match="IKU_TUJUAN"):
            Config.from_environment({"IKU_TUJUAN": wrong})


def test_a_goal_of_other_parts_sums_their_figures(tmp_path):
    """The calculator sums what the definition names (the default's figures are checked
    against the reference replay by the property test)."""
    from api.bootstrap import Services
    from api.config import Config
    from domain.context import acting_as
    from projections.periods import Period
    from tests.conftest import wib

    config = Config.from_environment({"IKU_TUJUAN": "IKU-2,PENDUKUNG-1"}, database=str(tmp_path / "g.sqlite3"),
                                     timezone="Asia/Jakarta", signing_key=tmp_path / "key.pem")
    services = Services(config=config)
    try:
        with acting_as("protokol"):
            a = services.agenda.schedule(title="t", leaders=["bupati"], starts_at=wib(2021, 3, 1, 9),
                                         location="l", scope="dalam_daerah").activity_id
            services.agenda.record_documentation(a, media="foto")
            services.agenda.request_ucapan(kind="duka", recipient="r", relation="instansi", occasion="o",
                                           leaders=["bupati"], due_on="2021-03-01")
        figures = {f.code: f for f in services.calculator.compute(Period.parse("2021-Q1")).figures}
        assert (figures["TUJUAN-1"].numerator, figures["TUJUAN-1"].denominator) == (1, 2)
    finally:
        services.close()

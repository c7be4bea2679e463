"""The timezone of a database is fixed when it is created (issue 11): two processes with
different IKU_TIMEZONE no longer rebuild the shared view back and forth."""
import pytest
from click.testing import CliRunner

from api.bootstrap import Services
from api.cli import main
from domain.exceptions import ZoneMismatch
from projections.periods import Period
from tests.conftest import schedule


def test_a_process_configured_with_another_zone_refuses_to_start_and_says_why(database):
    first = Services(database, "Asia/Jakarta")
    schedule(first, 3)
    with pytest.raises(ZoneMismatch, match="timezone is Asia/Jakarta.*IKU_TIMEZONE=Asia/Jakarta"):
        Services(database, "Asia/Jayapura")
    assert [f.denominator for f in first.calculator.compute(Period.parse("2021")).figures] == [3, 3, 0, 6]
    first.close()


def test_the_cli_says_so_too(database, monkeypatch):
    Services(database, "Asia/Jakarta").close()
    monkeypatch.setenv("IKU_DATABASE", database)
    monkeypatch.setenv("IKU_TIMEZONE", "Asia/Makassar")
    result = CliRunner().invoke(main, ["--period", "2021"])
    assert result.exit_code == 1 and "IKU_TIMEZONE=Asia/Jakarta" in result.output

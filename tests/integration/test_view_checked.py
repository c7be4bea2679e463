"""Issue 23, row 2 (both stores): `update activity_counts set n = n * 3` changed the API,
the dashboard and the LKjIP, survived a restart, and `iku verify` said ok; a report
submitted afterwards froze the forged figures. The view is now checked against a fold of
the log: by `iku verify`, at the service's start (a view that disagrees is rebuilt, and the
service says so), and before a report's figures are signed."""
import pytest
from click.testing import CliRunner

from api import create_app
from api.cli import main
from api.service_layer.commands import submit_report
from api.users import User
from domain.exceptions import NotSubmittable
from projections.periods import Period
from tests.conftest import RawSQL, ensure_accounts
from tests.integration.test_authorship import forge_documented
from tests.integration.test_witness import record

KABAG = User(name="kabag", role="pimpinan")


@pytest.fixture
def recorded(services):
    record(services, 6)  # 2021-03: six activities, three served
    services.projector.catch_up()
    return services


def iku1(services, period="2021-Q1"):
    figure = next(f for f in services.calculator.compute(Period.parse(period)).figures if f.code == "IKU-1")
    return figure.numerator, figure.denominator


def triple_the_counts(database):
    with RawSQL(database) as db:
        db.execute("UPDATE activity_counts SET n = n * 3")


def test_a_count_of_the_view_edited_beneath_the_service_is_named_by_iku_verify(recorded, database):
    assert iku1(recorded) == (3, 6)
    triple_the_counts(database)
    assert iku1(recorded) == (9, 18)  # what the review saw: the view is what answers
    result = recorded.verify()
    assert not result.ok
    assert result.reason.startswith("tampilan (angka-angka yang dilayani) berbeda dari log: tampilan "
                                    "activity_counts pada (20210301, 0, 1, 0, ")
    assert result.reason.endswith("tampilan berisi n = 3, log memberi 1 (basis data diubah di luar layanan: "
                                  "jalankan iku rebuild)")
    cli = CliRunner().invoke(main, ["verify"], env={"IKU_DATABASE": database})
    assert cli.exit_code == 1 and "berbeda dari log" in cli.stdout


def test_a_version_row_edited_beneath_the_service_is_named(recorded, database):
    with RawSQL(database) as db:
        position = db.execute("SELECT min(position) FROM activity_versions")[0][0]
        db.execute("UPDATE activity_versions SET title = 'Rapat Palsu' WHERE position = ?", (position,))
    assert recorded.verify().reason == (
        f"tampilan (angka-angka yang dilayani) berbeda dari log: tampilan activity_versions pada {position}: "
        "tampilan berisi title = 'Rapat Palsu', log memberi 'Rapat 0' (basis data diubah di luar layanan: "
        "jalankan iku rebuild)")


def test_the_service_rebuilds_at_start_a_view_that_disagrees_and_says_so(recorded, database, tmp_path):
    triple_the_counts(database)
    app = create_app({"IKU_DATABASE": database, "IKU_TIMEZONE": "Asia/Jakarta", "TESTING": True,
                      "IKU_EVIDENCE_DIR": str(tmp_path / "evidence")})
    try:
        services = app.extensions["iku"]
        found = services.check_view()  # what `iku serve` does before its workers start
        assert found and "activity_counts" in found[0]
        assert iku1(services) == (3, 6) and services.verify().ok
        health = app.test_client().get("/api/v1/health").json
        assert "activity_counts" in health["view_rebuilt"]
        assert services.check_view() == []  # rebuilt: nothing differs any more
    finally:
        app.extensions["iku"].close()


def test_iku_serve_checks_the_view_before_its_workers_start(recorded, database, monkeypatch):
    triple_the_counts(database)
    monkeypatch.setattr("gunicorn.app.base.BaseApplication.run", lambda self: None)  # no workers here
    result = CliRunner().invoke(main, ["serve", "--port", "0"], env={"IKU_DATABASE": database})
    assert result.exit_code == 0, result.output
    assert "Tampilan berbeda dari log (diubah di luar layanan): dibangun ulang dari log." in result.stderr
    assert iku1(recorded) == (3, 6)


def test_a_report_submitted_over_a_forged_view_states_the_logs_figures(recorded, database):
    ensure_accounts(recorded, kabag="pimpinan")
    triple_the_counts(database)
    submitted = submit_report(recorded, KABAG, Period.parse("2021-Q1"))
    figure = next(f for f in submitted.indicators if f["code"] == "IKU-1")
    assert (figure["numerator"], figure["denominator"]) == (3, 6)  # never the view's 9 of 18
    assert recorded.verify().ok  # and the view was rebuilt on the way


def test_no_report_is_submitted_over_an_event_the_service_did_not_write(recorded, database):
    ensure_accounts(recorded, kabag="pimpinan")
    position = forge_documented(recorded, database)
    with pytest.raises(NotSubmittable, match=f"peristiwa pada posisi {position} tidak ditulis oleh layanan"):
        submit_report(recorded, KABAG, Period.parse("2021-Q1"))
    assert not any(n.topic.endswith("ReportSubmitted")
                   for n in recorded.agenda.recorder.select_notifications(start=None, limit=10**6))

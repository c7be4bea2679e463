"""Issue 13, reports: a page per period with every submission (its figures and note),
every reopening (reason, who, when); submitting asks for confirmation, takes a note, is
refused for a period not ended or a kind the office does not report, with an error that
says which case applies; a printable bukti penyampaian."""
import re
from uuid import UUID

import pytest

from api.config import Config
from domain.context import acting_as
from tests.api.test_pages import activity_id, login, logins, token_of  # noqa: F401
from tests.conftest import log_of


def submit(client, label, note=""):
    html = client.get(f"/reports/{label}/submit").get_data(as_text=True)
    return client.post(f"/reports/{label}/submit", data={"csrf_token": token_of(html), "note": note})


def reopen(client, label, reason):
    html = client.get(f"/reports/{label}").get_data(as_text=True)
    return client.post(f"/reports/{label}/reopen", data={"csrf_token": token_of(html), "reason": reason})


def flat(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def test_the_history_shows_each_submission_its_note_and_each_reopening_with_its_reason(client, login, app, activity_id):
    login("pimpinan")
    app.extensions["iku"].users.change_profile("pimpinan", full_name="Drs. Budi Santoso, M.Si",
                                               nip="197805122003121004", jabatan="Kepala Bagian", reason="profil")
    confirm = flat(client.get("/reports/2021-Q2/submit"))
    assert "Ya, sampaikan laporan Triwulan II 2021" in confirm and "0 / 1 = 0,00%" in confirm  # nothing sent yet
    assert log_of(app.extensions["iku"].agenda)[-1].topic.endswith("ActivityScheduled")  # the page appends nothing
    assert submit(client, "2021-Q2", note="Satu kegiatan belum dilayani: agenda mendadak.").status_code == 303
    with acting_as("protokol"):
        app.extensions["iku"].agenda.record_protocol(UUID(activity_id), officers=["Ani"])
    assert reopen(client, "2021-Q2", "Pelayanan 5 April tercatat terlambat").status_code == 303
    assert submit(client, "2021-Q2").status_code == 303
    page = flat(client.get("/reports/2021-Q2"))
    assert "Riwayat laporan Triwulan II 2021" in page and "Status: disampaikan." in page
    assert page.count("Disampaikan ") == 2 and "oleh Drs. Budi Santoso, M.Si" in page
    assert "Dibuka kembali" in page and "Pelayanan 5 April tercatat terlambat" in page
    assert "Satu kegiatan belum dilayani: agenda mendadak." in page
    assert "0 / 1 = 0,00%" in page and "1 / 1 = 100,00%" in page  # each submission's own figures
    latest, earlier = page.split("Dibuka kembali", 1)  # latest first
    assert "1 / 1 = 100,00%" in latest and "1 / 1 = 100,00%" not in earlier and "0 / 1 = 0,00%" in earlier
    dashboard = flat(client.get("/dashboard?period=2021-Q2"))
    assert 'href="/reports/2021-Q2"' in dashboard and "oleh Drs. Budi Santoso, M.Si" in dashboard


def test_a_period_not_ended_a_month_or_a_range_is_refused_and_says_why(client, login, app):
    login("pimpinan")
    from api.service_layer.queries import today
    day = today(app.extensions["iku"])
    quarter = f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    page = flat(client.get(f"/reports/{quarter}/submit"))
    assert "Periode ini belum berakhir: laporannya dapat disampaikan mulai" in page and "Ya, sampaikan" not in page
    assert submit(client, quarter).status_code == 303
    assert "belum berakhir" in flat(client.get(f"/reports/{quarter}"))
    for label in ("2021-03", "2021-03-01..2021-03-31", "2021-03-17"):
        assert "per triwulan, semester atau tahun" in flat(client.get(f"/reports/{label}/submit"))
    assert log_of(app.extensions["iku"].agenda) == []


def test_the_api_refuses_alike_with_named_conflicts(client, auth, app):
    from api.service_layer.queries import today
    day = today(app.extensions["iku"])
    refused = client.post("/api/v1/reports", headers=auth("pimpinan"), json={"period": str(day.year)})
    assert refused.status_code == 409 and "has not ended" in refused.json["message"]
    month = client.post("/api/v1/reports", headers=auth("pimpinan"), json={"period": "2021-03"})
    assert month.status_code == 422 and "period" in str(month.json["errors"])
    assert client.post("/api/v1/reports", headers=auth("pimpinan"), json={"period": "2021-Q1", "note": "Baik"}).status_code == 201
    again = client.post("/api/v1/reports", headers=auth("pimpinan"), json={"period": "2021-Q1"})
    assert again.status_code == 409 and "already submitted" in again.json["message"]
    history = client.get("/api/v1/reports/2021-Q1", headers=auth("inspektorat")).json
    assert history["events"][-1]["note"] == "Baik"


def test_the_wrong_action_says_which_case_applies(client, login, app):
    login("pimpinan")
    assert "belum disampaikan, jadi tidak dapat dibuka kembali" in flat(client.get(
        reopen(client, "2021-Q1", "koreksi").headers["Location"]))
    submit(client, "2021-Q1")
    html = client.get("/reports/2021-Q1/submit").get_data(as_text=True)
    again = client.post("/reports/2021-Q1/submit", data={"csrf_token": token_of(html)})
    text = flat(client.get(again.headers["Location"]))
    assert "sudah disampaikan pada" in text and "buka kembali laporan dengan alasan" in text


def test_months_are_reported_where_the_office_enables_them_and_grace_days_are_kept(tmp_path):
    from api import create_app
    from api.service_layer import commands
    from api.users import User
    from domain.exceptions import InvalidActivityData
    from domain.reports import PeriodNotEnded
    from projections.periods import Period
    from tests.conftest import wib

    app = create_app(Config(database=str(tmp_path / "iku.sqlite3"), signing_key=tmp_path / "key.pem",
                            evidence_dir=tmp_path / "evidence", report_kinds=("triwulan", "bulan"),
                            report_grace_days=5))
    svc, boss = app.extensions["iku"], User("pimpinan", "pimpinan")
    commands.check_reportable(svc, Period.parse("2021-03"), wib(2021, 4, 6, 0))
    with pytest.raises(PeriodNotEnded):
        commands.check_reportable(svc, Period.parse("2021-03"), wib(2021, 4, 5, 23))  # within the 5 days
    with pytest.raises(InvalidActivityData):
        commands.check_reportable(svc, Period.parse("2021"), wib(2022, 2, 1, 0))  # years not enabled
    assert commands.submit_report(svc, boss, Period.parse("2021-03")).period.label == "2021-03"
    svc.close()
    assert Config.from_environment({"IKU_REPORT_PERIODS": "triwulan, bulan", "IKU_REPORT_GRACE_DAYS": "3"}
                                   ).report_kinds == ("triwulan", "bulan")
    with pytest.raises(ValueError):
        Config.from_environment({"IKU_REPORT_PERIODS": "minggu"})


def test_the_bukti_penyampaian_names_the_figures_who_when_and_the_log(client, login, app, activity_id):
    import pypdfium2

    login("pimpinan")
    app.extensions["iku"].users.change_profile("pimpinan", full_name="Drs. Budi Santoso, M.Si",
                                               nip="197805122003121004", jabatan="Kepala Bagian Protokol dan "
                                               "Komunikasi Pimpinan", reason="profil")
    submit(client, "2021-Q2", note="Analisis: semua kegiatan terjadwal.")
    page = client.get("/reports/2021-Q2").get_data(as_text=True)
    link = re.search(r'href="(/reports/2021-Q2/bukti-\d+\.pdf)"', page).group(1)
    response = client.get(link)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = pypdfium2.PdfDocument(response.data)
    text = " ".join(" ".join(page.get_textpage().get_text_range() for page in pdf).split())
    image = pdf[0].render(scale=1).to_pil().convert("L")
    assert image.height > image.width and sum(image.histogram()[:128]) > 2_000  # A4 portrait, drawn
    for expected in ("PEMERINTAH KABUPATEN JEMBER", "TRIWULAN II 2021", "Drs. Budi Santoso, M.Si",
                     "19780512 200312 1 004", "Kepala Bagian Protokol", "WIB", "0,00%", "IKU-1",
                     "Analisis: semua kegiatan terjadwal.", "peristiwa ke-", "Halaman 1"):
        assert expected in text, expected
    assert client.get("/reports/2021-Q2/bukti-1.pdf").status_code == 404  # not a submission


def test_text_a_person_typed_is_shown_as_text_in_the_pdfs(client, login, app, activity_id):
    """Review: a note 'realisasi <b turun' made every LKjIP PDF a 500 (reportlab markup)."""
    import pypdfium2

    login("pimpinan")
    app.extensions["iku"].users.change_profile("pimpinan", full_name="Budi <i Santoso", nip="", jabatan="Kabag & co",
                                               reason="profil")
    submit(client, "2021-Q2", note="realisasi <b turun & naik")
    page = client.get("/reports/2021-Q2").get_data(as_text=True)
    link = re.search(r'href="(/reports/2021-Q2/bukti-\d+\.pdf)"', page).group(1)
    for url in (link, "/reports/lkjip-2021.pdf"):
        response = client.get(url)
        assert response.status_code == 200, url
        text = " ".join(p.get_textpage().get_text_range() for p in pypdfium2.PdfDocument(response.data))
        assert "realisasi <b turun & naik" in " ".join(text.split()), url


def test_the_dashboard_says_why_who_and_when_a_report_was_reopened(client, login, app):
    login("pimpinan")
    submit(client, "2021-Q1")
    reopen(client, "2021-Q1", "Dokumentasi Februari tercatat terlambat")
    html = " ".join(client.get("/dashboard?period=2021-Q1").get_data(as_text=True).split())
    found = re.search(r'<span id="report-reopened">([^<]+)</span>', html).group(1)
    assert "Laporan dibuka kembali untuk koreksi" in found and "WIB oleh pimpinan: Dokumentasi Februari" in found


def test_a_resubmission_starts_from_the_last_note_and_a_target_changed_since_restates(client, login, app):
    """Usability review: the note was lost on a resubmission; a target changed after a
    submission restated nobody's capaian."""
    from decimal import Decimal

    login("pimpinan")
    submit(client, "2021-Q1", note="Catatan pertama\nbaris kedua")
    reopen(client, "2021-Q1", "koreksi")
    assert "Catatan pertama\nbaris kedua</textarea>" in client.get("/reports/2021-Q1/submit").get_data(as_text=True)
    submit(client, "2021-Q1", note="Catatan pertama\nbaris kedua")
    assert "Penyajian kembali" not in client.get("/dashboard?period=2021-Q1").get_data(as_text=True)
    with acting_as("pimpinan"):
        app.extensions["iku"].agenda.set_target(indicator="IKU-1", year=2021, target=Decimal("91"), reason="revisi")
    assert "Penyajian kembali" in client.get("/dashboard?period=2021-Q1").get_data(as_text=True)
    page = flat(client.get("/reports/2021-Q1"))
    assert "Lihat perubahan" in page  # from the report's instant to now: the target change is listed there
    latest, earlier = page.split("Dibuka kembali", 1)
    assert "berlaku" in latest and "digantikan" in earlier


def test_an_as_of_date_is_read_as_the_office_writes_it(client, login):
    """Usability review: an English browser's date box turned 15-04-2021 into 2021-12-04."""
    login("inspektorat")
    html = client.get("/access?as_of=15/04/2021").get_data(as_text=True)
    assert "Akses per Kamis, 15 April 2021 23.59 WIB" in " ".join(html.split())
    assert 'value="15/04/2021"' in html and 'type="date"' not in html
    assert 'value="10/04/2021"' in client.get("/dashboard?period=2021-Q1&as_of=2021-04-10").get_data(as_text=True)


def test_the_bukti_of_a_replaced_submission_says_so_and_keeps_the_proof_in_an_annex(client, login, app):
    """Usability review: a bukti of a replaced submission did not say so; hashes filled page 1."""
    import pypdfium2

    login("pimpinan")
    submit(client, "2021-Q1")
    first = re.search(r'href="(/reports/2021-Q1/bukti-\d+\.pdf)"', client.get("/reports/2021-Q1").get_data(as_text=True)).group(1)
    pages = [p.get_textpage().get_text_range() for p in pypdfium2.PdfDocument(client.get(first).data)]
    assert "Status: berlaku" in " ".join(pages[0].split()) and "Lampiran" in pages[-1] and len(pages) >= 2
    assert "Jember, " in pages[0]  # place, date and the signer's lines
    reopen(client, "2021-Q1", "Koreksi dokumentasi Februari")
    pages = [p.get_textpage().get_text_range() for p in pypdfium2.PdfDocument(client.get(first).data)]
    assert "Status: digantikan" in " ".join(pages[0].split()) and "Koreksi dokumentasi Februari" in " ".join(pages[0].split())


def test_the_dashboard_offers_no_submission_for_a_running_period(client, login, app):
    from api.service_layer.queries import today

    login("pimpinan")
    day = today(app.extensions["iku"])
    running = f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    assert 'id="report-submit"' not in client.get(f"/dashboard?period={running}").get_data(as_text=True)
    assert 'id="report-submit"' in client.get("/dashboard?period=2021-Q1").get_data(as_text=True)

"""The LKjIP report: the XLSX holds the API's figures; the PDF renders."""
import io
import re

import pytest
from openpyxl import load_workbook

from domain.context import acting_as
from tests.conftest import wib

QUARTER_STARTS = {"Q1": (2, 1), "Q2": (5, 1), "Q3": (8, 1), "Q4": (11, 1)}


@pytest.fixture
def year_of_activities(app):
    agenda = app.extensions["iku"].agenda
    with acting_as("protokol"):
        for q, (month, day) in QUARTER_STARTS.items():
            for i in range(1 + int(q[1])):
                w = agenda.schedule(title=f"{q}-{i}", leaders=["bupati"], starts_at=wib(2021, month, day + i, 9),
                                    location="Pendopo", scope="dalam_daerah")
                if i % 2 == 0:
                    agenda.record_protocol(w.activity_id, officers=["Ani"])
                if i % 3 == 0:
                    agenda.record_documentation(w.activity_id, media="foto")
        from decimal import Decimal

        agenda.set_target(indicator="IKU-1", year=2021, target=Decimal("80"))


def columns_of(sheet, top: int) -> dict[str, int]:
    """'TW I Realisasi (%)' → its column, from the two header rows (merged groups)."""
    out, group = {}, None
    for cell, sub in zip(sheet[top], sheet[top + 1], strict=True):
        group = cell.value or group
        out[f"{group} {sub.value}" if sub.value else group] = cell.column
    return out


def header_row(sheet) -> int:
    return next(r for r in range(1, 20) if sheet.cell(r, 1).value == "No")


def test_the_xlsx_holds_the_same_figures_as_the_api_with_formats_borders_merges_and_frozen_panes(
        client, auth, app, year_of_activities, tmp_path):
    from api.documents.lkjip import lkjip, write_xlsx

    report = lkjip(app.extensions["iku"], 2021)
    path = tmp_path / "lkjip.xlsx"
    write_xlsx(report, path)
    sheet = load_workbook(path)["LKjIP 2021"]
    top = header_row(sheet)
    columns = columns_of(sheet, top)
    as_of = report.as_of.isoformat().replace("+", "%2B")
    for row_number, code in ((top + 2, "IKU-1"), (top + 3, "IKU-2")):
        cells = {name: sheet.cell(row_number, column) for name, column in columns.items()}
        for q, roman in (("Q1", "I"), ("Q2", "II"), ("Q3", "III"), ("Q4", "IV")):
            api = {i["code"]: i for i in client.get(f"/api/v1/iku?period=2021-{q}&as_of={as_of}",
                                                     headers=auth("inspektorat")).json["indicators"]}[code]
            assert cells[f"TW {roman} Realisasi (%)"].value == api["percent"]
            assert cells[f"TW {roman} Capaian (%)"].value == api["capaian"]
            assert (cells[f"TW {roman} Pembilang"].value, cells[f"TW {roman} Penyebut"].value) == (
                api["numerator"], api["denominator"])
            assert cells[f"TW {roman} Realisasi (%)"].number_format == "0.00"
        year = {i["code"]: i for i in client.get(f"/api/v1/iku?period=2021&as_of={as_of}",
                                                  headers=auth("inspektorat")).json["indicators"]}[code]
        assert cells["Tahun 2021 Realisasi (%)"].value == year["percent"]
        assert cells["Target (%)"].value == year["target"]
        assert cells["Indikator"].value == year["name"]
        assert cells["Tahun 2020 (N−1) Realisasi (%)"].value is None  # nothing in 2020
        assert cells["TW I Pembilang"].border.left.style == "thin"
    assert "TW I" in [sheet.cell(top, c).value for c in range(1, 30)]
    assert any(str(m) == f"F{top}:I{top}" for m in sheet.merged_cells.ranges)  # TW I over its four columns
    assert sheet.freeze_panes == f"F{top + 2}"
    text = [str(sheet.cell(r, 1).value) for r in range(1, top)]
    assert text[0] == "PEMERINTAH KABUPATEN JEMBER"
    assert "Tujuan: Mendukung Bupati dan Wakil Bupati dalam pelaksanaan tugasnya" in text
    assert any(t.startswith("Indikator Tujuan: Persentase pelayanan protokoler pimpinan daerah") for t in text)
    assert any("peristiwa log audit" in t for t in text)
    assert "Sub Bagian Protokol" in [c.value for c in sheet[top + 2]]


def test_the_lkjip_carries_the_notes_restatements_previous_year_and_the_signature(app, year_of_activities, tmp_path):
    from api.documents.lkjip import Signer, lkjip, write_xlsx
    from api.service_layer import commands
    from api.users import User
    from projections.periods import Period

    svc = app.extensions["iku"]
    boss = User("pimpinan.user", "pimpinan")
    commands.submit_report(svc, boss, Period.parse("2021-Q1"), note="Dua kegiatan tanpa pelayanan: agenda mendadak.")
    with acting_as("protokol"):
        svc.agenda.schedule(title="Q1-late", leaders=["bupati"], starts_at=wib(2021, 3, 1, 9), location="Pendopo",
                            scope="dalam_daerah")  # recorded after the report: Q1 restated
        svc.agenda.schedule(title="2020", leaders=["bupati"], starts_at=wib(2020, 6, 1, 9), location="Pendopo",
                            scope="dalam_daerah")
    report = lkjip(svc, 2021, signer=Signer("Drs. Budi Santoso, M.Si", "197805122003121004",
                                            "Kepala Bagian Protokol dan Komunikasi Pimpinan"))
    assert report.notes == {"2021-Q1": "Dua kegiatan tanpa pelayanan: agenda mendadak."}
    assert len(report.restated) == 1 and report.restated[0].startswith("Triwulan I 2021 disajikan kembali")
    assert report.rows[0].previous.denominator == 1
    path = tmp_path / "lkjip.xlsx"
    write_xlsx(report, path)
    sheet = load_workbook(path)["LKjIP 2021"]
    values = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "TW I: Dua kegiatan tanpa pelayanan: agenda mendadak." in values
    assert any(v.startswith("Triwulan I 2021 disajikan kembali") for v in values)
    assert any(v.startswith("Jember, ") for v in values) and "NIP. 19780512 200312 1 004" in values
    assert "Drs. Budi Santoso, M.Si" in values


def test_the_pdf_renders_with_whole_headers_numbers_and_page_numbers(app, year_of_activities, tmp_path):
    import pypdfium2

    from api.documents.lkjip import lkjip, write_pdf

    path = tmp_path / "lkjip.pdf"
    write_pdf(lkjip(app.extensions["iku"], 2021), path)
    pdf = pypdfium2.PdfDocument(str(path))
    image = pdf[0].render(scale=1).to_pil().convert("L")
    assert image.width > image.height  # landscape
    assert sum(image.histogram()[:128]) > 2_000  # text and table lines were drawn
    lines = [line.strip() for page in pdf for line in page.get_textpage().get_text_range().splitlines()]
    text = " ".join(lines)
    assert "PEMERINTAH KABUPATEN JEMBER" in text and "Halaman 1" in text and "Indikator Tujuan:" in text
    assert "Realisasi (pembilang/penyebut) dan capaian" in text  # no header broken mid-word
    assert not [line for line in lines if line in ("Realis", "asi", "%", "8%")]
    assert re.search(r"\d{1,3},\d{2}%", text) and not re.search(r"\d\.\d{2}%", text)  # decimal commas, whole


def test_reports_from_the_command_line(cli_env, year_of_activities, tmp_path):
    from click.testing import CliRunner

    from api.cli import main

    for fmt in ("xlsx", "pdf"):
        out = tmp_path / f"r.{fmt}"
        result = CliRunner().invoke(main, ["report", "--year", "2021", "--format", fmt, "--out", str(out)], env=cli_env)
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 2_000
    assert CliRunner().invoke(main, ["report", "--year", "21", "--format", "xlsx"], env=cli_env).exit_code == 2


def test_the_dashboard_offers_both_downloads(client, tokens, app, year_of_activities):
    users = app.extensions["iku"].users
    users.set_password("inspektorat.user", "sandi-panjang-sekali")
    import re

    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/login", data={"csrf_token": csrf, "name": "inspektorat.user", "password": "sandi-panjang-sekali"})
    html = client.get("/dashboard?period=2021").get_data(as_text=True)
    assert "/reports/lkjip-2021.xlsx" in html and "/reports/lkjip-2021.pdf" in html
    xlsx = client.get("/reports/lkjip-2021.xlsx")
    assert xlsx.status_code == 200 and header_row(load_workbook(io.BytesIO(xlsx.data))["LKjIP 2021"]) > 1
    pdf = client.get("/reports/lkjip-2021.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_the_goal_indicator_stands_under_the_tujuan_and_the_supporting_one_is_labelled_the_offices(
        app, year_of_activities, tmp_path):
    """Issue 14: TUJUAN-1 with its formula and figures under the decree's Tujuan (not a row
    of the IKU table); PENDUKUNG-1 in the table, marked as the office's, not an IKU."""
    import pypdfium2

    from api.documents.lkjip import lkjip, write_pdf, write_xlsx

    agenda = app.extensions["iku"].agenda
    with acting_as("protokol"):
        ucapan = agenda.request_ucapan(kind="selamat", recipient="Kapolres Jember", relation="pejabat",
                                       occasion="Pelantikan", leaders=["bupati"], due_on="2021-05-03").activity_id
        agenda.deliver_ucapan(ucapan, channel="surat", delivered_by=["Ani"], delivered_at=wib(2021, 5, 3, 9))
    report = lkjip(app.extensions["iku"], 2021)
    goal = report.goals[0].year
    assert [r.indicator.code for r in report.rows] == ["IKU-1", "IKU-2", "PENDUKUNG-1"]
    assert goal.numerator == sum(r.year.numerator for r in report.rows)
    assert goal.denominator == 2 * report.rows[0].year.denominator + report.rows[2].year.denominator == 29
    path = tmp_path / "lkjip.xlsx"
    write_xlsx(report, path)
    sheet = load_workbook(path)["LKjIP 2021"]
    text = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    (line,) = [t for t in text if t.startswith("Indikator Tujuan:")]
    assert "komunikasi pimpinan daerah kepada pihak terkait" in line and "2 × Jumlah kegiatan" in line
    assert f"Realisasi tahun 2021: {goal.percent:.2f}".replace(".", ",") in line
    top = header_row(sheet)
    assert sheet.cell(top + 4, 1).value == "Pendukung"
    assert sheet.cell(top + 4, 3).value.startswith("Indikator pendukung kantor (bukan IKU Keputusan)")
    assert "TUJUAN-1" in [c.value for c in load_workbook(path)["Rincian"]["A"]]
    pdf_path = tmp_path / "lkjip.pdf"
    write_pdf(report, pdf_path)
    pdf = pypdfium2.PdfDocument(str(pdf_path))
    words = " ".join(" ".join(page.get_textpage().get_text_range().split()) for page in pdf)
    assert "Realisasi tahun 2021:" in words and "Indikator pendukung kantor" in words

"""The LKjIP report: the XLSX holds the API's figures; the PDF renders."""
import io

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


def test_the_xlsx_holds_the_same_figures_as_the_api(client, auth, app, year_of_activities, tmp_path):
    from api.documents.lkjip import lkjip, write_xlsx

    report = lkjip(app.extensions["iku"], 2021)
    path = tmp_path / "lkjip.xlsx"
    write_xlsx(report, path)
    sheet = load_workbook(path)["LKjIP 2021"]
    header = [c.value for c in sheet[3]]
    as_of = report.as_of.isoformat().replace("+", "%2B")
    for row_number, code in ((4, "IKU-1"), (5, "IKU-2")):
        cells = dict(zip(header, [c.value for c in sheet[row_number]], strict=True))
        for q, roman in (("Q1", "I"), ("Q2", "II"), ("Q3", "III"), ("Q4", "IV")):
            api = {i["code"]: i for i in client.get(f"/api/v1/iku?period=2021-{q}&as_of={as_of}",
                                                     headers=auth("inspektorat")).json["indicators"]}[code]
            assert cells[f"TW {roman} Realisasi (%)"] == api["percent"]
            assert cells[f"TW {roman} Capaian (%)"] == api["capaian"]
        year = {i["code"]: i for i in client.get(f"/api/v1/iku?period=2021&as_of={as_of}",
                                                  headers=auth("inspektorat")).json["indicators"]}[code]
        assert cells["Tahun Realisasi (%)"] == year["percent"]
        assert cells["Target (%)"] == year["target"]
        assert cells["Indikator"] == year["name"]
    assert header[:5] == ["No", "Kinerja Utama", "Indikator", "Formula", "Target (%)"]
    assert "Sub Bagian Protokol" in [c.value for c in sheet[4]]


def test_the_pdf_renders_its_first_page(app, year_of_activities, tmp_path):
    import pypdfium2

    from api.documents.lkjip import lkjip, write_pdf

    path = tmp_path / "lkjip.pdf"
    write_pdf(lkjip(app.extensions["iku"], 2021), path)
    image = pypdfium2.PdfDocument(str(path))[0].render(scale=1).to_pil().convert("L")
    assert image.width > image.height  # landscape
    dark = sum(image.histogram()[:128])
    assert dark > 2_000  # text, table lines and the chart were drawn


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
    assert xlsx.status_code == 200 and load_workbook(io.BytesIO(xlsx.data))["LKjIP 2021"]["A3"].value == "No"
    pdf = client.get("/reports/lkjip-2021.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")

"""The LKjIP table (Laporan Kinerja Instansi Pemerintah) of a year, as an XLSX workbook and a
PDF: per indicator, Kinerja Utama, Indikator, Formula, Target, Realisasi and Capaian per
triwulan and for the year, penanggung jawab and sumber data. Every figure is computed as
known at one instant, the same for the whole table."""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from projections.periods import Period

QUARTERS = ("Q1", "Q2", "Q3", "Q4")
ROMAN = {"Q1": "I", "Q2": "II", "Q3": "III", "Q4": "IV"}


@dataclass(frozen=True)
class LkjipRow:
    indicator: object  # projections.indicators.Indicator
    target: float | None
    quarters: dict[str, object]  # "Q1" → Figure
    year: object  # Figure


@dataclass(frozen=True)
class Lkjip:
    year: int
    as_of: datetime
    rows: list[LkjipRow]
    months: list[tuple[str, list]]  # (label, figures) for the trend
    simulated: bool


def lkjip(services, year: int, as_of: datetime | None = None) -> Lkjip:
    calculator = services.calculator
    fixed, _ = calculator.fix(as_of)
    by_period = {q: calculator.compute(Period.parse(f"{year}-{q}"), fixed).figures for q in QUARTERS}
    whole = calculator.compute(Period.parse(str(year)), fixed)
    rows = [LkjipRow(indicator=f.indicator, target=None if f.target is None else float(f.target),
                     quarters={q: by_period[q][i] for q in QUARTERS}, year=f)
            for i, f in enumerate(whole.figures)]
    months = [(m.label, figures) for m, figures in calculator.monthly(Period.parse(str(year)), fixed)]
    return Lkjip(year, fixed, rows, months, services.agenda.recorded_times_are_simulated)


def _pct(value) -> str:
    return "—" if value is None else f"{value:.2f}%"


HEADER = (["No", "Kinerja Utama", "Indikator", "Formula", "Target (%)"]
          + [f"TW {ROMAN[q]} {kind}" for q in QUARTERS for kind in ("Realisasi (%)", "Capaian (%)")]
          + ["Tahun Realisasi (%)", "Tahun Capaian (%)", "Penanggung Jawab", "Sumber Data"])


def table_rows(report: Lkjip) -> list[list]:
    out = []
    for number, row in enumerate(report.rows, start=1):
        cells = [number, row.indicator.kinerja_utama, row.indicator.indikator, row.indicator.formula, row.target]
        for q in QUARTERS:
            cells += [row.quarters[q].percent, row.quarters[q].capaian]
        cells += [row.year.percent, row.year.capaian, row.indicator.penanggung_jawab, row.indicator.sumber_data]
        out.append(cells)
    return out


def write_xlsx(report: Lkjip, path) -> None:
    from openpyxl import Workbook  # here, not at the top: every worker imports this module
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = f"LKjIP {report.year}"
    sheet.append([f"Tabel Indikator Kinerja Utama {report.year} — Bagian Protokol dan Komunikasi Pimpinan, "
                  "Sekretariat Daerah Kabupaten Jember"])
    sheet.append([f"Sebagaimana diketahui pada {report.as_of.isoformat()}"
                  + (" (data demo: waktu pencatatan disimulasikan)" if report.simulated else "")])
    sheet.append(HEADER)
    for cells in table_rows(report):
        sheet.append(cells)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for column, width in zip("ABCDEFGHIJKLMNOPQR", (4, 40, 40, 50) + (12,) * 11 + (28, 28), strict=False):
        sheet.column_dimensions[column].width = width
    detail = book.create_sheet("Rincian")
    detail.append(["Kode", "Periode", "Pembilang", "Penyebut", "Dibatalkan", "Realisasi (%)", "Target (%)",
                   "Capaian (%)"])
    for row in report.rows:
        for label, figure in [*((f"{report.year}-{q}", row.quarters[q]) for q in QUARTERS),
                              (str(report.year), row.year)]:
            detail.append([row.indicator.code, label, figure.numerator, figure.denominator, figure.cancelled,
                           figure.percent, None if figure.target is None else float(figure.target),
                           figure.capaian])
    book.save(path)


def write_pdf(report: Lkjip, path) -> None:
    from reportlab.graphics.charts.legends import Legend  # heavy: imported when a PDF is made
    from reportlab.graphics.charts.linecharts import HorizontalLineChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=7, leading=8.5)
    doc = SimpleDocTemplate(str(path), pagesize=landscape(A4), leftMargin=1 * cm, rightMargin=1 * cm,
                            topMargin=1 * cm, bottomMargin=1 * cm,
                            title=f"LKjIP {report.year} — IKU Bagian Protokol dan Komunikasi Pimpinan")
    story = [Paragraph(f"Tabel Indikator Kinerja Utama {report.year}", styles["Title"]),
             Paragraph("Bagian Protokol dan Komunikasi Pimpinan, Sekretariat Daerah Kabupaten Jember",
                       styles["Normal"]),
             Paragraph(f"Sebagaimana diketahui pada {report.as_of.isoformat()}"
                       + (" — data demo: waktu pencatatan disimulasikan" if report.simulated else ""),
                       styles["Normal"]), Spacer(1, 0.3 * cm)]
    header = [Paragraph(h, small) for h in HEADER]
    body = []
    for cells in table_rows(report):
        body.append([Paragraph(str(c), small) if isinstance(c, str) else
                     Paragraph(str(c) if isinstance(c, int) else _pct(c), small) for c in cells])
    widths = [0.7 * cm, 3.0 * cm, 3.0 * cm, 3.6 * cm, 1.2 * cm] + [1.15 * cm] * 10 + [2.2 * cm, 2.2 * cm]  # 27.4 cm: A4 landscape less margins
    table = Table([header, *body], colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6f2ee")),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [table, Spacer(1, 0.5 * cm), Paragraph("Tren bulanan (%)", styles["Heading3"])]
    drawing = Drawing(24 * cm, 6.5 * cm)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 1.2 * cm, 1 * cm, 20 * cm, 5 * cm
    chart.data = [[f[i].percent or 0 for _label, f in report.months] for i in range(len(report.rows))]
    chart.categoryAxis.categoryNames = [label[5:] for label, _f in report.months]
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    palette = (colors.HexColor("#0b6e4f"), colors.HexColor("#c05621"), colors.HexColor("#2b6cb0"))
    for i in range(len(report.rows)):
        chart.lines[i].strokeColor = palette[i % len(palette)]
        chart.lines[i].strokeWidth = 1.5
    legend = Legend()
    legend.x, legend.y = 21.8 * cm, 5.5 * cm
    legend.colorNamePairs = [(palette[i % len(palette)], r.indicator.code) for i, r in enumerate(report.rows)]
    drawing.add(chart)
    drawing.add(legend)
    story.append(drawing)
    doc.build(story)


MIMETYPES = {"pdf": "application/pdf",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def lkjip_document(services, year: int, fmt: str, as_of: datetime | None = None) -> tuple[bytes, str]:
    """The LKjIP of a year as the bytes of an XLSX or PDF file, and its media type."""
    table = lkjip(services, year, as_of)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"lkjip-{year}.{fmt}"
        (write_xlsx if fmt == "xlsx" else write_pdf)(table, path)
        return path.read_bytes(), MIMETYPES[fmt]

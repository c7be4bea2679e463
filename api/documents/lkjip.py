"""The LKjIP table (Laporan Kinerja Instansi Pemerintah) of a year, paste-ready, as an XLSX
workbook and a PDF (the table shape of PermenPAN-RB 53/2014): the kop, the decree's Tujuan
and Indikator Tujuan, then per indicator Kinerja Utama, Indikator, Formula, the target, and
per triwulan and for the year the pembilang, penyebut, realisasi and capaian, the previous
year's (N−1) realisasi and capaian, the pimpinan's penjelasan (the notes of the periods'
submitted reports), penanggung jawab and sumber data; below, the triwulan restated since
their reports, the log size and signed checkpoint the figures were computed over, and the
place, date and signature block. Every figure is as known at one instant, printed on it.
In Indonesian, whatever the reader's language: it is the office's document.

Longer than 300 lines because the table is one shape written twice, as a workbook (merged
headers, number formats, borders, frozen panes) and as a PDF (spans, page numbers); both
read the one `Lkjip` built here, so that they cannot disagree."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from projections.periods import Period

from . import formats

QUARTERS = ("Q1", "Q2", "Q3", "Q4")
ROMAN = {"Q1": "I", "Q2": "II", "Q3": "III", "Q4": "IV"}
KOP = ("PEMERINTAH KABUPATEN JEMBER", "SEKRETARIAT DAERAH",
       "BAGIAN PROTOKOL DAN KOMUNIKASI PIMPINAN")
# The decree's texts (../shared/DECREE-2021-IKU-Prokopim-Jember.txt), quoted exactly.
TUJUAN = "Mendukung Bupati dan Wakil Bupati dalam pelaksanaan tugasnya"
INDIKATOR_TUJUAN = ("Persentase pelayanan protokoler pimpinan daerah, komunikasi pimpinan daerah kepada "
                    "pihak terkait, dan pendokumentasian tugas/kegiatan pimpinan daerah")
PLACE = "Jember"
SIGNER_TITLE = "Kepala Bagian Protokol dan Komunikasi Pimpinan"


@dataclass(frozen=True)
class Signer:
    name: str
    nip: str
    jabatan: str


@dataclass(frozen=True)
class LkjipRow:
    indicator: object  # projections.indicators.Indicator
    target: float | None
    quarters: dict[str, object]  # "Q1" → Figure
    year: object  # Figure
    previous: object  # the year before's Figure (N−1), as known at the same instant


@dataclass(frozen=True)
class Lkjip:
    year: int
    as_of: datetime
    rows: list[LkjipRow]
    simulated: bool
    notes: dict[str, str]  # period label → the penjelasan of its last submitted report
    restated: list[str]  # a sentence per period whose figures differ from its submitted report
    log_size: int  # events in the log at as_of: the tree size the figures were computed over
    checkpoint: str | None  # the first lines of the signed checkpoint covering log_size
    signer: Signer | None
    made_at: datetime
    zone: object
    goals: list[LkjipRow] = ()  # the goal indicators (Indikator Tujuan): under the Tujuan, not in the table

    def when(self, instant: datetime) -> str:
        return formats.when(instant, self.zone)


def lkjip(services, year: int, as_of: datetime | None = None, signer: Signer | None = None,
          made_at: datetime | None = None) -> Lkjip:
    from ..service_layer.queries import differs, figure_rows, report_state  # the reports' own reads

    calculator = services.calculator
    fixed, _ = calculator.fix(as_of)
    labels = [f"{year}-{q}" for q in QUARTERS]
    by_period = {q: calculator.compute(Period.parse(label), fixed).figures for q, label in zip(QUARTERS, labels)}
    whole = calculator.compute(Period.parse(str(year)), fixed)
    previous = calculator.compute(Period.parse(str(year - 1)), fixed).figures
    every = [LkjipRow(indicator=f.indicator, target=None if f.target is None else float(f.target),
                      quarters={q: by_period[q][i] for q in QUARTERS}, year=f, previous=previous[i])
             for i, f in enumerate(whole.figures)]
    # The IKU, then the office's supporting indicators, in the table; the goal above it.
    rows = [r for r in every if r.indicator.kind == "iku"] + [r for r in every if r.indicator.kind == "pendukung"]
    goals = [r for r in every if r.indicator.kind == "tujuan"]
    notes, restated = {}, []
    for label, figures in [*zip(labels, by_period.values()), (str(year), whole.figures)]:
        period = Period.parse(label)
        state = report_state(services, period, fixed)
        if state is None:
            continue
        note = next((e.data.get("note") for e in reversed(services.agenda.report_history(label, fixed))
                     if e.type == "ReportSubmitted"), None)
        if note:
            notes[label] = note
        if differs(state.indicators, figure_rows(figures)):
            said = ", ".join(f"{f['code']} {formats.percent(f.get('percent'))}" for f in state.indicators)
            restated.append(f"{formats.period_name(period)} disajikan kembali: laporan yang disampaikan "
                            f"{formats.when(state.recorded_at, services.zone)} menyatakan {said}; angka di tabel "
                            "ini adalah angka sebagaimana tercatat kemudian (koreksi yang tercatat di log audit).")
    size = services.agenda.size_at(fixed)
    covering = services.checkpoints.covering(size) if size else None
    return Lkjip(year, fixed, rows, services.agenda.recorded_times_are_simulated, notes, restated, size,
                 None if covering is None else "\n".join(covering.text.splitlines()[:3]), signer,
                 made_at or datetime.now(fixed.tzinfo), services.zone, goals)


def signer_for(services, user, year: int) -> Signer | None:
    """Who signs: the pimpinan making it, else who submitted the year's latest report (by
    their profile: full name, NIP, jabatan); None leaves the lines to be filled by hand."""
    chosen = services.users.get(user.name) if user is not None and user.role == "pimpinan" else None
    if chosen is None:
        submitted = [e for label in [*(f"{year}-{q}" for q in QUARTERS), str(year)]
                     for e in services.agenda.report_history(label) if e.type == "ReportSubmitted"]
        if submitted:
            chosen = services.users.get(max(submitted, key=lambda e: e.position).actor)
    if chosen is None:
        return None
    return Signer(chosen.display_name, chosen.nip, chosen.jabatan)


def penjelasan(report: Lkjip) -> str:
    """The notes of the year's submitted reports, one per period, in period order."""
    names = {f"{report.year}-{q}": f"TW {ROMAN[q]}" for q in QUARTERS} | {str(report.year): "Tahun"}
    return "\n".join(f"{names[label]}: {note}" for label, note in report.notes.items())


def goal_lines(report: Lkjip) -> list[str]:
    """The Indikator Tujuan: the decree's text, and each goal indicator's formula and figures
    (per triwulan, the year, the year before) as the table shows an indicator's."""
    if not report.goals:
        return [f"Indikator Tujuan: {INDIKATOR_TUJUAN}"]

    def shown(figure) -> str:
        return f"{formats.percent(figure.percent)} ({figure.numerator}/{figure.denominator})"

    out = []
    for goal in report.goals:
        quarters = "; ".join(f"TW {ROMAN[q]} {shown(goal.quarters[q])}" for q in QUARTERS)
        out.append(f"Indikator Tujuan: {goal.indicator.indikator}. Rumus: {goal.indicator.formula}. "
                   f"Realisasi tahun {report.year}: {shown(goal.year)} ({quarters}); tahun {report.year - 1}: "
                   f"{shown(goal.previous)}. Target: {formats.percent(goal.target)}; capaian: "
                   f"{formats.percent(goal.year.capaian)}.")
    return out


def number_of(row: LkjipRow, rows: list[LkjipRow]) -> str:
    """The No column: the IKU numbered 1, 2 …; a supporting indicator marked as the office's."""
    if row.indicator.kind == "pendukung":
        return "Pendukung"
    return str(1 + [r for r in rows if r.indicator.kind == "iku"].index(row))


def indikator_text(row: LkjipRow) -> str:
    if row.indicator.kind == "pendukung":
        return f"Indikator pendukung kantor (bukan IKU Keputusan): {row.indicator.indikator}"
    return row.indicator.indikator


def computed_over(report: Lkjip) -> str:
    text = (f"Data per {report.when(report.as_of)}; dihitung dari {report.log_size} peristiwa log audit "
            "(ukuran pohon Merkle pada saat itu)")
    if report.checkpoint:
        text += f", tercakup titik periksa (checkpoint) bertanda tangan: {' · '.join(report.checkpoint.splitlines())}"
    return text + (". Data demo: waktu pencatatan disimulasikan." if report.simulated else ".")


def _number(value) -> float | None:
    return None if value is None else float(value)


# The workbook ---------------------------------------------------------------------------

GROUP = ("Pembilang", "Penyebut", "Realisasi (%)", "Capaian (%)")
LEAD = ("No", "Kinerja Utama", "Indikator", "Formula", "Target (%)")
TAIL = ("Penjelasan / analisis capaian", "Penanggung Jawab", "Sumber Data")


def header_groups(report: Lkjip) -> list[tuple[str, tuple[str, ...]]]:
    """The table's columns: (group, its sub-columns); a group of one column spans both rows."""
    return ([(name, ()) for name in LEAD]
            + [(f"TW {ROMAN[q]}", GROUP) for q in QUARTERS]
            + [(f"Tahun {report.year}", GROUP), (f"Tahun {report.year - 1} (N−1)", GROUP[2:])]
            + [(name, ()) for name in TAIL])


def table_rows(report: Lkjip) -> list[list]:
    out = []
    note = penjelasan(report)
    for number, row in enumerate(report.rows, start=1):
        label = number_of(row, report.rows)
        cells = [int(label) if label.isdigit() else label, row.indicator.kinerja_utama, indikator_text(row),
                 row.indicator.formula, row.target]
        for figure in [*(row.quarters[q] for q in QUARTERS), row.year]:
            cells += [figure.numerator, figure.denominator, _number(figure.percent), _number(figure.capaian)]
        cells += [_number(row.previous.percent), _number(row.previous.capaian)]
        cells += [note if number == 1 else None, row.indicator.penanggung_jawab, row.indicator.sumber_data]
        out.append(cells)
    return out


def write_xlsx(report: Lkjip, path) -> None:
    from openpyxl import Workbook  # here, not at the top: every worker imports this module
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = f"LKjIP {report.year}"
    groups = header_groups(report)
    width = sum(max(1, len(sub)) for _, sub in groups)
    lines = [*KOP, f"TABEL CAPAIAN INDIKATOR KINERJA UTAMA TAHUN {report.year}", f"Tujuan: {TUJUAN}",
             *goal_lines(report), computed_over(report)]
    for number, text in enumerate(lines, start=1):
        sheet.cell(number, 1, text).font = Font(bold=number <= len(KOP) + 1)
        sheet.merge_cells(start_row=number, start_column=1, end_row=number, end_column=width)
        sheet.cell(number, 1).alignment = Alignment(horizontal="center" if number <= len(KOP) + 1 else "left",
                                                    wrap_text=True)
    top = len(lines) + 2  # the two header rows
    thin = Side(style="thin", color="808080")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    head = PatternFill("solid", fgColor="E6F2EE")
    column = 1
    for group, sub in groups:
        if sub:
            sheet.cell(top, column, group)
            sheet.merge_cells(start_row=top, start_column=column, end_row=top, end_column=column + len(sub) - 1)
            for i, name in enumerate(sub):
                sheet.cell(top + 1, column + i, name)
            column += len(sub)
        else:
            sheet.cell(top, column, group)
            sheet.merge_cells(start_row=top, start_column=column, end_row=top + 1, end_column=column)
            column += 1
    for r in (top, top + 1):
        for c in range(1, width + 1):
            cell = sheet.cell(r, c)
            cell.font, cell.fill, cell.border = Font(bold=True), head, box
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    percent_columns = {c for c in range(1, width + 1) if "(%)" in str(sheet.cell(top + 1, c).value or "")
                       or sheet.cell(top, c).value == "Target (%)"}
    for offset, cells in enumerate(table_rows(report)):
        r = top + 2 + offset
        for c, value in enumerate(cells, start=1):
            cell = sheet.cell(r, c, value)
            cell.border = box
            cell.alignment = Alignment(vertical="top", wrap_text=isinstance(value, str))
            if c in percent_columns:
                cell.number_format = "0.00"  # shown with a decimal comma by an Indonesian Excel
            elif isinstance(value, int):
                cell.number_format = "0"
    last = top + 2 + len(report.rows)
    note_column = width - len(TAIL) + 1
    if len(report.rows) > 1:  # one penjelasan for the year's table
        sheet.merge_cells(start_row=top + 2, start_column=note_column, end_row=last - 1, end_column=note_column)
    below = [*report.restated]
    for offset, text in enumerate(below):
        sheet.cell(last + 1 + offset, 1, text)
        sheet.merge_cells(start_row=last + 1 + offset, start_column=1, end_row=last + 1 + offset, end_column=width)
        sheet.cell(last + 1 + offset, 1).alignment = Alignment(wrap_text=True)
    sign_column = width - len(TAIL) + 1  # under the (wide) penjelasan column
    for offset, text in enumerate(signature_lines(report)):
        sheet.cell(last + len(below) + 2 + offset, sign_column, text)
    sheet.freeze_panes = sheet.cell(top + 2, len(LEAD) + 1)  # the header rows and the indicator's columns
    widths = (5, 34, 34, 40, 10) + (11,) * (width - len(LEAD) - len(TAIL)) + (48, 24, 28)
    for c, w in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(c)].width = w
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True  # one page wide when printed
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.print_title_rows = f"{top}:{top + 1}"
    detail = book.create_sheet("Rincian")
    detail.append(["Kode", "Periode", "Pembilang", "Penyebut", "Dibatalkan", "Realisasi (%)", "Target (%)",
                   "Capaian (%)"])
    for cell in detail[1]:
        cell.font, cell.fill, cell.border = Font(bold=True), head, box
    for row in [*report.rows, *report.goals]:
        for label, figure in [*((f"{report.year}-{q}", row.quarters[q]) for q in QUARTERS),
                              (str(report.year), row.year), (str(report.year - 1), row.previous)]:
            detail.append([row.indicator.code, formats.period_name(Period.parse(label)), figure.numerator,
                           figure.denominator, figure.cancelled,
                           _number(figure.percent), _number(figure.target), _number(figure.capaian)])
    for cells in detail.iter_rows(min_row=2, min_col=6, max_col=8):
        for cell in cells:
            cell.number_format = "0.00"
    detail.freeze_panes = "A2"
    formats.no_formulas(book)
    book.save(path)


def signature_lines(report: Lkjip) -> list[str]:
    """Place and date (WIB), the signer's jabatan, room to sign, name and NIP."""
    day = formats.date_long(report.made_at.astimezone(report.zone))
    signer = report.signer
    jabatan = (signer.jabatan if signer and signer.jabatan else SIGNER_TITLE)
    lines = [f"{PLACE}, {day}", jabatan, "", ""]
    lines.append(signer.name if signer else "(nama)")
    lines.append(f"NIP. {formats.nip(signer.nip)}" if signer and signer.nip else "NIP. ")
    return lines


# The PDF -------------------------------------------------------------------------------


def write_pdf(report: Lkjip, path) -> None:
    from reportlab.lib import colors  # heavy: imported when a PDF is made
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    small = ParagraphStyle("small", parent=styles["BodyText"], fontSize=7, leading=8.5)
    head = ParagraphStyle("head", parent=small, fontName="Helvetica-Bold", alignment=1)
    number = ParagraphStyle("number", parent=small, alignment=2)
    centre = ParagraphStyle("centre", parent=styles["Heading3"], fontName="Helvetica-Bold", alignment=1,
                            spaceBefore=0, spaceAfter=0, fontSize=11, leading=13)
    story = [Paragraph(line, centre) for line in KOP]
    story += [Spacer(1, 0.1 * cm),
              Paragraph(f"TABEL CAPAIAN INDIKATOR KINERJA UTAMA TAHUN {report.year}",
                        ParagraphStyle("title", parent=styles["Heading2"], spaceBefore=2, spaceAfter=2)),
              Paragraph(f"<b>Tujuan:</b> {TUJUAN}", styles["BodyText"]),
              *(Paragraph(f"<b>Indikator Tujuan:</b> {formats.markup(line.removeprefix('Indikator Tujuan: '))}",
                          styles["BodyText"]) for line in goal_lines(report)),
              Paragraph(formats.markup(computed_over(report)), small), Spacer(1, 0.2 * cm)]
    periods = [f"TW {ROMAN[q]}" for q in QUARTERS] + [f"Tahun {report.year}", f"Tahun {report.year - 1}"]
    header = [[Paragraph(h, head) for h in ("No", "Kinerja Utama", "Indikator dan formula", "Target")]
              + [Paragraph("Realisasi (pembilang/penyebut) dan capaian", head)] + [""] * (len(periods) - 1)
              + [Paragraph("Penjelasan / analisis capaian", head)],
              ["", "", "", ""] + [Paragraph(p, head) for p in periods] + [""]]
    body = []
    note = formats.markup(penjelasan(report))
    for i, row in enumerate(report.rows, start=1):
        figures = [*(row.quarters[q] for q in QUARTERS), row.year, row.previous]
        ind = row.indicator
        body.append([Paragraph(number_of(row, report.rows), small), Paragraph(formats.markup(ind.kinerja_utama), small),
                     Paragraph(f"{formats.markup(indikator_text(row))}<br/><i>{formats.markup(ind.formula)}</i><br/>"
                               f"{formats.markup(ind.penanggung_jawab)}; {formats.markup(ind.sumber_data)}", small),
                     Paragraph(_nobreak(formats.percent(row.target)), number)]
                    + [Paragraph(f"{_nobreak(formats.percent(f.percent))}<br/>({f.numerator}/{f.denominator})"
                                 f"<br/><i>{formats.percent(f.capaian)}</i>", number)
                       for f in figures]
                    + [Paragraph(note if i == 1 else "", small)])
    widths = [0.9 * cm, 3.1 * cm, 5.0 * cm, 1.5 * cm] + [2.15 * cm] * len(periods) + [4.3 * cm]
    table = Table([*header, *body], colWidths=widths, repeatRows=2)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("BACKGROUND", (0, 0), (-1, 1), colors.HexColor("#e6f2ee")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("SPAN", (4, 0), (3 + len(periods), 0)),
        *[("SPAN", (c, 0), (c, 1)) for c in (0, 1, 2, 3, 4 + len(periods))],
        ("SPAN", (4 + len(periods), 2), (4 + len(periods), 1 + len(report.rows)))]))  # one penjelasan
    story += [table, Paragraph("Setiap sel: realisasi, (pembilang/penyebut), dan <i>capaian</i> (miring) = "
                               "realisasi ÷ target × 100%.", small)]
    for text in report.restated:
        story.append(Paragraph(f"<b>Catatan:</b> {formats.markup(text)}", small))
    story.append(Spacer(1, 0.2 * cm))
    signing = ParagraphStyle("signing", parent=styles["BodyText"], fontSize=9, leading=11, spaceBefore=0,
                             spaceAfter=0)
    signature = Table([[Paragraph(formats.markup(line) or "&nbsp;", signing)] for line in signature_lines(report)],
                      colWidths=[8 * cm], hAlign="RIGHT", style=[("TOPPADDING", (0, 0), (-1, -1), 1),
                                                                 ("BOTTOMPADDING", (0, 0), (-1, -1), 1)])
    story.append(KeepTogether(signature))

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.drawString(1 * cm, 0.6 * cm, f"LKjIP {report.year} · Bagian Protokol dan Komunikasi Pimpinan · "
                                            f"data per {report.when(report.as_of)}")
        canvas.drawRightString(landscape(A4)[0] - 1 * cm, 0.6 * cm, f"Halaman {doc.page}")
        canvas.restoreState()

    doc = SimpleDocTemplate(path if isinstance(path, io.BytesIO) else str(path), pagesize=landscape(A4),
                            leftMargin=1 * cm, rightMargin=1 * cm, topMargin=1 * cm, bottomMargin=1.2 * cm,
                            title=f"LKjIP {report.year} — IKU Bagian Protokol dan Komunikasi Pimpinan")
    doc.build(story, onFirstPage=footer, onLaterPages=footer)


def _nobreak(text: str) -> str:
    return text.replace(" ", "&nbsp;")


MIMETYPES = {"pdf": "application/pdf",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def lkjip_document(services, year: int, fmt: str, as_of: datetime | None = None,
                   signer: Signer | None = None) -> tuple[bytes, str]:
    """The LKjIP of a year as the bytes of an XLSX or PDF file, and its media type."""
    table = lkjip(services, year, as_of, signer)
    buffer = io.BytesIO()
    (write_xlsx if fmt == "xlsx" else write_pdf)(table, buffer)
    return buffer.getvalue(), MIMETYPES[fmt]

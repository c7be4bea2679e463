"""What changed in a period's figures between two instants, as a workbook (the diff page's
download): the figures of both instants (realisasi, target, capaian), the targets set or
changed in between, and every activity whose contribution changed, with the rows that
changed and the events that changed them. In Indonesian, instants in WIB."""
from __future__ import annotations

import io

from . import formats

EVENT_NAMES = {"ActivityScheduled": "Dijadwalkan", "ActivityRescheduled": "Dijadwalkan ulang",
               "ActivityCancelled": "Dibatalkan", "ProtocolServed": "Pelayanan keprotokolan",
               "Documented": "Didokumentasikan", "EntryRetracted": "Ralat",
               "TargetSet": "Target ditetapkan", "TargetChanged": "Target diubah",
               "UcapanRequested": "Diminta", "UcapanDelivered": "Disampaikan", "UcapanCancelled": "Dibatalkan",
               "DeliveryRetracted": "Ralat penyampaian"}
MEDIA = {"media_luar_ruang": "Media luar ruang", "foto": "Foto", "video": "Video"}
ROWS = (("counted", "Diagendakan"), ("cancelled", "Dibatalkan"), ("served", "Mendapat pelayanan keprotokolan"),
        ("documented", "Terdokumentasi"))


def diff_workbook(result, period_name: str, zone) -> bytes:
    """`result`: a projections.diff.Restatement with every change (not a page of them)."""
    from openpyxl import Workbook  # here, not at the top: every worker imports this module
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    when = lambda instant: formats.when(instant, zone)  # noqa: E731

    def because(events) -> str:
        return "; ".join(f"{EVENT_NAMES.get(e.type, e.type)} (catatan ke-{e.version}, {when(e.recorded_at)}, "
                         f"{e.actor}{': ' + e.data['reason'] if e.data.get('reason') else ''})" for e in events)
    thin = Side(style="thin", color="808080")
    box, bold, fill = Border(left=thin, right=thin, top=thin, bottom=thin), Font(bold=True), PatternFill(
        "solid", fgColor="E6F2EE")
    book = Workbook()
    sheet = book.active
    sheet.title = "Perubahan"

    def table(rows, widths=None):
        first = sheet.max_row + 2 if sheet.max_row > 1 else 3
        for offset, cells in enumerate(rows):
            for column, value in enumerate(cells, start=1):
                cell = sheet.cell(first + offset, column, value)
                cell.border = box
                cell.alignment = Alignment(wrap_text=isinstance(value, str), vertical="top")
                if offset == 0:
                    cell.font, cell.fill = bold, fill
                elif isinstance(value, float):
                    cell.number_format = "0.00"

    sheet["A1"] = f"Perubahan angka IKU · {period_name}: {when(result.before.as_of)} dibandingkan dengan " \
                  f"{when(result.after.as_of)}"
    sheet["A1"].font = bold
    figures = [["Indikator", "Realisasi dulu (%)", "Target dulu (%)", "Capaian dulu (%)", "Realisasi kemudian (%)",
                "Target kemudian (%)", "Capaian kemudian (%)", "Pembilang/penyebut dulu", "Pembilang/penyebut kemudian",
                "Dibatalkan dulu", "Dibatalkan kemudian"]]
    for old, new in zip(result.before.figures, result.after.figures, strict=True):
        figures.append([old.code, _n(old.percent), _n(old.target), _n(old.capaian), _n(new.percent),
                        _n(new.target), _n(new.capaian), f"{old.numerator}/{old.denominator}",
                        f"{new.numerator}/{new.denominator}", old.cancelled, new.cancelled])
    table(figures)
    if result.targets:
        table([["Target yang berubah", "Tahun", "Target (%)", "Dicatat", "Oleh", "Alasan"]]
              + [[f"{e.data['indicator']}: {EVENT_NAMES.get(e.type, e.type).lower()}", e.data["year"],
                  float(e.data["target"]), when(e.recorded_at), e.actor, e.data.get("reason") or ""]
                 for e in result.targets])
    changes = [["Kegiatan", "Yang berubah", "Dulu", "Kemudian", "Karena (peristiwa, dicatat, oleh, alasan)"]]
    for c in result.changes:
        what = [(name, "ya" if getattr(c.before, field) else "–", "ya" if getattr(c.after, field) else "–")
                for field, name in ROWS if getattr(c.before, field) != getattr(c.after, field)]
        if c.before.media != c.after.media:
            what.append(("Media dokumentasi", ", ".join(MEDIA.get(m, m) for m in c.before.media) or "–",
                         ", ".join(MEDIA.get(m, m) for m in c.after.media) or "–"))
        why = because(c.events)
        for i, (name, before, after) in enumerate(what or [("—", "", "")]):
            changes.append([c.title if i == 0 else "", name, before, after, why if i == 0 else ""])
    table(changes)
    if result.ucapan:
        ucapan = [["Ucapan", "Yang berubah", "Dulu", "Kemudian", "Karena (peristiwa, dicatat, oleh, alasan)"]]
        for c in result.ucapan:
            what = [(name, "ya" if getattr(c.before, field) else "–", "ya" if getattr(c.after, field) else "–")
                    for field, name in (("counted", "Diminta"), ("cancelled", "Dibatalkan"))
                    if getattr(c.before, field) != getattr(c.after, field)]
            what += [(name, "ya" if fact in c.before.facts else "–", "ya" if fact in c.after.facts else "–")
                     for fact, name in (("delivered", "Tersampaikan"), ("delivered_on_time", "Tersampaikan tepat waktu"))
                     if (fact in c.before.facts) != (fact in c.after.facts)]
            why = because(c.events)
            for i, (name, before, after) in enumerate(what):
                ucapan.append([c.recipient if i == 0 else "", name, before, after, why if i == 0 else ""])
        table(ucapan)
    sheet.freeze_panes = "A2"  # the title stays in view
    for column, width in zip("ABCDEFGHIJK", (44, 28, 16, 16, 60, 16, 16, 18, 18, 14, 14), strict=True):
        sheet.column_dimensions[column].width = width
    formats.no_formulas(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _n(value) -> float | None:
    return None if value is None else float(value)

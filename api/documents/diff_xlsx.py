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
    """`result`: a projections.diff.Restatement with every change (not a page of them).

    Written with XlsxWriter, not openpyxl (the LKjIP's): the workbook holds every changed
    activity, tens of thousands of cells, which XlsxWriter writes in a third of the time
    (docs/PERFORMANCE.md). Every text is written as a text: a title typed as '=…' is never
    a formula (as formats.no_formulas does for the LKjIP)."""
    import xlsxwriter  # here, not at the top: every worker imports this module

    when = lambda instant: formats.when(instant, zone)  # noqa: E731

    def because(events) -> str:
        return "; ".join(f"{EVENT_NAMES.get(e.type, e.type)} (catatan ke-{e.version}, {when(e.recorded_at)}, "
                         f"{e.actor}{': ' + e.data['reason'] if e.data.get('reason') else ''})" for e in events)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_numbers": False, "strings_to_urls": False})
    sheet = book.add_worksheet("Perubahan")
    box = {"border": 1, "border_color": "#808080", "valign": "top"}
    head = book.add_format({**box, "bold": True, "bg_color": "#E6F2EE", "pattern": 1, "text_wrap": True})
    text = book.add_format({**box, "text_wrap": True})
    decimal = book.add_format({**box, "num_format": "0.00"})
    plain = book.add_format(box)
    rows_used = 1  # the title's

    def table(rows):
        nonlocal rows_used
        first = rows_used + 1  # one empty row between the tables (0-based: row 3 is the first's)
        for offset, cells in enumerate(rows):
            for column, value in enumerate(cells):
                if isinstance(value, str):
                    sheet.write_string(first + offset, column, value, head if offset == 0 else text)
                elif value is None:
                    sheet.write_blank(first + offset, column, None, plain)
                else:
                    sheet.write_number(first + offset, column, value, decimal if isinstance(value, float) else plain)
        rows_used = first + len(rows)

    sheet.write_string(0, 0, f"Perubahan angka IKU · {period_name}: {when(result.before.as_of)} dibandingkan "
                             f"dengan {when(result.after.as_of)}", book.add_format({"bold": True}))
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
    sheet.freeze_panes(1, 0)  # the title stays in view
    for column, width in enumerate((44, 28, 16, 16, 60, 16, 16, 18, 18, 14, 14)):
        sheet.set_column(column, column, width)
    book.close()
    return buffer.getvalue()


def _n(value) -> float | None:
    return None if value is None else float(value)

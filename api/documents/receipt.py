"""The bukti penyampaian of a report (PDF, in Indonesian): the kop of the Pemerintah
Kabupaten Jember, the period, who submitted it (full name, NIP, jabatan) and when, the
figures as frozen, the pimpinan's note, where the submission sits in the audit log (its
position, the tree's size and root before it) and the receipt (.tlog-proof) that proves it
is in the log, for anyone to check without trusting the server."""
from __future__ import annotations

import io
from datetime import datetime

from . import formats

KOP = ("PEMERINTAH KABUPATEN JEMBER", "SEKRETARIAT DAERAH",
       "BAGIAN PROTOKOL DAN KOMUNIKASI PIMPINAN")
PLACE = "Jember"


def _name(svc, actor: str) -> str:
    user = svc.users.get(actor)
    return user.display_name if user else actor


def submission_receipt(svc, period, submission, period_name: str, reopened=None) -> bytes:
    """`submission`: a ReportEvent of type ReportSubmitted (service_layer/results.py);
    `reopened`: the ReportReopened that later replaced it, if one did."""
    from reportlab.lib import colors  # heavy: imported when a PDF is made
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import (KeepTogether, PageBreak, Paragraph, Preformatted, SimpleDocTemplate, Spacer,
                                    Table, TableStyle)

    from ..service_layer.queries import receipt

    zone = svc.zone
    user = svc.users.get(submission.actor)
    styles = getSampleStyleSheet()
    body, small = styles["BodyText"], ParagraphStyle("small", parent=styles["BodyText"], fontSize=8, leading=10)
    mono = ParagraphStyle("mono", parent=styles["Code"], fontSize=6.5, leading=8)
    centre = ParagraphStyle("centre", parent=styles["Heading3"], fontName="Helvetica-Bold", alignment=1,
                            spaceAfter=0, spaceBefore=0)
    story = [Paragraph(line, centre) for line in KOP]
    story += [Spacer(1, 0.4 * cm),
              Paragraph(f"BUKTI PENYAMPAIAN LAPORAN CAPAIAN INDIKATOR KINERJA UTAMA — {period_name.upper()}",
                        styles["Title"])]
    if svc.agenda.recorded_times_are_simulated:
        story.append(Paragraph("<font color='#b00020'><b>DATA DEMO:</b> waktu pencatatan disimulasikan; bukan "
                               "laporan sungguhan.</font>", body))
    who = [("Disampaikan oleh", user.display_name if user else submission.actor)]
    if user and user.nip:
        who.append(("NIP", formats.nip(user.nip)))
    if user and user.jabatan:
        who.append(("Jabatan", user.jabatan))
    who += [("Waktu penyampaian", formats.when(submission.recorded_at, zone)),
            ("Angka sebagaimana tercatat pada", formats.when(datetime.fromisoformat(submission.as_of), zone)),
            ("Periode", f"{period_name} ({formats.day(period.start)} s.d. {formats.day(period.end)})")]
    story.append(Table([[Paragraph(k, body), Paragraph(formats.markup(v), body)] for k, v in who],
                       colWidths=[5.5 * cm, 11.5 * cm]))
    story.append(Spacer(1, 0.3 * cm))
    rows = [[Paragraph(h, small) for h in ("Indikator", "Pembilang", "Penyebut", "Realisasi", "Target", "Capaian")]]
    for f in submission.indicators:
        rows.append([Paragraph(formats.markup(f"{f['code']}: {f.get('name') or ''}"), small), str(f["numerator"]),
                     str(f["denominator"]), formats.percent(f.get("percent")), formats.percent(f.get("target")),
                     formats.percent(f.get("capaian"))])
    table = Table(rows, colWidths=[6.5 * cm, 2 * cm, 2 * cm, 2.2 * cm, 2.2 * cm, 2.2 * cm], repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8f0ec")),
                               ("ALIGN", (1, 1), (-1, -1), "RIGHT"), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [table, Spacer(1, 0.3 * cm)]
    if submission.note:
        story += [Paragraph("<b>Penjelasan / analisis capaian</b>", body), Paragraph(formats.markup(submission.note), body)]
    if reopened is None:
        story.append(Paragraph("<b>Status:</b> berlaku (belum dibuka kembali).", body))
    else:
        story.append(Paragraph(
            f"<b>Status:</b> digantikan — laporan dibuka kembali {formats.when(reopened.recorded_at, zone)} oleh "
            f"{formats.markup(_name(svc, reopened.actor))}: {formats.markup(reopened.reason or '')}.", body))
    signer = [f"{PLACE}, {formats.date_long(submission.recorded_at.astimezone(zone))}",
              (user.jabatan if user and user.jabatan else "Yang menyampaikan"), "", "",
              user.display_name if user else submission.actor,
              f"NIP. {formats.nip(user.nip)}" if user and user.nip else ""]
    story += [Spacer(1, 0.5 * cm), KeepTogether(Table(
        [[Paragraph(formats.markup(line) or "&nbsp;", body)] for line in signer], colWidths=[8 * cm], hAlign="RIGHT",
        style=[("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))]
    story += [PageBreak(), Paragraph("<b>Lampiran: kedudukan dalam log audit dan tanda terima</b>", body),
              Paragraph(f"Penyampaian ini adalah peristiwa ke-{submission.position} log audit. Sebelum penyampaian, "
                        f"log berukuran {submission.chain['position']} peristiwa dengan akar pohon Merkle "
                        f"(RFC 6962):", body),
              Preformatted(submission.chain["hash"], mono)]
    proof = receipt(svc, submission.position)
    if proof is None:
        story.append(Paragraph("Tanda terima belum tersedia: penyampaian belum tercakup checkpoint bertanda "
                               "tangan. Cetak ulang bukti ini beberapa saat lagi.", body))
    else:
        story += [Paragraph("Tanda terima (C2SP tlog-proof): bukti bahwa penyampaian ini tercatat dalam log yang "
                            "ditandatangani; periksa dengan <font face='Courier'>iku verify-receipt</font> atau "
                            "<font face='Courier'>python -m inspector verify-receipt</font>.", body),
                  Preformatted(_wrap(proof), mono)]
    buffer = io.BytesIO()

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawRightString(A4[0] - 2 * cm, 1.2 * cm, f"Halaman {doc.page}")
        canvas.drawString(2 * cm, 1.2 * cm, f"Bukti penyampaian {period_name} · peristiwa ke-{submission.position}")
        canvas.restoreState()

    SimpleDocTemplate(buffer, pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm, topMargin=1.5 * cm,
                      bottomMargin=2 * cm, title=f"Bukti penyampaian {period_name}",
                      author=user.display_name if user else submission.actor).build(
        story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _wrap(text: str, width: int = 110) -> str:
    """Long lines (the event's JSON) folded for the page; a checker reads the .tlog-proof file."""
    out = []
    for line in text.splitlines():
        out += [line[i:i + width] for i in range(0, max(len(line), 1), width)]
    return "\n".join(out)

"""Importing next week's agenda from a spreadsheet: upload, a preview of every line (new,
already recorded, or what is wrong), then the import. The same reader and command as
`iku import agenda` (api/documents/agenda_import.py)."""
from __future__ import annotations

import csv
import io
import json
from datetime import date
from urllib.parse import urlencode

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from openpyxl import Workbook

from domain import exceptions as d

from ..documents.agenda_import import (CANONICAL, AgendaImportError, Line, describe, read_agenda, read_canonical,
                                       read_table)
from ..service_layer import commands, queries
from ..service_layer.permissions import may
from .common import page, services, web
from .forms import message_for

TEMPLATE_HEADER = ("Tanggal", "Jam mulai", "Jam selesai", "Tanggal selesai", "Judul kegiatan", "Pimpinan",
                   "Lokasi", "Lingkup", "Kategori", "Catatan")
TEMPLATE_ROW = ("07/12/2026", "08.00", "11.00", "", "Rapat Koordinasi Penanganan Stunting", "Bupati; Wakil Bupati",
                "Pendopo Wahyawibawagraha", "Dalam daerah", "Rapat", "")
MAX_PREVIEW = 2000  # lines a page's import carries from the preview (a week's agenda is dozens)


@web.get("/import")
@page("schedule")
def import_form():
    return render_template("import.html", lines=None, errors={})


@web.post("/import")
@page("schedule")
def import_preview():
    """Read the file and show every line: what would be imported, and what is wrong."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render_template("import.html", lines=None, errors={"file": _("Pilih berkas CSV atau XLSX.")}), 422
    try:
        lines = read_agenda(read_table(upload.read(), upload.filename, MAX_PREVIEW), services().zone, MAX_PREVIEW)
    except AgendaImportError as e:
        return render_template("import.html", lines=None, errors={"file": file_problem(e)}), 422
    return preview(lines, upload.filename, status=422 if any(line.errors for line in lines) else 200)


@web.post("/import/confirm")
@page("schedule")
def import_confirm():
    """Import the lines the preview showed (read and checked again): all or none; those
    already recorded are skipped."""
    try:
        lines = read_canonical(carried_lines(request.form.get("lines", "")), services().zone, MAX_PREVIEW)
    except Tampered as e:
        return render_template("import.html", lines=None, errors={"file": _(
            "Pratinjau ini rusak (%(why)s). Unggah berkasnya lagi.", why=e.why)}), 422
    except AgendaImportError as e:
        return render_template("import.html", lines=None, errors={"file": file_problem(e)}), 422
    if any(line.errors for line in lines):
        return preview(lines, request.form.get("filename", ""), status=422)
    try:
        done = commands.import_activities(services(), g.user, [line.row for line in lines])
    except d.NotPermitted:
        return preview(lines, request.form.get("filename", ""), status=403)
    flash(_("%(n)s kegiatan diimpor.", n=done.activities)
          + (" " + _("%(n)s sudah tercatat sebelumnya, dilewati.", n=done.skipped) if done.skipped else ""))
    days = [line.row["schedule"]["starts_at"].astimezone(services().zone).date() for line in lines]
    return redirect(url_for("web.agenda", period=span(min(days), max(days))), 303)


def preview(lines: list[Line], filename: str, status: int = 200):
    rows = [line.row["schedule"] for line in lines if line.row]
    known = queries.already_scheduled(services(), g.user, rows)
    statuses, seen = [], set()
    for line in lines:
        if line.errors:
            statuses.append("error")
            continue
        key = queries.same_activity(line.row["schedule"]["title"], line.row["schedule"]["starts_at"])
        statuses.append("known" if key in known else "twice" if key in seen else "new")
        seen.add(key)
    needs = [label for permission, label, wanted in (
        ("record_protocol", _("petugas protokol"), any(line.row and line.row["protocol"] for line in lines)),
        ("record_documentation", _("media dokumentasi"), any(line.row and line.row["documentation"] for line in lines)))
        if wanted and not may(g.user.role, permission)]
    errors = {"_form": _("Peran Anda tidak boleh mengimpor kolom %(c)s.", c=", ".join(needs))} if needs else {}
    carried = json.dumps([line.cells for line in lines], ensure_ascii=False)
    if not needs and "new" in statuses and len(urlencode({"lines": carried, "filename": filename})) > form_limit():
        # the import's form could not carry these lines back: say so rather than offer it
        errors, status = {"_form": _("Pratinjau ini terlalu besar untuk diimpor dari halaman ini; gunakan perintah "
                                     "iku import agenda.")}, 422
    return render_template(
        "import.html", lines=list(zip(lines, statuses, strict=True)), errors=errors, filename=filename,
        problems=sum(s == "error" for s in statuses), new=statuses.count("new"),
        known=statuses.count("known") + statuses.count("twice"), carried=carried,
        messages=line_messages), 403 if needs else status


def form_limit() -> int:
    """Bytes of the import's form (URL-encoded) the server takes, its CSRF token aside."""
    limits = [current_app.config.get(key) for key in ("MAX_FORM_MEMORY_SIZE", "MAX_CONTENT_LENGTH")]
    return min((n for n in limits if n), default=1 << 30) - 1024


def line_messages(line: Line) -> list[str]:
    """What is wrong with a line, in the user's language, column by column."""
    names = {"title": _("Judul"), "leaders": _("Pimpinan"), "starts_at": _("Tanggal dan jam mulai"),
             "ends_at": _("Jam selesai"), "date": _("Tanggal"), "start_time": _("Jam mulai"),
             "end_time": _("Jam selesai"), "end_date": _("Tanggal selesai"), "location": _("Lokasi"),
             "scope": _("Lingkup"), "category": _("Kategori"), "notes": _("Catatan"),
             "protocol_officers": _("Petugas protokol"), "documentation_media": _("Media dokumentasi"),
             "officers": _("Petugas protokol"), "media": _("Media dokumentasi"), "_line": _("Baris")}
    own = {"Not a date (dd/mm/yyyy).": _("Bukan tanggal (hh/bb/tttt)."),
           "Not a time (jj.mm).": _("Bukan jam (jj.mm)."),
           "Give the end time of the end date.": _("Isi jam selesai pada tanggal selesai.")}
    out = []
    for name, messages in line.errors.items():
        message = messages[0] if messages else ""
        if name == "_line":
            text = _("jumlah isian tidak sama dengan jumlah kolom")
        elif not line.cells.get(name, "x"):
            text = _("Wajib diisi.")
        else:
            text = own.get(message) or message_for(message)
        out.append(f"{names.get(name, name)}: {text}")
    return out


def file_problem(error: AgendaImportError) -> str:
    if error.kind in ("rows", "sheet_rows", "unpacked", "elements"):  # within the command line's limits
        return describe(error, _) + " " + _("Gunakan perintah iku import agenda untuk berkas sebesar ini.")
    if error.kind == "columns":
        return describe(error, _) + " " + _("Unduh templat di bawah.")
    return describe(error, _)


class Tampered(ValueError):
    """The lines carried from the preview are not those it wrote: `why`, in the user's language."""

    def __init__(self, why: str):
        super().__init__(why)
        self.why = why


def carried_lines(text: str) -> list[dict]:
    """The lines the preview carried (a JSON list of objects of the machine format's
    texts), or Tampered."""
    try:
        cells = json.loads(text)
    except RecursionError:  # nested deeper than the parser goes
        raise Tampered(_("bertingkat terlalu dalam")) from None
    except json.JSONDecodeError:
        raise Tampered(_("bukan JSON")) from None
    except ValueError:  # a number of more digits than Python reads (4,300)
        raise Tampered(_("angka terlalu panjang")) from None
    if not isinstance(cells, list) or not cells or not all(isinstance(c, dict) for c in cells):
        raise Tampered(_("bukan daftar baris"))
    if len(cells) > MAX_PREVIEW:
        raise Tampered(_("lebih dari %(n)s baris", n=MAX_PREVIEW))
    for c in cells:
        if not set(c) <= set(CANONICAL) or not all(isinstance(v, str) for v in c.values()):
            raise Tampered(_("isian yang bukan teks atau kolom yang tidak dikenal"))
    return cells


def span(first: date, last: date) -> str:
    return first.isoformat() if first == last else f"{first.isoformat()}..{last.isoformat()}"


@web.get("/import/templat-agenda.<any(xlsx, csv):fmt>")
@page("schedule")
def import_template(fmt: str):
    """A spreadsheet with the columns the import reads and one example line."""
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerows([TEMPLATE_HEADER, TEMPLATE_ROW])
        body, kind = ("\ufeff" + out.getvalue()).encode("utf-8"), "text/csv; charset=utf-8"
    else:
        book = Workbook()
        sheet = book.active
        sheet.title = "Agenda"
        sheet.append(TEMPLATE_HEADER)
        sheet.append(TEMPLATE_ROW)
        for column in sheet.columns:
            sheet.column_dimensions[column[0].column_letter].width = max(14, len(str(column[1].value or "")) + 2)
        data = io.BytesIO()
        book.save(data)
        body, kind = data.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return body, 200, {"Content-Type": kind,
                       "Content-Disposition": f'attachment; filename="templat-agenda.{fmt}"'}

"""Reading an agenda from a spreadsheet: CSV or XLSX, as the office's Excel saves it, or the
machine format of earlier exports. One reader for the page's import and `iku import
agenda`; every line is checked with the API's own schemas before anything is written.

A header line names the columns, in any order and in either language (docs/CLI.md):

  judul / title, pimpinan / leaders, lokasi / location, lingkup / scope    required
  tanggal + jam mulai (in the office's zone), or starts_at (RFC 3339)    required
  jam selesai, tanggal selesai, or ends_at; kategori, catatan            optional
  petugas protokol / protocol_officers   names separated by ';' or a line break
  media dokumentasi / documentation_media  media separated by ';' or ','

Values as Indonesian Excel writes them: `;` or `,` between cells (either, found from the
header), UTF-8 or Windows-1252, dates `07/12/2026`, `7-12-2026`, `2026-12-07` or
`Senin, 7 Desember 2026`, times `08.00`, `8:00`, `08.00 WIB`, a range `08.00 - 11.00` or
`08.00 s.d. selesai` in one cell; leaders `Bupati; Wakil Bupati`, `Bupati dan Wabup`;
scope `Dalam daerah`; media `Foto, Video`. Each line read becomes the machine format
(`CANONICAL`), which the page carries from the preview to the import.

Longer than 300 lines because the column names, the readers of dates, times, leaders,
scopes and media, and the checks are the one definition of what the office's
spreadsheets may say, shared by the page and the command line.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time

import marshmallow as ma

from ..http.activities.schemas import DocumentationSchema, ProtocolSchema, ScheduleSchema
from . import xlsx_guard
from .xlsx_guard import EXCEL_CELL

CANONICAL = ("title", "leaders", "starts_at", "ends_at", "location", "scope", "category", "notes",
             "protocol_officers", "documentation_media")
MAX_ROWS = 100_000
MAX_CELL = 5_000  # characters: longer is not an agenda's cell (that line's error)
# A cell over Excel's own EXCEL_CELL (32,767 characters) refuses the whole file.

# Each column and the names a header may give it (compared lower-case, spaces collapsed,
# '_' as a space, without a trailing ':' or '*').
SYNONYMS = {
    "title": ("title", "judul", "judul kegiatan", "nama kegiatan", "kegiatan", "acara", "uraian kegiatan"),
    "leaders": ("leaders", "pimpinan", "pejabat"),
    "starts_at": ("starts at",),
    "ends_at": ("ends at",),
    "date": ("tanggal", "tgl", "hari/tanggal", "hari, tanggal", "hari tanggal", "tanggal mulai"),
    "start_time": ("jam", "jam mulai", "waktu", "waktu mulai", "pukul"),
    "end_time": ("jam selesai", "waktu selesai", "sampai pukul"),
    "end_date": ("tanggal selesai", "sampai tanggal"),
    "location": ("location", "lokasi", "tempat"),
    "scope": ("scope", "lingkup", "wilayah", "dalam/luar daerah"),
    "category": ("category", "kategori", "jenis kegiatan", "jenis"),
    "notes": ("notes", "catatan", "keterangan", "ket"),
    "protocol_officers": ("protocol officers", "petugas protokol", "petugas"),
    "documentation_media": ("documentation media", "media dokumentasi", "dokumentasi", "media"),
}
_COLUMN_OF = {name: column for column, names in SYNONYMS.items() for name in names}

MONTHS = {name: number for number, names in enumerate((
    ("januari", "jan"), ("februari", "feb", "pebruari"), ("maret", "mar"), ("april", "apr"),
    ("mei",), ("juni", "jun"), ("juli", "jul"), ("agustus", "agu", "agt", "ags", "aug"),
    ("september", "sep", "sept"), ("oktober", "okt", "oct"), ("november", "nov", "nop"),
    ("desember", "des", "dec")), start=1) for name in names}
LEADER_NAMES = {"bupati": "bupati", "wakil bupati": "wakil_bupati", "wakil_bupati": "wakil_bupati",
                "wabup": "wakil_bupati", "wakil": "wakil_bupati"}
SCOPE_NAMES = {"dalam daerah": "dalam_daerah", "dalam kabupaten": "dalam_daerah", "dalam kota": "dalam_daerah",
               "luar daerah": "luar_daerah", "luar kabupaten": "luar_daerah", "luar kota": "luar_daerah"}
MEDIA_NAMES = {"foto": "foto", "video": "video", "media luar ruang": "media_luar_ruang"}
_RANGE = re.compile(r"\s*(?:-|–|—|s\.?\s?d\.?|s/d|sampai(?: dengan)?)\s*", re.IGNORECASE)


class AgendaImportError(ValueError):
    """The file as a whole cannot be read: `kind` (empty, columns, rows, format) and its
    details, for a message in the reader's language."""

    def __init__(self, message: str, kind: str = "format", **details):
        super().__init__(message)
        self.kind = kind
        self.details = details


def describe(error: AgendaImportError, _) -> str:
    """What is wrong with the file, in the reader's language: `_` is the page's gettext
    (flask-babel) or the command line's (api/catalog.py); the texts are the catalog's."""
    d = error.details
    if error.kind == "columns":
        parts = []
        if d.get("missing"):
            parts.append(_("kolom wajib tidak ada: %(c)s", c=", ".join(d["missing"])))
        if d.get("unknown"):
            parts.append(_("kolom tidak dikenal: %(c)s", c=", ".join(d["unknown"])))
        for column, cells in d.get("twice", ()):
            parts.append(_("kolom %(c)s lebih dari sekali: %(cells)s", c=column,
                           cells=", ".join(f"“{text}” ({ref})" for ref, text in cells)))
        return _("Judul kolom tidak sesuai (%(p)s).", p="; ".join(parts))
    kind, n = error.kind, d.get("most")
    if kind == "empty":
        return _("Berkas ini tidak berisi kegiatan.")
    if kind == "rows":
        return _("Terlalu banyak baris: lebih dari %(n)s kegiatan dalam satu berkas.", n=n)
    if kind == "sheet_rows":
        return _("Lembar kerja ini berisi data sampai baris %(line)s; yang dibaca paling banyak %(n)s baris, "
                 "termasuk baris kosong.", line=d["line"], n=n)
    if kind == "width":
        return _("Baris %(line)s berisi data di kolom ke-%(col)s; yang dibaca paling banyak %(n)s kolom.",
                 line=d["line"], col=d["column"], n=n)
    if kind == "grid":
        return _("Baris %(line)s melampaui lembar Excel: lebih dari %(n)s kolom.", line=d["line"], n=n)
    if kind == "cell" and "line" in d:
        return _("Baris %(line)s memuat sel lebih dari %(n)s karakter (batas Excel).", line=d["line"], n=n)
    if kind == "cell":
        return _("Berkas XLSX ini memuat sel atau teks lebih dari %(n)s karakter (batas Excel).", n=n)
    if kind == "parts":
        return _("Berkas XLSX ini terdiri atas lebih dari %(n)s bagian.", n=n)
    if kind == "unpacked":
        return _("Berkas XLSX ini terlalu besar setelah dibuka: lebih dari %(n)s MiB (bagian %(part)s).",
                 n=n, part=d["part"])
    if kind == "elements":
        return _("Berkas XLSX ini memuat terlalu banyak unsur (sel, baris, gaya): lebih dari %(n)s.", n=n)
    if kind == "structure":
        return _("Berkas XLSX ini memuat terlalu banyak unsur selain sel (gaya, nama, format): lebih dari %(n)s.",
                 n=n)
    if kind == "sheets":
        return _("Berkas XLSX ini menyebut satu lembar kerja lebih dari sekali (bagian %(part)s).", part=d["part"])
    if kind == "xml" and "encoding" in d:
        return _("Bagian %(part)s berkas XLSX ini tidak ditulis dalam UTF-8 (%(e)s), tidak seperti tulisan "
                 "Excel.", part=d["part"], e=d["encoding"])
    if kind == "xml":
        return _("Berkas XLSX ini memuat deklarasi DTD atau entitas XML (bagian %(part)s), yang tidak pernah "
                 "ditulis Excel.", part=d["part"])
    if kind == "damaged":
        return _("Berkas XLSX ini rusak: bagian %(part)s tidak sesuai dengan daftar isinya.", part=d["part"])
    return _("Bukan berkas CSV atau XLSX yang bisa dibaca.")


@dataclass
class Line:
    """One line of the file: its number, its cells in the machine format, and either the
    commands' values (`row`) or what is wrong, by column (`errors`)."""

    number: int
    cells: dict[str, str]
    row: dict | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)


# Files → tables of cells -------------------------------------------------------------

def read_table(data: bytes, filename: str, most: int = MAX_ROWS) -> list[list]:
    """The cells of a CSV (`;` or `,`, UTF-8 or Windows-1252) or of an XLSX's first sheet,
    for a file of at most `most` activities (an XLSX's limits follow from it)."""
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        return _xlsx(data, xlsx_guard.Limits(most))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # Excel's "CSV (Comma delimited)"
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows: list[list] = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            _no_long_cell(row, len(rows) + 1)
            rows.append(row)
    except csv.Error as e:  # a field over csv's own limit (131,072 characters), the only one it has
        line = len(rows) + 1
        if "field larger than field limit" in str(e):
            raise _long_cell(line) from None
        raise AgendaImportError(f"line {line}: {e}", "format", line=line) from None
    return rows


def _xlsx(data: bytes, limits: xlsx_guard.Limits) -> list[list]:
    from openpyxl import load_workbook  # here, not at the top: every worker imports this module

    try:
        extent = xlsx_guard.check(data, limits)  # before openpyxl reads anything
    except xlsx_guard.Refused as e:
        raise AgendaImportError(str(e), e.kind, **e.details) from None
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - a zip that is not a workbook, a damaged file
        raise AgendaImportError("not an XLSX workbook", "format") from None
    try:
        rows = []
        if extent.rows:  # as far as the sheets hold values, whatever their <dimension> says
            cells = book.worksheets[0].iter_rows(max_row=extent.rows, max_col=extent.columns, values_only=True)
            for values in cells:
                rows.append(["" if v is None else v for v in values])
                _no_long_cell(rows[-1], len(rows))
        while rows and not any(str(v).strip() for v in rows[-1]):
            rows.pop()
        return rows  # a sheet's rows: all of the same width
    except AgendaImportError:
        raise
    except Exception:  # noqa: BLE001 - a cell openpyxl cannot read (a shared string not there…)
        raise AgendaImportError("not an XLSX workbook", "format") from None
    finally:
        book.close()


def _no_long_cell(row: list, line: int) -> None:
    if any(isinstance(v, str) and len(v) > EXCEL_CELL for v in row):
        raise _long_cell(line)


def _long_cell(line: int) -> AgendaImportError:
    return AgendaImportError(f"line {line}: a cell longer than {EXCEL_CELL} characters", "cell",
                             line=line, most=EXCEL_CELL)


# Cells → the machine format --------------------------------------------------------

def header_columns(header: list) -> list[str | None]:
    def key(name) -> str:
        return " ".join(str(name).replace("_", " ").split()).lower().rstrip(":*").strip()

    return [_COLUMN_OF.get(key(name)) for name in header]


def read_agenda(table: Iterable[list], zone, most: int = MAX_ROWS) -> list[Line]:
    """Every line of the table (at most `most` activities), each read into the machine
    format and checked with the API's schemas. File-level problems raise AgendaImportError."""
    lines = iter(table)
    try:
        header = next(lines)
    except StopIteration:
        raise AgendaImportError("line 1: the file is empty; a header line is required", "empty") from None
    columns = header_columns(header)
    named = {c for c in columns if c}
    missing = [c for c in ("title", "leaders", "location", "scope") if c not in named]
    if "starts_at" not in named and not {"date", "start_time"} <= named:
        missing.append("starts_at" if "date" not in named and "start_time" not in named
                       else ("date" if "date" not in named else "start_time"))
    unknown = [str(h) for h, c in zip(header, columns, strict=True) if c is None and str(h).strip()]
    twice = _twice(header, columns)
    if missing or unknown or twice:
        problems = ([f"missing column(s) {', '.join(missing)}"] if missing else []) + (
            [f"unknown column(s) {', '.join(unknown)}"] if unknown else []) + [
            f"column {c} more than once: {', '.join(f'{text!r} ({ref})' for ref, text in cells)}" for c, cells in twice]
        raise AgendaImportError(f"line 1: {'; '.join(problems)}", "columns", missing=missing, unknown=unknown,
                                twice=twice)
    out = []
    for number, values in enumerate(lines, start=2):
        if not any(str(v).strip() for v in values):
            continue
        if len(out) >= most:
            raise AgendaImportError(f"line {number}: more than {most} activities in one file", "rows",
                                    line=number, most=most)
        if len(values) != len(columns):
            out.append(Line(number, {}, errors={"_line": [f"{len(values)} values for {len(columns)} columns"]}))
            continue
        out.append(_line(number, {c: v for c, v in zip(columns, values, strict=True) if c}, zone))
    if not out:
        raise AgendaImportError("the file has a header but no activity", "empty")
    return out


def _twice(header: list, columns: list[str | None]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each column the header names more than once (`Judul` twice, or `Judul` and its
    synonym `Title`), with its header cells: [("title", [("A1", "Judul"), ("D1", "Title")])]."""
    from openpyxl.utils.cell import get_column_letter

    cells: dict[str, list[tuple[str, str]]] = {}
    for index, (text, column) in enumerate(zip(header, columns, strict=True), start=1):
        if column:
            cells.setdefault(column, []).append((f"{get_column_letter(index)}1", str(text).strip()))
    return [(column, found) for column, found in cells.items() if len(found) > 1]


def _line(number: int, given: dict, zone) -> Line:
    errors: dict[str, list[str]] = {}
    cells = {c: "" for c in CANONICAL}

    def text(value) -> str:
        value = str(value).strip() if not isinstance(value, (datetime, date, time)) else value
        if isinstance(value, str) and len(value) > MAX_CELL:
            raise ValueError("Longer than maximum length.")
        return value

    for column in ("title", "location", "category", "notes", "starts_at", "ends_at"):
        if column in given:
            try:
                value = text(given[column])
                cells[column] = value.isoformat() if isinstance(value, datetime) else str(value)
            except ValueError as e:
                errors.setdefault(column, []).append(str(e))
    for column, names, split in (("leaders", LEADER_NAMES, r";|,|/|&|\bdan\b|\n"),
                                 ("scope", SCOPE_NAMES, None),
                                 ("documentation_media", MEDIA_NAMES, r";|,|\n")):
        raw = str(given.get(column, "")).strip()
        parts = [p for p in (re.split(split, raw, flags=re.IGNORECASE) if split else [raw]) if p.strip()]
        cells[column] = ";".join(names.get(" ".join(p.replace("_", " ").split()).lower(), p.strip()) for p in parts)
    cells["protocol_officers"] = ";".join(
        p.strip() for p in re.split(r";|\n", str(given.get("protocol_officers", ""))) if p.strip())
    if not cells["starts_at"] and ("date" in given or "start_time" in given):
        try:
            cells["starts_at"], cells["ends_at"] = _times(given, zone, errors)
        except ValueError:
            pass
    line = Line(number, cells, errors=errors)
    if not errors:
        _check(line)
    return line


def _times(given: dict, zone, errors: dict) -> tuple[str, str]:
    """starts_at and ends_at (or "") from a date, a start time (perhaps a range), an end
    time and an end date, in the office's zone."""
    try:
        day = parse_day(given.get("date", ""))
    except ValueError:
        errors["date"] = ["Not a date (dd/mm/yyyy)."]
    start_text, end_text = given.get("start_time", ""), given.get("end_time", "")
    if isinstance(start_text, str) and not isinstance(end_text, time) and not str(end_text).strip():
        parts = _RANGE.split(start_text.strip(), maxsplit=1)
        if len(parts) == 2:
            start_text, end_text = parts
    try:
        start = parse_clock(start_text)
    except ValueError:
        errors["start_time"] = ["Not a time (jj.mm)."]
    end = None
    if isinstance(end_text, (time, datetime)) or (str(end_text).strip() and str(end_text).strip().lower() != "selesai"):
        try:
            end = parse_clock(end_text)
        except ValueError:
            errors["end_time"] = ["Not a time (jj.mm)."]
    end_day = None
    if str(given.get("end_date", "")).strip():
        try:
            end_day = parse_day(given["end_date"])
        except ValueError:
            errors["end_date"] = ["Not a date (dd/mm/yyyy)."]
    if errors:
        raise ValueError("times")
    if end_day is not None and end is None:
        errors["end_time"] = ["Give the end time of the end date."]
        raise ValueError("times")
    starts = datetime.combine(day, start, zone)
    ends = None if end is None else datetime.combine(end_day or day, end, zone)
    return starts.isoformat(), "" if ends is None else ends.isoformat()


def parse_day(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = " ".join(str(value).replace(",", " ").split()).lower()
    text = re.sub(r"^(senin|selasa|rabu|kamis|jumat|jum'at|sabtu|minggu|ahad)\s+", "", text)
    if m := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text, re.ASCII):
        return date(int(m[3]), int(m[2]), int(m[1]))
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text, re.ASCII):
        return date(int(m[1]), int(m[2]), int(m[3]))
    if (m := re.fullmatch(r"(\d{1,2}) ([a-z]+)\.? (\d{4})", text, re.ASCII)) and m[2] in MONTHS:
        return date(int(m[3]), MONTHS[m[2]], int(m[1]))
    raise ValueError(text)


def parse_clock(value) -> time:
    if isinstance(value, datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    text = re.sub(r"\s*(wib|wita|wit)$", "", str(value).strip().lower())
    if m := re.fullmatch(r"(\d{1,2})[.:](\d{2})(?:[.:]\d{2})?", text, re.ASCII):
        return time(int(m[1]), int(m[2]))
    raise ValueError(text)


def _check(line: Line) -> None:
    """The machine format's cells through the API's schemas, as the commands take them."""
    cells = line.cells
    schedule = {k: cells[k] for k in ("title", "starts_at", "location", "scope")}
    schedule["leaders"] = _split(cells["leaders"])
    for k in ("ends_at", "category", "notes"):
        if cells.get(k):
            schedule[k] = cells[k]
    try:
        row = {"schedule": ScheduleSchema().load(schedule), "protocol": None, "documentation": []}
        if cells.get("protocol_officers"):
            row["protocol"] = ProtocolSchema().load({"officers": _split(cells["protocol_officers"])})
        for media in _split(cells.get("documentation_media", "")):
            row["documentation"].append(DocumentationSchema().load({"media": media}))
    except ma.ValidationError as e:
        line.errors = {name: [str(m) for m in _flat(messages)] for name, messages in e.messages.items()}
        return
    line.row = row


def read_canonical(cells: list[dict], zone, most: int = MAX_ROWS) -> list[Line]:
    """Lines already in the machine format (the page's preview carries them): read again,
    checked again."""
    table = [list(CANONICAL), *([str(c.get(k, "")) for k in CANONICAL] for c in cells)]
    return read_agenda(table, zone, most)


def first_problem(lines: list[Line]) -> str | None:
    """The first bad line, as the command line names it ("line 3: starts_at: …")."""
    for line in lines:
        if line.errors:
            return f"line {line.number}: " + "; ".join(
                f"{name}: {' '.join(messages)}" for name, messages in line.errors.items())
    return None


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _flat(messages):
    if isinstance(messages, dict):
        for value in messages.values():
            yield from _flat(value)
    elif isinstance(messages, list):
        for value in messages:
            yield from _flat(value)
    else:
        yield messages

"""Workbooks that are small on disk and huge, deep or lying inside, made in a moment: the
parts of a real openpyxl workbook, the sheet (or another part) replaced, written into a zip
by hand so that a part may declare a size it does not have. A repeated block is deflated
once (a full flush makes every copy the same bytes), so a 300 MB part costs ~0.2 s."""
from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from functools import cache

from openpyxl import Workbook

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HEADER = ("Tanggal", "Jam mulai", "Judul kegiatan", "Pimpinan", "Lokasi", "Lingkup")
LINE = ("07/12/2026", "08.00", "Rapat Koordinasi", "Bupati", "Pendopo", "Dalam daerah")
MB = 1024 * 1024


@dataclass(frozen=True)
class Deflated:
    """A part already compressed: its bytes, CRC and real size, and the size its
    directory entry declares (a liar's differs)."""

    data: bytes
    crc: int
    size: int
    declared: int | None = None


def repeated(head: bytes, block: bytes, count: int, tail: bytes = b"", declared: int | None = None) -> Deflated:
    """head + block * count + tail, deflated without compressing `count` blocks."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = packer.compress(head) + packer.flush(zlib.Z_FULL_FLUSH)
    copy = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    data = first + copy * count + packer.compress(tail) + packer.flush()
    crc = zlib.crc32(head)
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    return Deflated(data, zlib.crc32(tail, crc), len(head) + len(block) * count + len(tail), declared)


def sheet(rows: bytes, before: bytes = b"") -> bytes:
    return (f'<worksheet xmlns="{MAIN}">'.encode() + before + b"<sheetData>" + rows
            + b"</sheetData></worksheet>")


def inline_row(number: int, values) -> bytes:
    return f'<row r="{number}">'.encode() + b"".join(
        f'<c t="inlineStr"><is><t>{value}</t></is></c>'.encode() for value in values) + b"</row>"


AGENDA_ROWS = inline_row(1, HEADER) + inline_row(2, LINE)


@cache
def parts() -> dict[str, bytes]:
    """The parts of a real workbook of the agenda's header and one line."""
    book = Workbook()
    for values in (HEADER, LINE):
        book.active.append(values)
    out = io.BytesIO()
    book.save(out)
    with zipfile.ZipFile(out) as z:
        return {name: z.read(name) for name in z.namelist()}


def workbook(replace: dict[str, bytes | Deflated] | None = None, shared: bytes | Deflated | None = None) -> bytes:
    """The agenda's workbook with some parts replaced (or added), and perhaps shared strings."""
    found: dict[str, bytes | Deflated] = dict(parts())
    if shared is not None:
        found["[Content_Types].xml"] = found["[Content_Types].xml"].replace(
            b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml" /></Types>')
        found["xl/sharedStrings.xml"] = shared
    found.update(replace or {})
    return zipped(found)


def zipped(found: dict[str, bytes | Deflated]) -> bytes:
    """A zip of the parts, each deflated, written as zipfile would but trusting `declared`."""
    out, directory = io.BytesIO(), []
    for name, part in found.items():
        if isinstance(part, bytes):
            packer = zlib.compressobj(6, zlib.DEFLATED, -15)
            part = Deflated(packer.compress(part) + packer.flush(), zlib.crc32(part), len(part))
        size = part.size if part.declared is None else part.declared
        raw = name.encode()
        fields = (20, 0, 8, 0, 0x21, part.crc, len(part.data), size, len(raw))
        directory.append(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, *fields, 0, 0, 0, 0, 0, out.tell())
                         + raw)
        out.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", *fields, 0) + raw + part.data)
    start = out.tell()
    out.write(b"".join(directory))
    out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(directory), len(directory),
                          out.tell() - start, start, 0))
    return out.getvalue()

"""An XLSX checked before openpyxl opens it (docs/CLI.md, "Limits of a file"). A small
file may unpack to gigabytes, hold millions of rows or one cell of hundreds of megabytes,
lie about its sizes in the zip's directory, or declare XML entities; openpyxl would read
all of that into memory. So the zip's directory is read first, then every part is
decompressed in pieces with a cap (zipfile never yields more than a part declares) and its
XML streamed through expat: a refusal costs at most the caps, never what the file claims.

What the scan finds in the sheets — the last row and the last column holding a value — is
how far the reader then lets openpyxl read, whatever a sheet's <dimension> says."""
from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from dataclasses import dataclass

import pyexpat

KIB = 1024
MIB = 1024 * KIB
PIECE = 64 * KIB  # bytes decompressed at a time
EXCEL_CELL = 32_767  # characters in a cell: Excel's own limit
EXCEL_COLUMNS = 16_384  # A to XFD
RUN = 256 * KIB  # bytes between two '<' (a text, a tag): more than any cell Excel writes
STRUCTURE = 10_000  # XML elements besides the cells': openpyxl makes an object of most (~40 µs each)
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main "  # openpyxl's SHEET_MAIN_NS
WORKSHEET, ROW, CELL, VALUE, INLINE, SST, WORKBOOK, SHEET = (_MAIN + name for name in (
    "worksheet", "row", "c", "v", "is", "sst", "workbook", "sheet"))
CELLS = {_MAIN + name for name in ("row", "c", "v", "f", "is", "t", "r", "rPr", "rPh")}  # of <sheetData>
RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships Relationships"
RELATIONSHIP = "http://schemas.openxmlformats.org/package/2006/relationships Relationship"
R_ID = "http://schemas.openxmlformats.org/officeDocument/2006/relationships id"
UTF_8 = {"utf-8", "utf8"}


@dataclass(frozen=True)
class Limits:
    """How much of an XLSX is read, from the number of activities a file may hold (the
    page: 2,000; the command line: 100,000)."""

    lines: int
    parts: int = 1_000
    columns: int = 64  # the last column holding a value: BL
    structure: int = STRUCTURE

    @property
    def unpacked(self) -> int:
        """Bytes of all parts together, uncompressed: 8 MiB and 2 KiB a line, in whole MiB."""
        return (8 + self.lines * 2 // 1024) * MIB

    @property
    def elements(self) -> int:
        """XML elements of the sheets' rows and cells and of the shared strings (a cell is
        two or three)."""
        return 20_000 + self.lines * 48

    @property
    def rows(self) -> int:
        """The last row holding a value: the header, the lines, as many blank rows."""
        return 2 * self.lines + 1


class Refused(ValueError):
    """The workbook is not read: `kind` and its details, for a message in the reader's
    language (agenda_import.describe)."""

    def __init__(self, message: str, kind: str, **details):
        super().__init__(message)
        self.kind = kind
        self.details = details


@dataclass
class Extent:
    """The last row and the last column holding a value, in any sheet."""

    rows: int = 0
    columns: int = 0


def check(data: bytes, limits: Limits) -> Extent:
    """Refuse what would cost more than `limits` to read; else how far the sheets go."""
    # Every entry of the zip's directory begins with this signature: an upper bound of
    # the entries zipfile would make objects of, counted before it makes any.
    if data.count(b"PK\x01\x02") > limits.parts:
        raise Refused(f"more than {limits.parts} parts in the workbook", "parts", most=limits.parts)
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError, OSError, NotImplementedError):
        raise Refused("not an XLSX workbook", "format") from None
    with book:
        parts = book.infolist()
        if len(parts) > limits.parts:
            raise Refused(f"more than {limits.parts} parts in the workbook", "parts", most=limits.parts)
        if sum(part.file_size for part in parts) > limits.unpacked:
            largest = max(parts, key=lambda part: part.file_size)
            raise _too_large(limits, largest.filename)
        if any(part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) for part in parts):
            raise Refused("a part compressed otherwise than Excel does", "format")
        scan = _Scan(limits)
        for part in parts:
            scan.read(book, part)
    return scan.extent


def _too_large(limits: Limits, part: str) -> Refused:
    return Refused(f"more than {limits.unpacked // MIB} MiB once unpacked ({part})", "unpacked",
                   most=limits.unpacked // MIB, part=part)


class _Scan:
    def __init__(self, limits: Limits):
        self.limits = limits
        self.unpacked = 0
        self.cells = self.structure = 0  # elements of the parts read
        self.extent = Extent()
        self.sheets: set[str] = set()  # the workbook's r:ids of its sheets
        self.targets: set[str] = set()  # the parts relationships point to as sheets

    def read(self, book: zipfile.ZipFile, part: zipfile.ZipInfo) -> None:
        xml = _Part(self, part.filename)
        try:
            with book.open(part) as stream:
                while piece := stream.read(PIECE):
                    self.unpacked += len(piece)
                    if self.unpacked > self.limits.unpacked:
                        raise _too_large(self.limits, part.filename)
                    if not xml.feed(piece):
                        return  # not XML (an image…): only its size mattered
                xml.feed(b"", final=True)
        except Refused:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError):
            # a part that is not what the directory says (its size, its CRC), or encrypted
            raise Refused(f"damaged part {part.filename}", "damaged", part=part.filename) from None
        finally:
            self.cells, self.structure = xml.counts()

    def counted(self, cells: int, structure: int) -> None:
        """Refuse once the parts read so far hold too many elements."""
        if cells > self.limits.elements:
            raise Refused(f"more than {self.limits.elements} XML elements of cells", "elements",
                          most=self.limits.elements)
        if structure > self.limits.structure:
            raise Refused(f"more than {self.limits.structure} XML elements besides cells", "structure",
                          most=self.limits.structure)

    def refer(self, kind: str, key: str, part: str) -> None:
        """One sheet per r:id, one r:id per sheet: openpyxl would read a sheet again for
        every time the workbook names it."""
        seen = self.sheets if kind == "id" else self.targets
        if key in seen:
            raise Refused(f"a sheet named twice ({part}: {key})", "sheets", part=part)
        seen.add(key)


class _Part:
    """One part's XML as it streams: counted before expat sees it, then parsed for its
    declarations and, by its root, a worksheet's rows and cells, the shared strings, the
    workbook's sheets or a relationships part's sheets."""

    def __init__(self, scan: _Scan, name: str):
        self.scan, self.name = scan, name
        self.run = 0  # bytes since the last '<'
        self.elements = 0  # as counted in the bytes (end tags aside)
        self.in_data = 0  # a worksheet's elements of rows and cells
        self.root = None
        self.row = self.column = self.cells = 0
        self.cell: int | None = None  # the column of the cell whose value is still to come
        from openpyxl.utils.cell import coordinate_to_tuple  # here: every worker imports this module

        self.coordinate = coordinate_to_tuple  # as openpyxl reads a cell's `r`
        self.parser = pyexpat.ParserCreate(namespace_separator=" ")
        self.parser.XmlDeclHandler = self._declaration
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.StartElementHandler = self._root

    def counts(self, pending: int = 0) -> tuple[int, int]:
        """The scan's elements of cells and of structure with this part's, and `pending`
        ones not yet parsed (cells' in the shared strings or a worksheet)."""
        cells = (self.elements if self.root == SST else self.in_data) + (
            pending if self.root in (SST, WORKSHEET) else 0)
        return self.scan.cells + cells, self.scan.structure + self.elements + pending - cells

    def feed(self, piece: bytes, final: bool = False) -> bool:
        """False once the part is found not to be XML."""
        pieces = piece.split(b"<")
        first = self.run + len(pieces[0])
        longest = max(first, max(map(len, pieces))) if len(pieces) > 1 else first
        self.run = len(pieces[-1]) if len(pieces) > 1 else first
        if longest > RUN:
            raise Refused(f"a cell or a text longer than {EXCEL_CELL} characters ({self.name})", "cell",
                          most=EXCEL_CELL)
        pending = len(pieces) - 1 - piece.count(b"</")  # end tags aside
        if sum(self.counts(pending)) > self.scan.limits.elements + self.scan.limits.structure:
            self.scan.counted(*self.counts(pending))  # before expat sees them: one of them is over
        self.elements += pending
        try:
            self.parser.Parse(piece, final)
        except pyexpat.ExpatError:
            self.elements = self.in_data = 0  # not XML: nothing openpyxl would parse
            return False  # (openpyxl's parser, expat too, stops where this one does)
        self.scan.counted(*self.counts())
        return True

    def _declaration(self, version, encoding, standalone):
        if encoding and encoding.lower() not in UTF_8:
            raise Refused(f"XML in {encoding} ({self.name})", "xml", part=self.name, encoding=encoding)

    def _doctype(self, *_):
        raise Refused(f"a DTD in {self.name}", "xml", part=self.name)

    def _root(self, name, attributes):
        self.root = name
        handlers = {WORKSHEET: self._sheet, WORKBOOK: self._workbook, RELATIONSHIPS: self._relationship}
        self.parser.StartElementHandler = handlers.get(name)

    def _workbook(self, name, attributes):
        if name == SHEET:
            self.scan.refer("id", attributes.get(R_ID, ""), self.name)

    def _relationship(self, name, attributes):
        """As openpyxl resolves a target (openpyxl.packaging.relationship.get_dependents)."""
        kind = attributes.get("Type", "")
        if name == RELATIONSHIP and attributes.get("TargetMode") != "External" and kind.endswith(
                ("/worksheet", "/chartsheet")):
            target = attributes.get("Target", "")
            parent = posixpath.split(posixpath.dirname(self.name))[0]
            target = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(parent, target))
            self.scan.refer("target", target, self.name)

    def _sheet(self, name, attributes):
        """Rows and cells as openpyxl numbers them: `r` when given, else the next."""
        if name in CELLS:
            self.in_data += 1
        try:
            if name == ROW:
                self.row = self.row + 1 if "r" not in attributes else _row_number(attributes["r"])
                self.column = self.cells = 0
                self.cell = None
            elif name == CELL:
                ref = attributes.get("r")
                self.column = self.coordinate(ref)[1] if ref else self.column + 1
                self.cells += 1
                self.cell = self.column
                if self.column > EXCEL_COLUMNS or self.cells > EXCEL_COLUMNS:
                    raise Refused(f"line {self.row}: more than {EXCEL_COLUMNS} cells", "grid", line=self.row,
                                  most=EXCEL_COLUMNS)
            elif name in (VALUE, INLINE) and self.cell is not None:
                self._holds_value(self.cell)
                self.cell = None
        except Refused:
            raise
        except (ValueError, KeyError, IndexError, TypeError, NameError):
            raise Refused(f"a row or a cell beyond Excel's sheet ({self.name})", "format") from None

    def _holds_value(self, column: int) -> None:
        limits, extent = self.scan.limits, self.scan.extent
        if self.row > limits.rows:
            raise Refused(f"line {self.row}: a value past row {limits.rows}", "sheet_rows",
                          line=self.row, most=limits.rows)
        if column > limits.columns:
            raise Refused(f"line {self.row}: a value in column {column}, past column {limits.columns}",
                          "width", line=self.row, column=column, most=limits.columns)
        extent.rows, extent.columns = max(extent.rows, self.row), max(extent.columns, column)


def _row_number(text: str) -> int:
    """As openpyxl reads `<row r>`: an integer, or a float that is one."""
    try:
        return int(text)
    except ValueError:
        value = float(text)
        if value.is_integer():
            return int(value)
        raise

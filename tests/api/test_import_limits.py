"""The agenda import's limits (docs/CLI.md, "Limits of a file"), after an adversarial
review: an XLSX bomb is refused by name before openpyxl reads it, quickly and in little
memory; a CSV's huge field, a header naming a column twice, and a tampered preview are
refusals beside the field, never a 500."""
import html as markup
import io
import re
import time
import tracemalloc

import pytest

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests import xlsx_bombs as bombs
from tests.api.test_pages import login, logins, token_of  # noqa: F401 (fixtures)
from tests.conftest import records_of

SHEET = "xl/worksheets/sheet1.xml"
OPEN, CLOSE = bombs.sheet(bombs.AGENDA_ROWS).split(b"</sheetData>")  # the sheet around where rows go
CLOSE = b"</sheetData>" + CLOSE
HINT = " Gunakan perintah iku import agenda untuk berkas sebesar ini."


def rows_then(head: bytes, block: bytes, count: int, tail: bytes = b"", declared=None) -> bytes:
    """The agenda's sheet with `head + block * count + tail` after its rows."""
    return bombs.workbook({SHEET: bombs.repeated(OPEN + head, block, count, tail + CLOSE, declared)})


def laughs() -> bytes:
    entities = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    return (f'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY l0 "ha">{entities}]>'
            f'<sst xmlns="{bombs.MAIN}"><si><t>&l9;</t></si></sst>').encode()


BOMBS = {
    # the review's: one inline string of 300 MB in a 310 KB file, its size declared
    "a 300 MB cell": (lambda: rows_then(b'<row r="3"><c t="inlineStr"><is><t>', b"a" * bombs.MB, 300,
                                        b"</t></is></c></row>"),
                      "Berkas XLSX ini terlalu besar setelah dibuka: lebih dari 11 MiB (bagian "
                      "xl/worksheets/sheet1.xml)." + HINT),
    "a part larger than it declares": (
        lambda: rows_then(b"<row>", b"<c><v>1</v></c>" * 65536, 30, b"</row>", declared=4000),
        "Berkas XLSX ini rusak: bagian xl/worksheets/sheet1.xml tidak sesuai dengan daftar isinya."),
    "a cell of 1 MB, within the size": (
        lambda: rows_then(b'<row r="3"><c t="inlineStr"><is><t>', b"a" * bombs.MB, 1, b"</t></is></c></row>"),
        "Berkas XLSX ini memuat sel atau teks lebih dari 32767 karakter (batas Excel)."),
    "300 MB of shared strings": (
        lambda: bombs.workbook(shared=bombs.repeated(f'<sst xmlns="{bombs.MAIN}"><si><t>'.encode(),
                                                     b"a" * bombs.MB, 300, b"</t></si></sst>")),
        "Berkas XLSX ini terlalu besar setelah dibuka: lebih dari 11 MiB (bagian xl/sharedStrings.xml)." + HINT),
    "half a million shared strings": (
        lambda: bombs.workbook(shared=bombs.repeated(f'<sst xmlns="{bombs.MAIN}">'.encode(),
                                                     b"<si><t>a</t></si>" * 1000, 500, b"</sst>")),
        "Berkas XLSX ini memuat terlalu banyak unsur (sel, baris, gaya): lebih dari 116000." + HINT),
    "a million empty rows": (lambda: rows_then(b"", b"<row/>" * 1000, 1000),
                             "Berkas XLSX ini memuat terlalu banyak unsur (sel, baris, gaya): lebih dari 116000."
                             + HINT),
    "a value in the last row of Excel": (
        lambda: rows_then(b'<row r="1048576"><c><v>1</v></c></row>', b"", 0),
        "Lembar kerja ini berisi data sampai baris 1048576; yang dibaca paling banyak 4001 baris, termasuk "
        "baris kosong." + HINT),
    "a value in column XFD": (lambda: rows_then(b'<row r="3"><c r="XFD3"><v>1</v></c></row>', b"", 0),
                              "Baris 3 berisi data di kolom ke-16384; yang dibaca paling banyak 64 kolom."),
    "a row of twenty thousand cells": (lambda: rows_then(b'<row r="3">', b"<c/>" * 1000, 20, b"</row>"),
                                       "Baris 3 melampaui lembar Excel: lebih dari 16384 kolom."),
    "twenty thousand cell formats": (
        lambda: bombs.workbook({"xl/styles.xml": bombs.parts()["xl/styles.xml"].replace(
            b'<cellXfs count="1">', b'<cellXfs count="1">' + b'<xf numFmtId="0" fontId="0"/>' * 20_000)}),
        "Berkas XLSX ini memuat terlalu banyak unsur selain sel (gaya, nama, format): lebih dari 10000."),
    "one sheet named a thousand times": (
        lambda: bombs.workbook({"xl/workbook.xml": bombs.parts()["xl/workbook.xml"].replace(
            b"<sheets>", b"<sheets>" + b"".join(b'<sheet name="S%d" sheetId="%d" r:id="rId1"/>' % (i, i + 2)
                                                for i in range(1000)))}),
        "Berkas XLSX ini menyebut satu lembar kerja lebih dari sekali (bagian xl/workbook.xml)."),
    "two thousand parts": (
        lambda: bombs.zipped({**bombs.parts(), **{f"xl/media/image{i}.png": b"" for i in range(2000)}}),
        "Berkas XLSX ini terdiri atas lebih dari 1000 bagian."),
    "styles in UTF-16": (
        lambda: bombs.workbook({"xl/styles.xml": ('<?xml version="1.0" encoding="UTF-16"?>'
                                                  + bombs.parts()["xl/styles.xml"].decode()).encode("utf-16")}),
        "Bagian xl/styles.xml berkas XLSX ini tidak ditulis dalam UTF-8 (UTF-16), tidak seperti tulisan Excel."),
    "a billion laughs": (lambda: bombs.workbook(shared=laughs()),
                         "Berkas XLSX ini memuat deklarasi DTD atau entitas XML (bagian xl/sharedStrings.xml), "
                         "yang tidak pernah ditulis Excel."),
}


def upload(client, body: bytes, name: str, token: str | None = None):
    """As the page's form sends a file (encoded here: the test client leaves a body over
    500 KB in an unclosed temporary file)."""
    token = token or token_of(client.get("/import").get_data(as_text=True))
    boundary, data = encode_multipart({"csrf_token": token, "file": FileStorage(io.BytesIO(body), name)})
    return client.post("/import", data=data, content_type=f"multipart/form-data; boundary={boundary}")


def file_error(html: str) -> str:
    return markup.unescape(re.search(r'id="file-error"[^>]*>([^<]*)<', html)[1])


def traced_upload(client, body: bytes):
    """The answer to an upload, and the most memory it took (Python's allocations, which
    openpyxl's, zipfile's and expat's are)."""
    tracemalloc.start()
    try:
        return upload(client, body, "agenda.xlsx"), tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def timed_upload(client, body: bytes) -> float:
    """The quickest of three uploads (a loaded machine slows some), in seconds."""
    token = token_of(client.get("/import").get_data(as_text=True))
    times = []
    for _ in range(3):
        started = time.perf_counter()
        assert upload(client, body, "agenda.xlsx", token).status_code in (200, 422)
        times.append(time.perf_counter() - started)
    return min(times)


@pytest.mark.parametrize("bomb", BOMBS)
def test_an_xlsx_bomb_is_refused_by_name_quickly_and_in_little_memory(client, login, app, bomb):
    make, message = BOMBS[bomb]
    body = make()
    assert len(body) < 1024 * 1024  # small on disk: the page takes it
    login("protokol")
    refused, peak = traced_upload(client, body)
    assert refused.status_code == 422
    assert file_error(refused.get_data(as_text=True)) == message
    assert peak < 100 * 1024 * 1024, f"{peak / 1e6:.0f} MB"
    assert timed_upload(client, body) < 0.5
    assert records_of(app.extensions["iku"].agenda) == []


def test_a_sheet_claiming_the_whole_grid_is_read_as_the_rows_it_has(client, login):
    """A <dimension> of A1:XFD1048576 (as some programs write) and an empty row at the end
    of the grid: openpyxl would make a million rows of 16,384 cells of them."""
    body = bombs.workbook({SHEET: bombs.sheet(bombs.AGENDA_ROWS + b'<row r="1048576" ht="20" customHeight="1"/>',
                                              before=b'<dimension ref="A1:XFD1048576"/>')})
    login("protokol")
    preview, peak = traced_upload(client, body)
    assert preview.status_code == 200
    assert "1 baris: 1 baru, 0 sudah tercatat, 0 bermasalah." in preview.get_data(as_text=True)
    assert peak < 100 * 1024 * 1024, f"{peak / 1e6:.0f} MB"
    assert timed_upload(client, body) < 0.5


def test_a_cell_longer_than_excel_allows_is_refused_naming_its_line(client, login):
    login("protokol")
    long_title = "Rapat " * 7000  # 42,000 characters
    xlsx = bombs.workbook({SHEET: bombs.sheet(bombs.AGENDA_ROWS + bombs.inline_row(3, (*bombs.LINE[:2], long_title)))})
    refused = upload(client, xlsx, "agenda.xlsx")
    assert refused.status_code == 422
    assert file_error(refused.get_data(as_text=True)) == "Baris 3 memuat sel lebih dari 32767 karakter (batas Excel)."
    # the review's CSV: a field of 900 KB, over csv's own limit (it raised _csv.Error: a 500)
    for field in ("x" * 900_000, long_title):
        body = f"judul;tanggal;jam;pimpinan;lokasi;lingkup\nRapat;07/12/2026;08.00;Bupati;Pendopo;Dalam daerah\n" \
               f"{field};08/12/2026;08.00;Bupati;Pendopo;Dalam daerah\n"
        refused = upload(client, body.encode(), "agenda.csv")
        assert refused.status_code == 422
        assert file_error(refused.get_data(as_text=True)) == \
            "Baris 3 memuat sel lebih dari 32767 karakter (batas Excel)."


def test_a_header_naming_a_column_twice_is_refused_naming_both_cells(client, login, app):
    login("protokol")
    csv = ("Judul kegiatan;Tanggal;Jam;Pimpinan;Lokasi;Lingkup;Title\n"
           "Rapat;07/12/2026;08.00;Bupati;Pendopo;Dalam daerah;Rapat lain\n")
    synonyms = upload(client, csv.encode(), "agenda.csv")
    assert synonyms.status_code == 422
    assert file_error(synonyms.get_data(as_text=True)) == (
        "Judul kolom tidak sesuai (kolom title lebih dari sekali: “Judul kegiatan” (A1), “Title” (G1)). "
        "Unduh templat di bawah.")
    header = (*bombs.HEADER, "Jam", "Judul kegiatan")
    rows = bombs.inline_row(1, header) + bombs.inline_row(2, (*bombs.LINE, "", ""))
    twice = bombs.workbook({SHEET: bombs.sheet(rows)})
    refused = upload(client, twice, "agenda.xlsx")
    assert refused.status_code == 422
    assert file_error(refused.get_data(as_text=True)) == (
        "Judul kolom tidak sesuai (kolom start_time lebih dari sekali: “Jam mulai” (B1), “Jam” (G1); kolom title "
        "lebih dari sekali: “Judul kegiatan” (C1), “Judul kegiatan” (H1)). Unduh templat di bawah.")
    assert records_of(app.extensions["iku"].agenda) == []


@pytest.mark.parametrize(("carried", "why"), [
    ("[" * 100_000 + "]" * 100_000, "bertingkat terlalu dalam"),  # the review's: a RecursionError, a 500
    ("{not json", "bukan JSON"),
    ("[" + "1" * 5000 + "]", "angka terlalu panjang"),
    ('{"title": "Rapat"}', "bukan daftar baris"),
    ("[]", "bukan daftar baris"),
    ('[["Rapat"]]', "bukan daftar baris"),
    ('[{"title": 5, "leaders": "bupati"}]', "isian yang bukan teks atau kolom yang tidak dikenal"),
    ('[{"title": ["Rapat"]}]', "isian yang bukan teks atau kolom yang tidak dikenal"),
    ('[{"judul": "Rapat"}]', "isian yang bukan teks atau kolom yang tidak dikenal"),
    ("[" + ",".join(['{"title": "Rapat"}'] * 2001) + "]", "lebih dari 2000 baris"),
])
def test_a_tampered_preview_is_refused_by_name_and_imports_nothing(client, login, app, carried, why):
    login("protokol")
    token = token_of(client.get("/import").get_data(as_text=True))
    refused = client.post("/import/confirm", data={"csrf_token": token, "lines": carried})
    assert refused.status_code == 422
    assert file_error(refused.get_data(as_text=True)) == f"Pratinjau ini rusak ({why}). Unggah berkasnya lagi."
    assert records_of(app.extensions["iku"].agenda) == []


def test_a_preview_too_large_for_its_form_to_carry_back_offers_no_import(client, login):
    """The import's form carries the lines back URL-encoded, and the server takes 500 KB of
    a form: these 300 lines (long notes) cannot come back, so the preview says so instead
    of offering an import that would fail with 413."""
    login("protokol")
    notes = "Rapat koordinasi lintas sektor; " * 50  # 1,600 characters (notes hold 2,000)
    body = "Judul kegiatan;Tanggal;Jam;Pimpinan;Lokasi;Lingkup;Catatan\n" + "".join(
        f"Rapat {i};{1 + i % 28:02d}/12/2026;08.00;Bupati;Pendopo;Dalam daerah;\"{notes}\"\n" for i in range(300))
    preview = upload(client, body.encode(), "agenda.csv")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 422
    assert "300 baris: 300 baru" in html and 'name="lines"' not in html
    assert "Pratinjau ini terlalu besar untuk diimpor dari halaman ini; gunakan perintah iku import agenda." in html

"""Issue 12, problem 9: next week's agenda from the spreadsheet Excel saves, imported from
the web (and the command line) with a preview; importing it again imports nothing twice."""
import io
import json
import re
from datetime import datetime, time

from openpyxl import Workbook, load_workbook

from tests.api.test_pages import login, logins, token_of  # noqa: F401 (fixtures)
from tests.conftest import log_of, records_of, wib

# As Excel in an Indonesian locale saves "CSV (Comma delimited)": ';', Windows-1252.
EXCEL_CSV = ("Tanggal;Jam mulai;Jam selesai;Judul kegiatan;Pimpinan;Lokasi;Lingkup;Keterangan\r\n"
             "07/12/2026;08.00;11.00;Rapat Koordinasi Penanganan Stunting;Bupati; Wakil Bupati;Pendopo;Dalam daerah;\r\n"
             "08/12/2026;09.30 WIB;;Peresmian Pasar Tanjung – tahap II;Wakil Bupati;Pasar Tanjung;dalam daerah;café\r\n")


def excel_csv() -> bytes:
    # "Bupati; Wakil Bupati" in one cell is quoted by Excel
    return EXCEL_CSV.replace("Bupati; Wakil Bupati", '"Bupati; Wakil Bupati"').encode("cp1252")


def upload(client, body: bytes, name: str):
    html = client.get("/import").get_data(as_text=True)
    return client.post("/import", data={"csrf_token": token_of(html), "file": (io.BytesIO(body), name)},
                       content_type="multipart/form-data")


def confirm(client, preview_html: str):
    carried = re.search(r'name="lines" value="([^"]*)"', preview_html)
    import html as markup

    return client.post("/import/confirm", data={"csrf_token": token_of(preview_html),
                                                "lines": markup.unescape(carried[1]), "filename": "agenda.csv"})


def test_an_agenda_saved_by_indonesian_excel_is_previewed_then_imported_and_not_twice(client, login, app):
    login("protokol")
    preview = upload(client, excel_csv(), "agenda minggu depan.csv")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200, html
    assert "2 baris: 2 baru, 0 sudah tercatat, 0 bermasalah." in html
    assert "Senin, 7 Desember 2026 08.00–11.00 WIB" in html and "Peresmian Pasar Tanjung – tahap II" in html
    assert records_of(app.extensions["iku"].agenda) == []  # a preview writes nothing
    done = confirm(client, html)
    assert done.status_code == 303 and "period=2026-12-07..2026-12-08" in done.headers["Location"]
    events = log_of(app.extensions["iku"].agenda)
    assert len(events) == 2
    first = app.extensions["iku"].agenda.history(events[0].originator_id)[0]
    assert first.data["leaders"] == ["bupati", "wakil_bupati"] and first.data["scope"] == "dalam_daerah"
    assert (first.data["starts_at"], first.data["ends_at"]) == (wib(2026, 12, 7, 8), wib(2026, 12, 7, 11))
    assert app.extensions["iku"].agenda.history(events[1].originator_id)[0].data["notes"] == "café"
    again = upload(client, excel_csv(), "agenda minggu depan.csv").get_data(as_text=True)
    assert "2 baris: 0 baru, 2 sudah tercatat, 0 bermasalah." in again and 'name="lines"' not in again
    assert "Semua kegiatan di berkas ini sudah tercatat" in again
    replay = confirm(client, html)  # the first preview's form sent again
    assert replay.status_code == 303
    assert len(log_of(app.extensions["iku"].agenda)) == 2
    page = client.get(replay.headers["Location"]).get_data(as_text=True)
    assert "0 kegiatan diimpor. 2 sudah tercatat sebelumnya, dilewati." in page


def test_an_xlsx_with_date_and_time_cells_and_a_visit_of_several_days(client, login, app):
    book = Workbook()
    sheet = book.active
    sheet.append(["Hari/Tanggal", "Waktu", "Tanggal selesai", "Jam selesai", "Kegiatan", "Pimpinan", "Tempat", "Lingkup"])
    sheet.append([datetime(2026, 12, 7), time(8, 0), datetime(2026, 12, 9), time(15, 0), "Kunjungan Kerja ke Jakarta",
                  "Bupati", "Kemendagri", "Luar daerah"])
    sheet.append(["Kamis, 10 Desember 2026", "13.00 s.d. 15.00", None, None, "Audiensi Forum Anak", "Bupati dan Wabup",
                  "Pendopo", "Dalam Daerah"])
    data = io.BytesIO()
    book.save(data)
    login("protokol")
    html = upload(client, data.getvalue(), "agenda.xlsx").get_data(as_text=True)
    assert "2 baris: 2 baru" in html, html
    assert confirm(client, html).status_code == 303
    ids = [n.originator_id for n in log_of(app.extensions["iku"].agenda)]
    visit, audience = (app.extensions["iku"].agenda.history(i)[0].data for i in ids)
    assert (visit["starts_at"], visit["ends_at"], visit["scope"]) == (wib(2026, 12, 7, 8), wib(2026, 12, 9, 15), "luar_daerah")
    assert (audience["starts_at"], audience["ends_at"]) == (wib(2026, 12, 10, 13), wib(2026, 12, 10, 15))
    assert audience["leaders"] == ["bupati", "wakil_bupati"]


def test_a_bad_line_is_named_in_indonesian_and_nothing_can_be_imported(client, login, app):
    login("protokol")
    body = excel_csv().replace(b"08/12/2026", b"31/02/2026").replace(b"Dalam daerah", b"Dalem")
    preview = upload(client, body, "agenda.csv")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 422
    assert "Baris 2 · Lingkup: Pilihan tidak dikenal." in html
    assert "Baris 3 · Tanggal: Bukan tanggal (hh/bb/tttt)." in html
    assert 'name="lines"' not in html and records_of(app.extensions["iku"].agenda) == []


def test_a_file_with_wrong_columns_or_not_a_spreadsheet_is_refused_beside_the_field(client, login):
    login("protokol")
    wrong = upload(client, b"judul;tempat\nRapat;Pendopo\n", "agenda.csv")
    assert wrong.status_code == 422
    assert "kolom wajib tidak ada: leaders, scope, starts_at" in wrong.get_data(as_text=True)
    broken = upload(client, b"PK\x03\x04 not really a workbook", "agenda.xlsx")
    assert broken.status_code == 422 and "Bukan berkas CSV atau XLSX" in broken.get_data(as_text=True)
    tampered = client.post("/import/confirm", data={"csrf_token": token_of(client.get("/import").get_data(as_text=True)),
                                                    "lines": "{not json"})
    assert tampered.status_code == 422


def test_only_who_schedules_imports_and_the_facts_need_their_roles(client, login, app):
    login("dokumentasi")
    assert client.get("/import").status_code == 403
    login("protokol")
    body = "judul;tanggal;jam;pimpinan;lokasi;lingkup;media dokumentasi\nRapat;07/12/2026;08.00;Bupati;Pendopo;Dalam daerah;Foto\n"
    preview = upload(client, body.encode(), "agenda.csv")
    assert preview.status_code == 403
    assert "Peran Anda tidak boleh mengimpor kolom media dokumentasi." in preview.get_data(as_text=True)


def test_the_template_downloads_and_imports_as_it_is(client, login, app):
    login("protokol")
    xlsx = client.get("/import/templat-agenda.xlsx")
    assert xlsx.status_code == 200 and load_workbook(io.BytesIO(xlsx.data)).active["A1"].value == "Tanggal"
    csv_file = client.get("/import/templat-agenda.csv")
    assert csv_file.data.startswith("\ufeffTanggal;Jam mulai".encode())
    for body, name in ((xlsx.data, "t.xlsx"), (csv_file.data, "t.csv")):
        html = upload(client, body, name).get_data(as_text=True)
        assert "1 baris: " in html and "0 bermasalah" in html, name


def test_the_command_line_reads_the_same_files_and_skips_what_is_recorded(tmp_path, database):
    from click.testing import CliRunner

    from api.cli import main

    path = tmp_path / "agenda.csv"
    path.write_bytes(excel_csv())
    env = {"IKU_DATABASE": database, "IKU_EVIDENCE_DIR": str(tmp_path / "evidence")}
    first = CliRunner().invoke(main, ["import", "agenda", str(path)], env=env)
    assert first.exit_code == 0 and "2 kegiatan diimpor (2 peristiwa)." in first.output, first.output
    again = CliRunner().invoke(main, ["import", "agenda", str(path)], env=env)
    assert again.exit_code == 0 and "0 kegiatan diimpor (0 peristiwa). 2 sudah tercatat, dilewati." in again.output

"""`iku import agenda` refuses by name what the page refuses (docs/CLI.md, "Limits of a
file"): an XLSX bomb, a CSV's field over csv's own limit, a header naming a column twice;
exit code 1, one line on stderr, no traceback, nothing imported."""
import pytest

from tests import xlsx_bombs as bombs
from tests.api.test_import_limits import BOMBS, laughs
from tests.integration.test_cli import iku  # noqa: F401 (fixture)

LINE = "07/12/2026;08.00;Bupati;Pendopo;Dalam daerah"
CSV = f"judul;tanggal;jam;pimpinan;lokasi;lingkup\nRapat;{LINE}\n"


@pytest.mark.parametrize(("name", "body", "message"), [
    # the review's bomb: one 300 MB cell in a 310 KB XLSX (the command line reads up to 203 MiB)
    pytest.param("agenda.xlsx", BOMBS["a 300 MB cell"][0],
                 "Berkas XLSX ini terlalu besar setelah dibuka: lebih dari 203 MiB (bagian xl/worksheets/sheet1.xml).",
                 id="a 300 MB cell"),
    pytest.param("agenda.xlsx", BOMBS["a part larger than it declares"][0],
                 "Berkas XLSX ini rusak: bagian xl/worksheets/sheet1.xml tidak sesuai dengan daftar isinya.",
                 id="a part larger than it declares"),
    pytest.param("agenda.xlsx", lambda: bombs.workbook(shared=laughs()),
                 "Berkas XLSX ini memuat deklarasi DTD atau entitas XML (bagian xl/sharedStrings.xml), yang tidak "
                 "pernah ditulis Excel.", id="a billion laughs"),
    pytest.param("agenda.xlsx", BOMBS["a value in column XFD"][0],
                 "Baris 3 berisi data di kolom ke-16384; yang dibaca paling banyak 64 kolom.", id="column XFD"),
    pytest.param("agenda.csv", lambda: f"{CSV}{'x' * 900_000};{LINE}\n".encode(),
                 "Baris 3 memuat sel lebih dari 32767 karakter (batas Excel).", id="a CSV field of 900 KB"),
    pytest.param("agenda.csv", lambda: f"judul;tanggal;jam;pimpinan;lokasi;lingkup;title\nRapat;{LINE};R\n".encode(),
                 "Judul kolom tidak sesuai (kolom title lebih dari sekali: “judul” (A1), “title” (G1)).",
                 id="judul and title"),
])
def test_the_command_line_refuses_by_name_with_exit_code_1_and_imports_nothing(iku, tmp_path, name, body,
                                                                                message):
    path = tmp_path / name
    path.write_bytes(body())
    result = iku("import", "agenda", str(path), ok=False)  # a traceback would raise here
    assert result.exit_code == 1
    assert result.stderr == f"Galat: {message}\n"
    assert iku("export", "events").stdout == ""

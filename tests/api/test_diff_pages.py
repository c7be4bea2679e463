"""The diff page and its workbook over many changes (finding 4 of the adversarial review):
the page shows a hundred activities and a hundred ucapan a page, each list with its own
pager, whatever the range; the workbook holds every change. Their speed is measured by
bench/diff.py (docs/PERFORMANCE.md), not here. On both stores."""
import re
from io import BytesIO

import pytest
from openpyxl import load_workbook

from domain.context import acting_as
from tests.api.test_pages import login, logins  # noqa: F401 - fixtures
from tests.conftest import wib

ACTIVITIES, UCAPAN = 110, 130  # each more than the pages' 100


@pytest.fixture(autouse=True)
def sign_a_checkpoint_a_minute(monkeypatch):
    """Not one per write: hundreds of records are written (the audit is not what is tested here)."""
    monkeypatch.setenv("IKU_CHECKPOINT_INTERVAL", "60")


@pytest.fixture
def changed(app):
    """ACTIVITIES activities and UCAPAN ucapan of the first quarter of 2021, all recorded
    after the instant returned (the diff's `from`)."""
    agenda = app.extensions["iku"].agenda
    with acting_as("protokol"):
        since = agenda.schedule(title="Sebelumnya", leaders=["bupati"], starts_at=wib(2021, 1, 4, 9),
                                location="Puger", scope="dalam_daerah").recorded_at
        for i in range(ACTIVITIES):
            agenda.schedule(title=f"Rapat {i:03d}", leaders=["bupati"], starts_at=wib(2021, 1 + i % 3, 1 + i % 28, 9),
                            location="Puger", scope="dalam_daerah")
        for i in range(UCAPAN):
            agenda.request_ucapan(kind="duka", recipient=f"Keluarga {i:03d}", relation="masyarakat",
                                  occasion="Wafatnya orang tua", leaders=["bupati"],
                                  due_on=f"2021-0{1 + i % 3}-{1 + i % 28:02d}")
    return since.isoformat()


def shown(html: str) -> tuple[list[str], list[str]]:
    return re.findall(r">(Rapat \d{3})</a></h3>", html), re.findall(r">(Keluarga \d{3})</a></h3>", html)


def test_the_diff_page_shows_a_hundred_ucapan_a_page_beside_a_hundred_activities(client, login, changed):
    login("pimpinan")
    html = client.get("/dashboard/diff", query_string={"period": "2021-Q1", "from": changed}).get_data(as_text=True)
    activities, ucapan = shown(html)
    assert (len(activities), len(ucapan)) == (100, 100)
    assert f"Kegiatan yang berubah ({ACTIVITIES})" in html and f"Ucapan yang berubah ({UCAPAN})" in html
    assert html.count("Halaman 1 dari 2") == 2  # a pager under each list
    following = re.findall(r'<a rel="next" href="([^"]+)"', html)[1].replace("&amp;", "&")
    assert "ucapan_page=2" in following and following.endswith("#ucapan-changes")
    second = client.get(following).get_data(as_text=True)
    more_activities, more_ucapan = shown(second)
    assert more_activities == activities  # the activities' page stays where it was
    assert len(more_ucapan) == UCAPAN - 100 and not set(more_ucapan) & set(ucapan)
    assert "Halaman 2 dari 2" in second


def test_the_diff_workbook_holds_every_changed_activity_and_ucapan(client, login, changed):
    login("pimpinan")
    response = client.get("/dashboard/diff.xlsx", query_string={"period": "2021-Q1", "from": changed})
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(BytesIO(response.data))["Perubahan"]
    values = [c.value for row in sheet.iter_rows() for c in row if c.value is not None]
    named = lambda pattern: sorted(v for v in values if re.fullmatch(pattern, str(v)))  # noqa: E731
    assert named(r"Rapat \d{3}") == [f"Rapat {i:03d}" for i in range(ACTIVITIES)]
    assert named(r"Keluarga \d{3}") == [f"Keluarga {i:03d}" for i in range(UCAPAN)]
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    assert sheet["A3"].value == "Indikator" and sheet["A3"].font.bold  # the first table, two rows below the title

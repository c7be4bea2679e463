"""Issue 13, targets: the pimpinan sets and changes a yearly target in the web with a
reason; its history is shown; the diff names a target change as a cause of a capaian
change, shows a change of media, and keeps both dates filled."""
import re
from decimal import Decimal
from uuid import UUID
from zoneinfo import ZoneInfo

from domain.context import acting_as
from tests.api.test_pages import activity_id, errors_of, login, logins, post_form, token_of  # noqa: F401
from tests.conftest import log_of


def set_target(client, code, target, reason, year=2021):
    html = client.get(f"/targets?year={year}").get_data(as_text=True)
    return client.post(f"/targets?year={year}", data={"csrf_token": token_of(html), "indicator": code,
                                                       "target": target, "reason": reason})


def test_the_pimpinan_sets_and_changes_a_target_with_a_reason_and_sees_its_history(client, login, app):
    login("pimpinan")
    assert set_target(client, "IKU-1", "90", "Perjanjian Kinerja 2021").status_code == 303
    assert set_target(client, "IKU-1", "92,5", "Perubahan Perjanjian Kinerja setelah APBD-P").status_code == 303
    html = client.get("/targets?year=2021").get_data(as_text=True)
    assert re.search(r'data-target="IKU-1">92,50%<', html)
    history = " ".join(re.search(r'<table id="target-history">.*?</table>', html, re.S).group(0).split())
    assert "diubah: 92,50%" in history and "Perubahan Perjanjian Kinerja setelah APBD-P" in history
    assert "ditetapkan: 90,00%" in history and "Perjanjian Kinerja 2021" in history
    assert history.index("92,50%") < history.index("90,00%")  # latest first
    assert app.extensions["iku"].agenda.target_as_of("IKU-1", 2021, app.extensions["iku"].agenda.fix_as_of()[0]) == Decimal("92.5")


def test_a_target_without_a_reason_or_out_of_range_is_refused_beside_the_field(client, login, app):
    login("pimpinan")
    for target, reason, message in (("90", " ", "Wajib diisi."), ("", "PK", "Wajib diisi."),
                                    ("101", "PK", "Angka 0–100, mis. 92,5."), ("sembilan", "PK", "Angka 0–100, mis. 92,5."),
                                    ("90,123", "PK", "Angka 0–100, mis. 92,5.")):
        response = set_target(client, "IKU-2", target, reason)
        assert response.status_code == 422 and message in errors_of(response.get_data(as_text=True)), target
    assert log_of(app.extensions["iku"].agenda) == []


def test_staff_read_the_targets_but_may_not_set_them(client, login, app):
    login("protokol")
    html = client.get("/targets?year=2021").get_data(as_text=True)
    assert "Target Perjanjian Kinerja tahun 2021" in html and 'name="target"' not in html
    response = client.post("/targets?year=2021", data={"csrf_token": token_of(html), "indicator": "IKU-1",
                                                       "target": "90", "reason": "x"})
    assert response.status_code == 403 and log_of(app.extensions["iku"].agenda) == []


def test_the_diff_names_a_target_change_as_the_cause_of_a_capaian_change(client, login, app, activity_id, auth):
    agenda = app.extensions["iku"].agenda
    with acting_as("pimpinan"):
        agenda.set_target(indicator="IKU-1", year=2021, target=Decimal("80"), reason="Perjanjian Kinerja 2021")
        since = agenda.record_protocol(UUID(activity_id), officers=["Ani"]).recorded_at
        agenda.set_target(indicator="IKU-1", year=2021, target=Decimal("100"), reason="Perubahan PK")
    login("pimpinan")
    html = client.get("/dashboard/diff", query_string={"period": "2021-Q2", "from": since.isoformat()}).get_data(as_text=True)
    flat = " ".join(html.split())
    assert "Kegiatan yang berubah (0)" in flat  # no activity changed: the target did
    changes = " ".join(re.search(r'<ul id="target-changes">.*?</ul>', html, re.S).group(0).split())
    assert "IKU-1 2021: target diubah menjadi 100,00%" in changes and "pimpinan: Perubahan PK" in changes
    assert '<td class="changed">125,00%</td>' in flat and '<td class="changed">100,00%</td>' in flat  # capaian
    # the boxes hold the local dates compared: pressing "Bandingkan" again works
    day = since.astimezone(ZoneInfo("Asia/Jakarta")).date().strftime("%d/%m/%Y")  # WIB, as the office writes dates
    assert re.search(rf'id="from" name="from" [^>]*value="{day}"', html)
    assert re.search(r'id="as_of" name="as_of" [^>]*value="\d{2}/\d{2}/\d{4}"', html)
    assert "Dibandingkan sejak saat laporan disampaikan" in html
    body = client.get("/api/v1/iku/diff", query_string={"period": "2021-Q2", "from": since.isoformat()},
                      headers=auth("inspektorat")).json
    assert [(e["type"], e["data"]["target"], e["data"]["reason"]) for e in body["target_changes"]] == [
        ("TargetChanged", "100", "Perubahan PK")]


def test_the_diff_shows_a_change_of_media_only(client, login, app, activity_id):
    agenda = app.extensions["iku"].agenda
    with acting_as("dokumentasi"):
        since = agenda.record_documentation(UUID(activity_id), media="foto").recorded_at
        agenda.record_documentation(UUID(activity_id), media="video")
    login("pimpinan")
    html = client.get("/dashboard/diff", query_string={"period": "2021-Q2", "from": since.isoformat()}).get_data(as_text=True)
    card = " ".join(re.search(r'<section class="card change">.*?</section>', html, re.S).group(0).split())
    assert "Media dokumentasi</th> <td>Foto</td><td>Foto, Video</td>" in card
    assert "Terdokumentasi" not in card  # rows that did not change are not shown


def test_the_diff_downloads_as_a_workbook_with_every_change(client, login, app, activity_id):
    import io

    from openpyxl import load_workbook

    agenda = app.extensions["iku"].agenda
    with acting_as("pimpinan"):
        since = agenda.set_target(indicator="IKU-1", year=2021, target=Decimal("80"), reason="PK 2021").recorded_at
        agenda.record_protocol(UUID(activity_id), officers=["Ani"])
        agenda.set_target(indicator="IKU-1", year=2021, target=Decimal("100"), reason="Perubahan PK")
    login("pimpinan")
    html = client.get("/dashboard/diff", query_string={"period": "2021-Q2", "from": since.isoformat()}).get_data(as_text=True)
    link = re.search(r'id="diff-xlsx" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    response = client.get(link)
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data))["Perubahan"]
    values = [c.value for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "Kunjungan Kerja ke Kecamatan Puger" in values and "Mendapat pelayanan keprotokolan" in values
    assert "IKU-1: target diubah" in values and "Perubahan PK" in values
    assert 80.0 in values and 100.0 in values  # the target then and now
    assert any(str(v).startswith("Perubahan angka IKU · Triwulan II 2021:") for v in values)
    assert client.get("/dashboard/diff.xlsx?period=2021-Q2&from=kemarin").status_code == 422


def test_a_title_typed_as_a_formula_stays_text_in_the_workbooks(client, login, app):
    """Review: an activity titled '=HYPERLINK(…)' became a live formula in the diff workbook."""
    import io

    from openpyxl import load_workbook

    from tests.conftest import wib

    agenda = app.extensions["iku"].agenda
    title = '=HYPERLINK("http://evil.example/x","Klik")'
    with acting_as("protokol"):
        agenda.schedule(title=title, leaders=["bupati"], starts_at=wib(2021, 4, 5, 9), location="Puger",
                        scope="dalam_daerah")
    login("pimpinan")
    response = client.get("/dashboard/diff.xlsx?period=2021-Q2&from=2021-01-01")
    cells = [c for row in load_workbook(io.BytesIO(response.data))["Perubahan"].iter_rows() for c in row]
    found = [c for c in cells if c.value == title]
    assert found and all(c.data_type == "s" for c in found)


def test_a_target_for_a_year_that_is_not_one_is_refused_not_set_for_this_year(client, login, app):
    login("pimpinan")
    html = client.get("/targets?year=2021").get_data(as_text=True)
    response = client.post("/targets?year=20x1", data={"csrf_token": token_of(html), "indicator": "IKU-1",
                                                       "target": "90", "reason": "PK"})
    assert response.status_code == 422 and log_of(app.extensions["iku"].agenda) == []
    assert client.get("/targets?year=1850").status_code == 404


def test_the_dashboard_and_explain_name_the_target_setting_the_capaian_is_measured_against(
        client, login, app, activity_id, auth):
    agenda = app.extensions["iku"].agenda
    with acting_as("pimpinan"):
        agenda.set_target(indicator="IKU-1", year=2021, target=Decimal("80"), reason="Perjanjian Kinerja 2021")
        agenda.set_target(indicator="IKU-1", year=2021, target=Decimal("95"), reason="Revisi setelah APBD-P")
    login("pimpinan")
    html = " ".join(client.get("/dashboard?period=2021-Q2").get_data(as_text=True).split())
    assert re.search(r'class="target-set-by">Target diubah [^<]+ oleh pimpinan: Revisi setelah APBD-P</small>', html)
    body = client.get("/api/v1/iku/explain?period=2021-Q2&indicator=IKU-1", headers=auth("inspektorat")).json
    assert [(e["type"], e["data"]["target"], e["data"]["reason"]) for e in body["target_events"]] == [
        ("TargetSet", "80", "Perjanjian Kinerja 2021"), ("TargetChanged", "95", "Revisi setelah APBD-P")]
    diff = " ".join(client.get("/dashboard/diff?period=2021-Q2&from=2021-01-01").get_data(as_text=True).split())
    assert "<th scope=\"col\">Dibatalkan</th>" in diff

"""Issue 14, the pages: the ucapan due this week and overdue, the request form, an ucapan's
page with its delivery (photos included), cancellation and retraction forms; the
dashboard's cards of the supporting and the goal indicator, linked to the ucapan behind
each number. Bad input is shown beside its field and appends nothing."""
import io
import re
from datetime import timedelta

import pytest
from PIL import Image

from domain.context import acting_as
from tests.api.test_pages import activity_id, errors_of, login, logins, post_form, token_of  # noqa: F401 - fixtures
from tests.conftest import log_of

REQUEST = {"kind": "duka", "recipient": "Keluarga almarhum Bapak Suroso", "relation": "keluarga_asn",
           "occasion": "Wafatnya Bapak Suroso, ASN Dinas Pendidikan", "leaders": ["bupati"], "due_on": "2021-03-02"}


def today(app):
    from api.service_layer.queries import today as office_today

    return office_today(app.extensions["iku"])


def request_ucapan(app, due_on, **extra):
    with acting_as("protokol.user"):
        return app.extensions["iku"].agenda.request_ucapan(**{**REQUEST, "due_on": str(due_on), **extra}).activity_id


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "JPEG")
    return out.getvalue()


def test_the_list_shows_the_overdue_first_then_this_weeks(client, login, app):
    day = today(app)
    overdue = request_ucapan(app, day - timedelta(days=3), recipient="Terlambat Satu")
    monday = day - timedelta(days=day.weekday())
    request_ucapan(app, monday + timedelta(days=6), recipient="Minggu Ini Dua")
    request_ucapan(app, monday + timedelta(days=14), recipient="Minggu Depan Tiga")
    login("protokol")
    html = client.get("/ucapan").get_data(as_text=True)
    assert html.index("Terlambat Satu") < html.index("Minggu Ini Dua")
    assert "Minggu Depan Tiga" not in html
    assert "Lewat jatuh tempo, belum disampaikan (1)" in " ".join(html.split())
    assert f"/ucapan/{overdue}" in html and 'href="/ucapan/baru"' in html


def test_protokol_requests_an_ucapan_on_the_form_and_records_its_delivery_with_a_photo(client, login, app):
    login("protokol")
    response = post_form(client, "/ucapan/baru", "/ucapan/baru", {**REQUEST})
    assert response.status_code == 303
    page = response.headers["Location"]
    html = client.get(page).get_data(as_text=True)
    assert "Keluarga almarhum Bapak Suroso" in html and "belum disampaikan" in html
    form = client.get(page).get_data(as_text=True)
    response = client.post(f"{page}/delivery", content_type="multipart/form-data", data={
        "csrf_token": token_of(form), "form_token": token_of(form, "form_token"), "channel": "karangan_bunga",
        "delivered_date": "2021-03-02", "delivered_time": "10:30", "delivered_by": "Ahmad Fauzi\nSiti",
        "files": (io.BytesIO(jpeg()), "bunga.jpg")})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    html = client.get(page).get_data(as_text=True)
    assert "tersampaikan 2 Mar 2021" in html and "Karangan bunga" in html
    assert re.search(r'<img src="/evidence/[0-9a-f]{64}\?thumbnail=1"', html)
    events = [n for n in log_of(app.extensions["iku"].agenda) if "UcapanDelivered" in n.topic]
    assert len(events) == 1


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"kind": ""}, "kind", "Wajib diisi."),
    ({"recipient": "   "}, "recipient", "Wajib diisi."),
    ({"relation": "tetangga"}, "relation", "Pilihan tidak dikenal."),
    ({"leaders": []}, "leaders", "Pilih atau sebutkan paling sedikit satu."),
    ({"due_on": "2021-02-30"}, "due_on", "Tanggal tidak sah."),
])
def test_a_bad_request_form_is_shown_again_beside_its_field_and_appends_nothing(
        client, login, app, data, field, message):
    login("protokol")
    before = log_of(app.extensions["iku"].agenda)
    response = post_form(client, "/ucapan/baru", "/ucapan/baru", {**REQUEST, **data})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error">{message}<' in html
    assert log_of(app.extensions["iku"].agenda) == before


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"channel": ""}, "channel", "Wajib diisi."),
    ({"delivered_by": "  "}, "delivered_by", "Tulis paling sedikit satu nama."),
    ({"delivered_time": "25:00"}, "delivered_time", "Jam tidak sah (jj:mm)."),
    ({"delivered_date": "2999-01-01"}, "delivered_time",
     "Penyampaian dicatat setelah terjadi: tidak boleh di masa depan."),
])
def test_a_bad_delivery_form_is_shown_again_beside_its_field_and_appends_nothing(
        client, login, app, data, field, message):
    ucapan = request_ucapan(app, "2021-03-02")
    login("protokol")
    before = log_of(app.extensions["iku"].agenda)
    response = post_form(client, f"/ucapan/{ucapan}", f"/ucapan/{ucapan}/delivery", {
        "channel": "surat", "delivered_date": "2021-03-02", "delivered_time": "10:00", "delivered_by": "Ani", **data})
    assert response.status_code == 422
    assert f'id="{field}-error">{message}<' in response.get_data(as_text=True)
    assert log_of(app.extensions["iku"].agenda) == before


def test_a_cancellation_asks_to_be_sure_and_a_delivered_ucapan_needs_its_delivery_retracted_first(
        client, login, app):
    ucapan = request_ucapan(app, "2021-03-02")
    login("protokol")
    page = f"/ucapan/{ucapan}"
    response = post_form(client, page, f"{page}/cancel", {"reason": "Keluarga menolak"})
    assert response.status_code == 422 and "Centang untuk memastikan pembatalan." in errors_of(
        response.get_data(as_text=True))
    assert post_form(client, page, f"{page}/delivery", {
        "channel": "surat", "delivered_date": "2021-03-01", "delivered_time": "09:00",
        "delivered_by": "Ani"}).status_code == 303
    html = client.get(page).get_data(as_text=True)
    assert "Batalkan ucapan ini…" not in html  # delivered: retract it first
    response = post_form(client, page, f"{page}/cancel", {"reason": "x", "confirm": "1"})
    assert response.status_code == 409 and "ralat penyampaiannya dulu" in response.get_data(as_text=True)
    assert post_form(client, page, f"{page}/retract", {"entry": "2", "reason": "Salah catat"}).status_code == 303
    assert post_form(client, page, f"{page}/cancel", {"reason": "Tidak jadi", "confirm": "1"}).status_code == 303
    html = client.get(page).get_data(as_text=True)
    assert "dibatalkan" in html and "Tidak jadi" in html and "Catat penyampaian" not in html


@pytest.mark.parametrize("role", ["inspektorat", "pimpinan", "dokumentasi"])
def test_readers_see_the_ucapan_without_forms_and_a_forged_post_is_403(client, login, app, role):
    ucapan = request_ucapan(app, "2021-03-02")
    login(role)
    html = client.get(f"/ucapan/{ucapan}").get_data(as_text=True)
    assert "Keluarga almarhum Bapak Suroso" in html and "Catat penyampaian" not in html
    assert "Catat permintaan ucapan" not in client.get("/ucapan").get_data(as_text=True)
    assert client.get("/ucapan/baru").status_code == 403
    before = log_of(app.extensions["iku"].agenda)
    token = token_of(html)
    for path in ("delivery", "cancel", "retract"):
        assert client.post(f"/ucapan/{ucapan}/{path}", data={
            "csrf_token": token, "channel": "surat", "delivered_date": "2021-03-02", "delivered_time": "10:00",
            "delivered_by": "x", "reason": "x", "confirm": "1", "entry": "1"}).status_code == 403
    assert log_of(app.extensions["iku"].agenda) == before


def test_the_dashboard_shows_the_supporting_and_the_goal_indicator_linked_to_the_ucapan_behind_them(
        client, login, app, activity_id):
    on_time, late = request_ucapan(app, "2021-04-05", recipient="Tepat Waktu"), request_ucapan(
        app, "2021-04-05", recipient="Terlambat Sekali")
    from tests.conftest import wib
    with acting_as("protokol.user"):
        agenda = app.extensions["iku"].agenda
        agenda.deliver_ucapan(on_time, channel="surat", delivered_by=["Ani"], delivered_at=wib(2021, 4, 5, 9))
        agenda.deliver_ucapan(late, channel="surat", delivered_by=["Ani"], delivered_at=wib(2021, 4, 7, 9))
    login("pimpinan")
    html = client.get("/dashboard?period=2021-Q2").get_data(as_text=True)
    flat = " ".join(html.split())
    assert "PENDUKUNG-1 <small class=\"kind\">Indikator pendukung (kantor)</small>" in flat
    assert "TUJUAN-1 <small class=\"kind\">Indikator Tujuan</small>" in flat
    assert 'data-code="PENDUKUNG-1">50,00%' in flat
    assert "Persentase pelayanan protokoler pimpinan daerah, komunikasi pimpinan daerah" in flat
    assert "Pembilang dan penyebut dijumlahkan dari:" in flat
    link = re.search(r'href="(/ucapan\?[^"]*status=on_time[^"]*)"', html).group(1).replace("&amp;", "&")
    listed = client.get(link).get_data(as_text=True)
    assert "Tepat Waktu" in listed and "Terlambat Sekali" not in listed
    late_link = re.search(r'href="(/ucapan\?[^"]*status=late[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "Terlambat Sekali" in client.get(late_link).get_data(as_text=True)
    assert ">Terlambat: 1</a>" in html  # the card says how many (the usability review)
    back = client.get(f"/ucapan/{late}").get_data(as_text=True)
    assert f'href="{late_link}"'.replace("&", "&amp;") in back  # back to the list it came from


def test_a_quiet_week_links_the_latest_month_with_ucapan(client, login, app):
    """The demo's ucapan are of 2021: a week without any still leads to them."""
    request_ucapan(app, "2021-12-20")
    login("protokol")
    html = client.get("/ucapan").get_data(as_text=True)
    assert 'href="/ucapan?period=2021-12"' in html and "Lihat ucapan Desember 2021" in html


def test_the_list_opens_on_29_february(client, login, app, monkeypatch):
    from datetime import date

    import api.web.ucapan

    monkeypatch.setattr(api.web.ucapan, "today", lambda svc: date(2028, 2, 29))
    login("protokol")
    assert client.get("/ucapan").status_code == 200


def test_a_too_long_delivery_note_is_shown_beside_its_field(client, login, app):
    ucapan = request_ucapan(app, "2021-03-02")
    login("protokol")
    response = post_form(client, f"/ucapan/{ucapan}", f"/ucapan/{ucapan}/delivery", {
        "channel": "surat", "delivered_date": "2021-03-02", "delivered_time": "10:00", "delivered_by": "Ani",
        "notes": "x" * 2001})
    assert response.status_code == 422 and 'id="notes-error">Terlalu panjang.<' in response.get_data(as_text=True)


def test_the_list_of_a_period_has_filters_and_says_what_cannot_be_read_beside_it(client, login, app):
    request_ucapan(app, "2021-03-02", recipient="Maret Satu")
    request_ucapan(app, "2021-04-02", recipient="April Dua", leaders=["wakil_bupati"])
    login("pimpinan")
    html = client.get("/ucapan?period=Maret 2021").get_data(as_text=True)
    assert "Maret Satu" in html and "April Dua" not in html and '<select id="status" name="status">' in html
    assert "April Dua" in client.get("/ucapan?period=2021&leader=wakil_bupati").get_data(as_text=True)
    response = client.get("/ucapan?period=2021-Q5&status=hilang")
    assert response.status_code == 200
    errors = re.findall(r'class="error" id="([a-z_]+)-error">', response.get_data(as_text=True))
    assert set(errors) == {"period", "status"}



def test_a_refused_delivery_keeps_its_photo_and_says_every_problem_at_once(client, login, app):
    """The usability review: the photo chosen on a phone was lost when another field was
    refused, and the errors came one round at a time."""
    ucapan = request_ucapan(app, "2021-03-02")
    login("protokol")
    page = client.get(f"/ucapan/{ucapan}").get_data(as_text=True)
    response = client.post(f"/ucapan/{ucapan}/delivery", content_type="multipart/form-data", data={
        "csrf_token": token_of(page), "form_token": token_of(page, "form_token"), "channel": "",
        "delivered_date": "2021-03-02", "delivered_time": "", "delivered_by": "",
        "files": (io.BytesIO(jpeg()), "bunga.jpg")})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    errors = dict(re.findall(r'class="error" id="([a-z_]+)-error">([^<]+)<', html))
    assert errors == {"channel": "Wajib diisi.", "delivered_time": "Wajib diisi.",
                      "delivered_by": "Tulis paling sedikit satu nama."}
    kept = re.findall(r'name="evidence" value="([0-9a-f]{64})"', html)
    assert len(kept) == 1 and "Foto sudah terunggah: 1" in html
    response = client.post(f"/ucapan/{ucapan}/delivery", data={
        "csrf_token": token_of(html), "form_token": token_of(html, "form_token"), "channel": "surat",
        "delivered_date": "2021-03-02", "delivered_time": "10:00", "delivered_by": "Ani", "evidence": kept})
    assert response.status_code == 303
    assert re.search(r'<img src="/evidence/' + kept[0], client.get(f"/ucapan/{ucapan}").get_data(as_text=True))


def test_once_delivered_another_delivery_is_folded_away_and_a_correction_is_pointed_to(client, login, app):
    ucapan = request_ucapan(app, "2021-03-02")
    login("protokol")
    post_form(client, f"/ucapan/{ucapan}", f"/ucapan/{ucapan}/delivery", {
        "channel": "surat", "delivered_date": "2021-03-02", "delivered_time": "10:00", "delivered_by": "Ani"})
    html = client.get(f"/ucapan/{ucapan}").get_data(as_text=True)
    assert "Tambah penyampaian lain…" in html and 'href="#h-retract"' in html


def test_a_cancellation_says_a_missing_reason_with_the_missing_tick(client, login, app):
    ucapan = request_ucapan(app, "2021-03-02")
    login("protokol")
    response = post_form(client, f"/ucapan/{ucapan}", f"/ucapan/{ucapan}/cancel", {"reason": " "})
    assert set(re.findall(r'class="error" id="([a-z_]+)-error">', response.get_data(as_text=True))) == {
        "reason", "confirm"}


def test_the_forms_start_from_what_is_most_often_true_and_say_what_was_done(client, login, app):
    """The usability review: a condolence is due today; who records the delivery most often
    delivered it; the message says what was recorded."""
    login("protokol")
    new = client.get("/ucapan/baru").get_data(as_text=True)
    assert f'id="due_on" name="due_on" type="date" value="{today(app).isoformat()}"' in new
    ucapan = request_ucapan(app, "2021-03-02")
    page = client.get(f"/ucapan/{ucapan}").get_data(as_text=True)
    (prefilled,) = re.findall(r'id="delivered_by" name="delivered_by" rows="2" required >([^<]+)</textarea>', page)
    assert prefilled.startswith("protokol")  # the signed-in officer's name
    response = post_form(client, f"/ucapan/{ucapan}", f"/ucapan/{ucapan}/delivery", {
        "channel": "surat", "delivered_date": "2021-03-05", "delivered_time": "10:00", "delivered_by": "Ani"})
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Penyampaian dicatat." in html and "terlambat 3 hari" in html


def test_this_weeks_list_puts_what_is_still_to_deliver_first_and_links_every_overdue(client, login, app):
    from tests.conftest import wib

    day = today(app)
    monday = day - timedelta(days=day.weekday())
    delivered = request_ucapan(app, monday, recipient="Sudah Disampaikan")
    request_ucapan(app, monday + timedelta(days=6), recipient="Belum Disampaikan")
    with acting_as("protokol.user"):
        app.extensions["iku"].agenda.deliver_ucapan(delivered, channel="surat", delivered_by=["Ani"],
                                                    delivered_at=wib(2021, 1, 1, 9))
    for n in range(101):
        request_ucapan(app, day - timedelta(days=2 + n % 300), recipient=f"Lewat {n}")
    login("protokol")
    html = client.get("/ucapan").get_data(as_text=True)
    assert html.index("Belum Disampaikan") < html.index("Sudah Disampaikan")
    link = re.search(r'id="all-overdue" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert "Lihat semua yang lewat jatuh tempo (101)" in html
    assert "101 ucapan jatuh tempo" in " ".join(client.get(link).get_data(as_text=True).split())

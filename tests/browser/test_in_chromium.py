"""What staff, the head of division and the inspectorate do, in a real browser."""
import os
import re

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, ROLES, SCREENSHOTS, sign_in

pytestmark = pytest.mark.slow  # real servers, processes or many examples: not in `make test-fast`


@pytest.mark.parametrize("role", ROLES)
def test_each_role_logs_in_and_sees_what_it_may_do(page, server, log_in, role):
    log_in(role)
    nav = page.get_by_role("navigation", name="Navigasi utama")
    assert role in nav.inner_text()
    schedule_link = nav.get_by_role("link", name="Jadwalkan", exact=True)
    assert schedule_link.count() == (1 if role in ("admin", "protokol") else 0)
    assert nav.get_by_role("link", name="Pengguna").count() == (1 if role == "admin" else 0)


def percent_of(page, code: str) -> str:
    return page.locator(f'p.percent[data-code="{code}"]').inner_text()


def schedule(page, title: str, day: str, start: str, location: str, *, end: str = "", end_day: str = "",
             scope: str = ""):
    """Fill the schedule form as an officer does (Bupati), and send it."""
    page.get_by_role("link", name="Jadwalkan", exact=True).click()
    page.get_by_label("Judul kegiatan").fill(title)
    page.get_by_label("Bupati", exact=True).check()
    page.get_by_label("Tanggal", exact=True).fill(day)
    page.get_by_label("Jam mulai (WIB)").fill(start)
    if end:
        page.get_by_label("Jam selesai (boleh kosong)").fill(end)
    if end_day:
        page.get_by_label("Tanggal selesai (kegiatan beberapa hari, boleh kosong)").fill(end_day)
    page.get_by_label("Lokasi").fill(location)
    if scope:
        page.get_by_label("Lingkup").select_option(scope)
    page.get_by_role("button", name="Jadwalkan").click()
    page.wait_for_url(re.compile(r".*/activities/[0-9a-f-]{36}$"))


def test_staff_schedule_serve_and_document_and_the_dashboard_figure_changes(browser, page, server, log_in):
    log_in("protokol")
    page.goto(f"{server}/dashboard?period=2030-01")
    assert percent_of(page, "IKU-1") == "—"
    schedule(page, "Peresmian Jembatan Desa Sukowono", "2030-01-15", "09:30", "Kecamatan Sukowono")
    assert "Selasa, 15 Januari 2030 09.30 WIB" in page.inner_text("main")
    activity_url = page.url
    page.locator("#officers").fill("Ahmad Fauzi\nSiti Rahmawati")
    page.get_by_role("button", name="Catat").first.click()
    page.wait_for_selector("text=Tercatat.")
    page.goto(f"{server}/dashboard?period=2030-01")
    assert percent_of(page, "IKU-1") == "100,00%"
    assert percent_of(page, "IKU-2") == "0,00%"

    dokumentasi = browser.new_page()
    dokumentasi.context.clear_cookies()
    sign_in(dokumentasi, server, "dokumentasi")
    dokumentasi.goto(activity_url)
    dokumentasi.get_by_label("Media").select_option("foto")
    dokumentasi.get_by_role("button", name="Catat").click()
    dokumentasi.wait_for_selector("text=Tercatat.")
    dokumentasi.goto(f"{server}/dashboard?period=2030-01")
    assert percent_of(dokumentasi, "IKU-2") == "100,00%"


def test_a_validation_error_appears_in_bahasa_indonesia_beside_its_field(page, server, log_in):
    log_in("protokol")
    page.goto(f"{server}/activities/new")
    page.get_by_label("Judul kegiatan").fill("Rapat tanpa lokasi")
    page.get_by_label("Bupati", exact=True).check()
    page.get_by_label("Tanggal", exact=True).fill("2030-02-01")
    page.get_by_label("Jam mulai (WIB)").fill("10:00")
    page.get_by_role("button", name="Jadwalkan").click()
    error = page.locator("#location-error")
    assert error.inner_text() == "Wajib diisi."
    assert page.get_by_label("Judul kegiatan").input_value() == "Rapat tanpa lokasi"  # kept
    assert page.evaluate("document.activeElement.id") == "location"  # focus on the first error


def test_the_inspectorate_has_no_forms_and_a_forged_post_is_refused(page, server, log_in):
    log_in("inspektorat")
    page.goto(f"{server}/agenda?period=2021-03")
    page.locator("li.activity a").first.click()
    page.wait_for_url(re.compile(r".*/activities/[0-9a-f-]{36}$"))
    assert page.locator("main form").count() == 0
    csrf = page.locator('input[name="csrf_token"]').first.get_attribute("value")
    history = len(page.locator("ol.timeline li").all())
    response = page.request.post(page.url + "/protocol", form={"csrf_token": csrf, "officers": "Palsu"})
    assert response.status == 403
    page.reload()
    assert len(page.locator("ol.timeline li").all()) == history


def test_the_as_of_picker_shows_the_figure_known_then(page, server, log_in):
    log_in("pimpinan")
    page.goto(f"{server}/dashboard?period=2021-Q1")
    now = percent_of(page, "IKU-2")
    page.get_by_label("Data per tanggal").fill("2021-04-01")
    page.get_by_role("button", name="Hitung").click()
    page.wait_for_url(re.compile(r".*as_of=2021-04-01.*"))
    then = percent_of(page, "IKU-2")
    assert then != now  # documentation of Q1 entered late, after 1 April, is not in it
    assert "1 April 2021 23.59 WIB" in page.locator("#as-of-used").inner_text()


def test_screenshots_of_the_agenda_the_activity_page_and_the_dashboard(browser, page, server, log_in, tmp_path):
    """Into a temporary folder; `make screenshots` (IKU_SCREENSHOTS=1) writes docs/screenshots/."""
    folder = SCREENSHOTS if os.environ.get("IKU_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    log_in("admin")
    page.goto(f"{server}/agenda?period=2021-03")
    page.screenshot(path=str(folder / "agenda.png"))
    page.goto(f"{server}/dashboard?period=2021")
    page.screenshot(path=str(folder / "dashboard.png"), full_page=True)
    page.goto(f"{server}/agenda?period=2021-03&status=served")
    page.locator("li.activity a").first.click()
    page.wait_for_url(re.compile(r".*/activities/[0-9a-f-]{36}$"))
    page.screenshot(path=str(folder / "activity.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.screenshot(path=str(folder / "activity-phone.png"))
    page.goto(f"{server}/agenda?period=2021-03-17")
    page.screenshot(path=str(folder / "agenda-phone.png"))
    page.goto(f"{server}/import")
    page.screenshot(path=str(folder / "import-phone.png"), full_page=True)
    for name in ("agenda", "dashboard", "activity", "activity-phone", "agenda-phone", "import-phone"):
        assert (folder / f"{name}.png").stat().st_size > 10_000


def test_the_inspectorate_verifies_the_log_downloads_an_export_and_sees_the_restatement(page, server, log_in, tmp_path):
    import urllib.request
    import zipfile

    from inspector.export import verify_export
    from inspector.note import Verifier

    log_in("inspektorat")
    page.get_by_role("link", name="Audit").click()
    page.get_by_role("button", name="Periksa sekarang").click()
    assert page.locator("#verify-result").inner_text().startswith("Utuh:")
    page.get_by_label("Periode").fill("2021-Q1")
    with page.expect_download() as download:
        page.get_by_role("button", name="Unduh").click()
    archive = tmp_path / "export.zip"
    download.value.save_as(archive)
    zipfile.ZipFile(archive).extractall(tmp_path / "export")
    with urllib.request.urlopen(f"{server}/api/v1/audit/key") as response:  # obtained separately
        key = Verifier.parse(response.read().decode())
    result = verify_export(tmp_path / "export", [key])
    assert result["ok"] is True and result["submissions_recomputed"] >= 4
    page.goto(f"{server}/dashboard?period=2021-Q1")
    status = page.locator("#report-status")
    assert "Penyajian kembali" in status.inner_text()  # late entries after the submission on 10 April
    status.get_by_role("link", name="Lihat perubahan").click()
    assert page.locator("section.change").count() > 0


def test_on_a_phone_the_agenda_pages_keep_the_filters_and_a_visible_next_link(page, server, log_in):
    """Issue 11: a month of the demo (over 100 activities) is two pages; the link is a
    button-sized target in the theme's colour (not the header's white), and page 2 keeps
    the status filter and is read at the first page's instant."""
    page.set_viewport_size({"width": 390, "height": 844})
    log_in("protokol")
    page.goto(f"{server}/agenda?period=2021-03&status=scheduled")
    links = "els => els.map(a => a.getAttribute('href'))"
    first = set(page.locator("li.activity a").evaluate_all(links))
    following = page.get_by_role("link", name="Berikutnya ›")
    assert page.locator("nav.pager").inner_text().startswith("Halaman 1 dari 2")
    assert following.evaluate("a => getComputedStyle(a).color") != "rgb(255, 255, 255)"
    assert following.bounding_box()["height"] >= 40  # a thumb's target
    following.click()
    page.wait_for_url(re.compile(r".*page=2.*"))
    assert "status=scheduled" in page.url and "as_of=" in page.url
    assert "Halaman 2 dari 2" in page.locator("nav.pager").inner_text()
    assert first and not set(page.locator("li.activity a").evaluate_all(links)) & first


def test_a_login_refused_for_too_many_failures_says_how_long_to_wait(page, server):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{server}/login")
    for _ in range(6):
        page.get_by_label("Nama pengguna").fill("bukan-pengguna")
        page.get_by_label("Kata sandi").fill("salah-salah")
        page.get_by_role("button", name="Masuk").click()
    assert "Terlalu banyak percobaan gagal. Coba lagi dalam 5 menit." in page.inner_text("main")


def test_on_a_phone_rescheduling_starts_from_the_activitys_times(page, server, log_in):
    """Issue 12, problem 4: the form is pre-filled; changing the date alone moves the
    activity and keeps its hours; the timeline says from when to when."""
    page.set_viewport_size({"width": 390, "height": 844})
    log_in("protokol")
    page.goto(f"{server}/agenda?period=2021-04&status=scheduled")
    page.locator("li.activity a").first.click()
    page.wait_for_url(re.compile(r".*/activities/[0-9a-f-]{36}$"))
    date, start = page.get_by_label("Tanggal baru"), page.get_by_label("Jam mulai")
    assert re.fullmatch(r"2021-04-\d\d", date.input_value()) and re.fullmatch(r"\d\d:\d\d", start.input_value())
    end = page.get_by_label("Jam selesai", exact=True).input_value()
    day = int(date.input_value()[-2:])
    date.fill(f"2021-04-{day + 1 if day < 28 else day - 1:02d}")
    page.locator("#r-reason").fill("Diundur sehari")
    page.get_by_role("button", name="Jadwalkan ulang").click()
    page.wait_for_selector("text=Tercatat.")
    assert re.search(r"dari .+ WIB menjadi .+ WIB", page.locator("ol.timeline").inner_text())
    assert page.get_by_label("Jam selesai", exact=True).input_value() == end


def test_on_a_phone_dokumentasi_corrects_only_its_own_entries_and_sees_them_struck_through(page, server, log_in):
    """Issue 12, problem 8: no protocol entry offered to dokumentasi (it would be a 403);
    each entry says what, who and when; the retracted one is struck through."""
    page.set_viewport_size({"width": 390, "height": 844})
    log_in("dokumentasi")
    page.goto(f"{server}/agenda?period=2021-03&status=documented")
    page.locator("li.activity a").first.click()
    page.wait_for_url(re.compile(r".*/activities/[0-9a-f-]{36}$"))
    options = page.locator("#entry option").all_inner_texts()
    assert options and all(o.startswith("Didokumentasikan:") and "dicatat" in o for o in options)
    page.locator("#x-reason").fill("Foto kegiatan lain")
    page.get_by_role("button", name="Ralat").click()
    page.wait_for_selector("text=Tercatat.")
    struck = page.locator("ol.timeline li.retracted > strong").first
    assert struck.evaluate("s => getComputedStyle(s).textDecorationLine") == "line-through"
    assert "Diralat pada versi" in page.locator("ol.timeline li.retracted").first.inner_text()


def test_on_phones_protokol_and_dokumentasi_record_the_same_event_without_a_conflict(
        playwright_instance, page, server, log_in, tmp_path):
    """Issue 12, problem 5: both open the activity, dokumentasi sends first, protokol's
    form (opened before) is kept too; sent again, it is recognised, not doubled."""
    page.set_viewport_size({"width": 390, "height": 844})
    log_in("protokol")
    page.goto(f"{server}/agenda?period=2021-06&status=scheduled")
    page.locator("li.activity a").first.click()
    page.wait_for_url(re.compile(r".*/activities/[0-9a-f-]{36}$"))
    activity_url = page.url
    other_phone = playwright_instance.chromium.launch_persistent_context(  # its own cookies
        str(tmp_path / "other-phone"), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
        locale="id-ID", viewport={"width": 390, "height": 844})
    dokumentasi = other_phone.new_page()
    sign_in(dokumentasi, server, "dokumentasi")
    dokumentasi.goto(activity_url)
    dokumentasi.get_by_label("Media").select_option("video")
    dokumentasi.locator("#h-documentation ~ form button[type=submit]").click()
    dokumentasi.wait_for_selector("text=Tercatat.")
    other_phone.close()
    page.locator("#officers").fill("Lia Dani Safitri, S.T., M.Si")
    page.get_by_role("button", name="Catat").first.click()
    page.wait_for_selector("text=Tercatat.")
    assert "Lia Dani Safitri, S.T., M.Si" in page.locator("ol.timeline").inner_text()
    page.locator("#officers").fill("Lia Dani Safitri, S.T., M.Si")
    page.get_by_role("button", name="Catat").first.click()
    page.wait_for_selector("text=Sudah tercatat sebelumnya")


def test_on_a_phone_cancelling_is_folded_away_and_asks_to_be_sure(page, server, log_in):
    """Issue 12, problem 7."""
    page.set_viewport_size({"width": 390, "height": 844})
    log_in("protokol")
    page.goto(f"{server}/agenda?period=2021-07&status=scheduled")
    page.locator("li.activity a").first.click()
    page.wait_for_url(re.compile(r".*/activities/[0-9a-f-]{36}$"))
    cancel = page.get_by_role("button", name="Batalkan kegiatan")
    assert not cancel.is_visible()  # folded: not one tap among the everyday forms
    page.get_by_text("Batalkan kegiatan ini…").click()
    page.locator("#c-reason").fill("Bupati berhalangan")
    cancel.click()
    assert "Centang untuk memastikan pembatalan." in page.inner_text("main")
    assert "Dibatalkan" not in page.locator("ol.timeline").inner_text()
    page.locator("#c-confirm").check()
    page.get_by_role("button", name="Batalkan kegiatan").click()
    page.wait_for_selector("text=Tercatat.")
    assert "dicatat setelah waktu kegiatan lewat" in page.locator("ol.timeline").inner_text()


def test_on_a_phone_the_dashboard_leads_to_what_is_still_missing(page, server, log_in):
    """Issue 12, problem 3: from IKU-1's card to the activities not yet served."""
    page.set_viewport_size({"width": 390, "height": 844})
    log_in("protokol")
    page.goto(f"{server}/dashboard?period=2021-Q1")
    card = page.locator("section.indicator").first
    missing = card.locator("a.missing")
    count = re.search(r"Yang belum: (\d+) kegiatan", missing.inner_text()).group(1)
    missing.click()
    page.wait_for_url(re.compile(r".*/agenda\?.*status=unserved.*"))
    assert page.locator("p.summary").inner_text().startswith(f"{count} kegiatan")
    assert "protokol: ya" not in page.locator("main").inner_text()


def today_in_wib():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Asia/Jakarta")).date()


def test_on_a_phone_today_is_one_tap_and_an_officer_is_picked_with_the_commas_of_his_degrees(page, server, log_in):
    """Issue 12, problems 1 and 2: an activity scheduled today is first under "Hari ini";
    a known officer is ticked, a new one written with his degrees; both stay whole."""
    page.set_viewport_size({"width": 390, "height": 844})
    log_in("protokol")
    schedule(page, "Apel Pagi Hari Ini", today_in_wib().isoformat(), "07:00", "Alun-alun Jember")
    page.get_by_role("link", name="Agenda", exact=True).click()
    page.get_by_role("link", name="Hari ini", exact=True).click()
    assert "hari ini" in page.locator("main h2").first.inner_text()
    page.locator("li.activity a", has_text="Apel Pagi Hari Ini").first.click()
    known = page.locator("fieldset.known input[name=known]")
    assert known.count() > 0
    picked = known.first.get_attribute("value")
    known.first.check()
    page.locator("#officers").fill("Lia Dani Safitri, S.T., M.Si")
    page.get_by_role("button", name="Catat").first.click()
    page.wait_for_selector("text=Tercatat.")
    names = page.locator("ol.timeline ul.officers").last.locator("li").all_inner_texts()
    assert names == [picked, "Lia Dani Safitri, S.T., M.Si"]


def test_on_a_phone_the_agenda_reads_a_date_a_week_and_searches_every_date(page, server, log_in):
    """Issue 12, problem 2: the date picker, "Minggu ini", a typed 17/03/2021, a search
    from today's view that finds 2021, and the way back keeping the filters."""
    page.set_viewport_size({"width": 390, "height": 844})
    log_in("protokol")
    page.goto(f"{server}/agenda")
    quick = page.get_by_role("link", name="Minggu ini", exact=True)
    # Readable (not the header's white on the page's background) and a thumb's target.
    assert quick.evaluate("a => getComputedStyle(a).color") != "rgb(255, 255, 255)"
    assert quick.bounding_box()["height"] >= 40
    quick.click()
    monday = today_in_wib().toordinal() - today_in_wib().weekday()
    from datetime import date
    assert page.locator("p.summary").get_attribute("data-period").startswith(f"{date.fromordinal(monday).isoformat()}..")
    page.locator("#day").fill("2021-03-17")
    page.get_by_role("button", name="Lihat", exact=True).click()
    assert "Rabu, 17 Maret 2021" in page.locator("p.summary").inner_text()
    assert page.locator("main h2").first.inner_text().startswith("Rabu, 17 Maret 2021")
    page.get_by_label("Periode", exact=True).fill("17/03/2021 s.d. 19/03/2021")
    page.get_by_role("button", name="Tampilkan").click()
    assert "17–19 Maret 2021" in page.locator("p.summary").inner_text()
    title = page.locator("li.activity strong").first.inner_text()
    page.get_by_role("link", name="Hari ini", exact=True).click()
    page.get_by_label("Cari judul atau lokasi").fill(title)
    page.get_by_role("button", name="Tampilkan").click()
    assert "di semua tanggal" in page.locator("p.summary").inner_text()
    assert page.locator("li.activity strong", has_text=title).count() >= 1
    page.locator("li.activity a").first.click()
    page.get_by_role("link", name="‹ Kembali ke agenda").click()
    assert page.get_by_label("Cari judul atau lokasi").input_value() == title


def test_on_a_phone_dokumentasi_uploads_photos_and_sees_them_with_their_capture_time(page, server, log_in):
    """Issue 12, problem 6: two photos from the gallery, no medium chosen beforehand, who
    documented; thumbnails load, each with its capture time, the far one flagged."""
    from tests.api.test_evidence import photo

    page.set_viewport_size({"width": 390, "height": 844})
    log_in("dokumentasi")
    page.goto(f"{server}/agenda?period=2021-05&status=undocumented")
    page.locator("li.activity a").first.click()
    page.wait_for_url(re.compile(r".*/activities/[0-9a-f-]{36}$"))
    starts = page.locator("dl.state dd").first.inner_text()  # e.g. "Senin, 3 Mei 2021 08.00 WIB"
    assert page.get_by_label("Media").input_value() == ""  # nothing chosen for the officer
    day = re.search(r"(\d+) Mei 2021", starts).group(1)
    page.locator("#files").set_input_files([
        {"name": "IMG_0101.jpg", "mimeType": "image/jpeg", "buffer": photo(f"2021:05:{int(day):02d} 23:50:00", "+07:00")},
        {"name": "IMG_0102.jpg", "mimeType": "image/jpeg", "buffer": photo("2020:12:31 10:00:00", colour=(10, 120, 10))},
    ])
    page.get_by_label("Media").select_option("foto")
    page.get_by_label("Didokumentasikan oleh (satu nama per baris, boleh kosong)").fill("Rina Wulandari")
    page.locator("#h-documentation ~ form button[type=submit]").click()
    page.wait_for_selector("text=Tercatat.")
    thumbnails = page.locator("ul.evidence img")
    assert thumbnails.count() == 2
    for i in range(2):
        thumbnails.nth(i).scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumbnails.nth(i).element_handle())
    listed = page.locator("ul.evidence").inner_text()
    assert "diambil Kamis, 31 Desember 2020 10.00 WIB" in listed and "jauh dari waktu kegiatan" in listed
    assert "oleh Rina Wulandari" in page.locator("ol.timeline").inner_text()
    assert page.get_by_label("Media").input_value() == "foto"  # the last medium, offered next


def test_on_a_phone_the_dashboard_counts_what_was_cancelled_after_its_time(page, server, log_in):
    """Issue 12, problem 7: a cancellation recorded after the activity's start is counted
    on the dashboard ("dibatalkan setelah lewat"), which leads to it in the agenda."""
    page.set_viewport_size({"width": 390, "height": 844})
    log_in("protokol")
    page.goto(f"{server}/dashboard?period=2021-08")
    before = page.locator("a.late").first
    count = int(re.search(r"\d+", before.inner_text()).group()) if before.count() else 0
    page.goto(f"{server}/agenda?period=2021-08&status=scheduled")
    page.locator("li.activity a").first.click()
    title = page.locator("h1").inner_text()
    page.get_by_text("Batalkan kegiatan ini…").click()
    page.locator("#c-reason").fill("Dicatat terlambat: acara tidak jadi")
    page.locator("#c-confirm").check()
    page.get_by_role("button", name="Batalkan kegiatan").click()
    page.wait_for_selector("text=Tercatat.")
    page.goto(f"{server}/dashboard?period=2021-08")
    late = page.locator("a.late").first
    assert late.inner_text() == f"dibatalkan setelah lewat: {count + 1}"
    late.click()
    page.wait_for_url(re.compile(r".*/agenda\?.*status=cancelled_late.*"))
    assert title in page.locator("main").inner_text()


def test_on_a_phone_next_weeks_agenda_is_imported_from_the_excel_file(page, server, log_in):
    """Issue 12, problem 9: the file Excel saved (';', 07/12/2026, 08.00), a preview, the
    import, and the same file again imports nothing twice."""
    from tests.api.test_import_page import excel_csv

    page.set_viewport_size({"width": 390, "height": 844})
    log_in("protokol")
    page.get_by_role("link", name="Impor", exact=True).click()
    for attempt in ("first", "again"):
        page.locator("#file").set_input_files(
            {"name": "agenda minggu depan.csv", "mimeType": "text/csv", "buffer": excel_csv()})
        page.get_by_role("button", name="Periksa").click()
        summary = page.locator("#import-summary").inner_text()
        if attempt == "first":
            assert summary == "2 baris: 2 baru, 0 sudah tercatat, 0 bermasalah."
            page.get_by_role("button", name="Impor 2 kegiatan").click()
            page.wait_for_selector("text=2 kegiatan diimpor.")
            assert "Rapat Koordinasi Penanganan Stunting" in page.locator("main").inner_text()
            page.get_by_role("link", name="Impor", exact=True).click()
        else:
            assert summary == "2 baris: 0 baru, 2 sudah tercatat, 0 bermasalah."
            assert page.get_by_role("button", name="Impor 2 kegiatan").count() == 0


def test_on_a_phone_a_working_visit_of_three_days_is_scheduled_and_shown_as_one_range(page, server, log_in):
    """Issue 12, problem 10: 7–9 Desember, luar daerah, entered with an end date."""
    page.set_viewport_size({"width": 390, "height": 844})
    log_in("protokol")
    schedule(page, "Kunjungan Kerja ke Kementerian Dalam Negeri", "2030-12-07", "08:00", "Jakarta",
             end="15:00", end_day="2030-12-09", scope="luar_daerah")
    assert "Sabtu, 7 Desember 2030 08.00 – Senin, 9 Desember 2030 15.00 WIB (3 hari)" in page.inner_text("main")
    page.goto(f"{server}/agenda?period=07/12/2030")
    assert "(3 hari)" in page.locator("li.activity").first.inner_text()

"""Issue 13 in a real browser: the head of division, the Inspektorat and the admin at a desk
(1366×900), in a browser left at its English default and in an Indonesian one."""
import os
import re

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PASSWORD, SCREENSHOTS, sign_in

pytestmark = pytest.mark.slow


@pytest.fixture(params=["en-US", "id-ID"])
def desk(request, playwright_instance, tmp_path):
    """A desk browser with the locale given (the page stays Indonesian either way)."""
    context = playwright_instance.chromium.launch_persistent_context(
        str(tmp_path / "desk"), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
        locale=request.param, viewport={"width": 1366, "height": 900})
    context.set_default_timeout(15_000)
    yield context.pages[0] if context.pages else context.new_page()
    context.close()


def phone(playwright_instance, tmp_path, name):
    return playwright_instance.chromium.launch_persistent_context(
        str(tmp_path / name), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
        locale="id-ID", viewport={"width": 390, "height": 844})


def test_the_admin_makes_a_user_and_disabling_it_ends_the_phone_session_at_once(
        desk, playwright_instance, server, tmp_path):
    name = f"petugas.{tmp_path.name[-6:].lower().replace('_', '')}"
    sign_in(desk, server, "admin")
    assert desk.locator("html").get_attribute("lang") == "id"
    desk.get_by_role("link", name="Pengguna", exact=True).click()
    assert desk.locator("#role").input_value() == ""  # no role preselected
    desk.get_by_label("Nama pengguna").fill(name.upper())
    desk.get_by_label("Nama lengkap").fill("Rina Wulandari, S.Sos")
    desk.get_by_label("NIP").fill("19900101 201501 2 001")
    desk.get_by_label("Jabatan").fill("Pengadministrasi Umum")
    desk.locator("#role").select_option("protokol")
    desk.get_by_label("Kata sandi (paling sedikit 10 karakter)").fill(PASSWORD)
    desk.get_by_role("button", name="Buat").click()
    desk.wait_for_selector(f"text=Pengguna {name} dibuat.")
    assert "iku_" not in desk.locator("main").inner_text()

    context = phone(playwright_instance, tmp_path, "phone")
    officer = context.new_page()
    sign_in(officer, server, name)
    assert "Rina Wulandari, S.Sos" in officer.locator("header").inner_text()

    desk.get_by_role("link", name=name).click()
    desk.locator("#disable-reason").fill("Pindah tugas ke Bagian Umum")
    desk.get_by_role("button", name="Nonaktifkan").click()
    desk.wait_for_selector("text=Akun dinonaktifkan")
    assert desk.locator("#status-now").inner_text() == "nonaktif"
    assert "Pindah tugas ke Bagian Umum" in desk.locator("table.access-changes").inner_text()

    officer.goto(f"{server}/agenda")
    officer.wait_for_url(re.compile(r".*/login.*"))  # the open session ended at once
    context.close()


def test_the_inspectorate_reads_who_could_do_what_and_when(desk, server, tmp_path):
    sign_in(desk, server, "inspektorat")
    desk.get_by_role("link", name="Riwayat akses").click()
    desk.wait_for_url(re.compile(r".*/access$"))
    text = desk.locator("main").inner_text()
    assert "Siapa dapat melakukan apa, per tanggal" in text and "Perubahan akses" in text
    assert "Inspektorat" in desk.locator("#accounts").inner_text()
    desk.get_by_label("Siapa dapat melakukan apa, per tanggal").fill("2020-01-01")
    desk.get_by_role("button", name="Tampilkan").click()
    assert "Belum ada pengguna pada tanggal itu." in desk.locator("#accounts").inner_text()


def test_everyone_changes_their_own_password(desk, server):
    sign_in(desk, server, "dokumentasi")
    desk.get_by_title("Ubah kata sandi saya").click()
    desk.get_by_label("Kata sandi saat ini").fill(PASSWORD)
    desk.get_by_label("Kata sandi baru (paling sedikit 10 karakter)").fill("sandi-baru-dokumentasi")
    desk.get_by_label("Ulangi kata sandi baru").fill("sandi-baru-dokumentasi")
    desk.get_by_role("button", name="Ubah kata sandi").click()
    desk.wait_for_selector("text=Kata sandi diubah.")
    desk.get_by_label("Kata sandi saat ini").fill("sandi-baru-dokumentasi")  # and back, for the other tests
    desk.get_by_label("Kata sandi baru (paling sedikit 10 karakter)").fill(PASSWORD)
    desk.get_by_label("Ulangi kata sandi baru").fill(PASSWORD)
    desk.get_by_role("button", name="Ubah kata sandi").click()
    desk.wait_for_selector("text=Kata sandi diubah.")


def test_screenshots_of_the_users_and_access_pages(desk, server, tmp_path):
    """Into a temporary folder; `make screenshots` (IKU_SCREENSHOTS=1) writes docs/screenshots/."""
    folder = SCREENSHOTS if os.environ.get("IKU_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    sign_in(desk, server, "admin")
    shots = {"users": "/users", "user": "/users/protokol", "access": "/access"}
    for shot, path in shots.items():
        desk.goto(f"{server}{path}")
        desk.screenshot(path=str(folder / f"{shot}.png"), full_page=True)
        assert (folder / f"{shot}.png").stat().st_size > 10_000


def test_the_pimpinan_changes_a_target_with_a_reason_and_sees_it_in_the_history(desk, server):
    sign_in(desk, server, "pimpinan")
    desk.get_by_role("link", name="Target", exact=True).click()
    desk.locator("#year").fill("2021")
    desk.get_by_role("button", name="Tampilkan").click()
    desk.locator("#IKU-1-target").fill("91,5")
    desk.get_by_role("button", name="Ubah target").first.click()
    assert "Wajib diisi." in desk.locator("[id='IKU-1.reason-error']").inner_text()  # a reason is asked for
    desk.locator("#IKU-1-reason").fill("Perubahan Perjanjian Kinerja (uji peramban)")
    desk.get_by_role("button", name="Ubah target").first.click()
    desk.wait_for_selector("text=Target IKU-1 tahun 2021 disimpan.")
    assert desk.locator('[data-target="IKU-1"]').inner_text() == "91,50%"
    history = desk.locator("#target-history").inner_text()
    assert "Perubahan Perjanjian Kinerja (uji peramban)" in history and "diubah: 91,50%" in history


def test_the_pimpinan_reads_the_report_history_and_is_told_why_a_running_period_waits(desk, server):
    sign_in(desk, server, "pimpinan")
    desk.goto(f"{server}/dashboard?period=2021-Q1")
    desk.locator("#report-history").click()
    desk.wait_for_url(re.compile(r".*/reports/2021-Q1$"))
    text = desk.locator("main").inner_text()
    assert "Riwayat laporan Triwulan I 2021" in text and "Disampaikan" in text
    assert "Cetak bukti penyampaian (PDF)" in text and "Sebagian kegiatan mendadak" in text  # the demo's note
    with desk.expect_download() as download:
        desk.get_by_role("link", name="Cetak bukti penyampaian (PDF)").first.click()
    assert download.value.suggested_filename.startswith("bukti-penyampaian-2021-Q1-")
    desk.goto(f"{server}/reports/2030-Q4/submit")
    assert "Periode ini belum berakhir" in desk.locator("#submit-refusal").inner_text()
    assert desk.get_by_role("button", name=re.compile("Ya, sampaikan")).count() == 0


def test_the_diff_page_keeps_its_dates_and_downloads_the_changes(desk, server):
    sign_in(desk, server, "inspektorat")
    desk.goto(f"{server}/dashboard?period=2021-Q1")
    desk.get_by_role("link", name="Lihat perubahan").first.click()
    desk.wait_for_url(re.compile(r".*/dashboard/diff\?.*"))
    assert desk.locator("#from").input_value() and desk.locator("#as_of").input_value()
    desk.get_by_role("button", name="Bandingkan").click()  # again, with the dates the page filled in
    assert "Kegiatan yang berubah" in desk.locator("main").inner_text()
    with desk.expect_download() as download:
        desk.locator("#diff-xlsx").click()
    assert download.value.suggested_filename.startswith("perubahan-iku-2021-Q1-")


def test_screenshots_of_the_leaders_pages(desk, server, tmp_path):
    """Into a temporary folder; `make screenshots` (IKU_SCREENSHOTS=1) writes docs/screenshots/."""
    folder = SCREENSHOTS if os.environ.get("IKU_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    sign_in(desk, server, "pimpinan")
    shots = {"targets": "/targets?year=2021", "report": "/reports/2021-Q1", "report-submit": "/reports/2021-S1/submit",
             "diff": "/dashboard/diff?period=2021-Q1&from=2021-04-10"}
    for shot, path in shots.items():
        desk.goto(f"{server}{path}")
        desk.screenshot(path=str(folder / f"{shot}.png"), full_page=True)
        assert (folder / f"{shot}.png").stat().st_size > 10_000


def test_on_a_phone_the_leaders_pages_keep_the_screens_width(desk, server):
    """A wide table scrolls within itself at 390×844; the page does not run off the screen."""
    desk.set_viewport_size({"width": 390, "height": 844})
    sign_in(desk, server, "admin")
    for path in ("/reports/2021-Q1", "/targets?year=2021", "/dashboard/diff?period=2021-Q1&from=10/04/2021",
                 "/users/protokol", "/access"):
        desk.goto(f"{server}{path}")
        assert desk.evaluate("document.documentElement.scrollWidth") <= 390, path

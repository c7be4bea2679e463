"""Issue 14 in a real browser, on a phone (390×844): a protocol officer records a request for
an ucapan, then its delivery with a photo from the phone; the head of division sees the
supporting and the goal indicator on the dashboard and follows a number to the ucapan."""
import io
import os
import re

import pytest
from PIL import Image

from tests.browser.conftest import SCREENSHOTS

pytestmark = pytest.mark.slow  # real servers, processes or many examples: not in `make test-fast`


def test_on_a_phone_protokol_requests_an_ucapan_and_records_its_delivery_with_a_photo(page, server, log_in, tmp_path):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in("protokol")
    page.get_by_role("navigation", name="Navigasi utama").get_by_role("link", name="Ucapan").click()
    page.wait_for_url(f"{server}/ucapan")
    assert "Lewat jatuh tempo, belum disampaikan" in page.inner_text("main")
    page.get_by_role("link", name="Catat permintaan ucapan").click()
    page.get_by_label("Ucapan duka").check()
    page.get_by_label("Penerima", exact=True).fill("Keluarga almarhum Bapak Suparman")
    page.get_by_label("Hubungan penerima").select_option("keluarga_asn")
    page.get_by_label("Peristiwa (mis. wafatnya …, pelantikan …)").fill("Wafatnya Bapak Suparman, ASN Kecamatan Patrang")
    page.get_by_label("Bupati", exact=True).check()
    page.get_by_label("Jatuh tempo (paling lambat disampaikan)").fill("2025-03-03")
    page.get_by_role("button", name="Catat").click()
    page.wait_for_url(re.compile(r".*/ucapan/[0-9a-f-]{36}$"))
    assert "Ucapan dicatat." in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    photo = tmp_path / "karangan-bunga.jpg"
    Image.new("RGB", (64, 48), "white").save(photo, "JPEG")
    page.get_by_label("Disampaikan melalui").select_option("karangan_bunga")
    page.get_by_label("Tanggal disampaikan").fill("2025-03-01")  # the date box's own value, as a phone sets it
    page.get_by_label("Jam (WIB)").fill("10:15")
    page.get_by_label("Disampaikan oleh (satu nama per baris)").fill("Ahmad Fauzi")
    page.get_by_label("Foto bukti (boleh kosong, bisa beberapa)").set_input_files(str(photo))
    page.get_by_role("button", name="Catat penyampaian").click()
    page.wait_for_selector("text=Penyampaian dicatat.")
    main = page.inner_text("main")
    assert "tersampaikan 1 Mar 2025" in main and "Karangan bunga" in main
    assert page.locator("ol.timeline img").count() == 1
    folder = SCREENSHOTS if os.environ.get("IKU_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / "ucapan-phone.png"), full_page=True)
    page.goto(f"{server}/ucapan")
    page.screenshot(path=str(folder / "ucapan-list-phone.png"), full_page=True)
    assert (folder / "ucapan-phone.png").stat().st_size > 10_000


def test_the_head_of_division_follows_the_supporting_indicator_to_its_late_ucapan(page, server, log_in, tmp_path):
    log_in("pimpinan")
    page.goto(f"{server}/dashboard?period=2021")
    card = page.locator("section.indicator.pendukung")
    assert "Indikator pendukung (kantor)" in card.inner_text()
    goal = page.locator("section.indicator.tujuan")
    assert "Pembilang dan penyebut dijumlahkan dari:" in goal.inner_text()
    assert re.fullmatch(r"\d{1,3},\d{2}%", page.locator('p.percent[data-code="TUJUAN-1"]').inner_text())
    folder = SCREENSHOTS if os.environ.get("IKU_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    card.screenshot(path=str(folder / "dashboard-ucapan.png"))
    card.get_by_role("link", name=re.compile(r"^Terlambat: \d+$")).click()
    page.wait_for_url(re.compile(r".*/ucapan\?.*status=late.*"))
    items = page.locator("li.ucapan")
    assert items.count() > 0 and "terlambat" in items.first.inner_text()

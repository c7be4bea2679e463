"""Browser tests: Playwright drives the system Chromium against the real server, started
here on a free loopback port with the demo data. They skip with the reason when Chromium
or Playwright is missing, unless IKU_REQUIRE_BROWSER=1 (as in CI)."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.server import IKU, start_server, stop

CHROMIUM = os.environ.get("IKU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic"]
PASSWORD = "sandi-peramban-uji"
ROLES = ("admin", "protokol", "dokumentasi", "pimpinan", "inspektorat")
SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"


def _unavailable(reason: str):
    if os.environ.get("IKU_REQUIRE_BROWSER") == "1":
        pytest.fail(f"IKU_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The real service (gunicorn, 2 workers) on the demo data, with a login per role."""
    folder = tmp_path_factory.mktemp("browser")
    database = str(folder / "iku.sqlite3")
    # A key of its own (session fixtures start before the per-test settings): a key keeps the
    # last head it signed and refuses another log.
    env = {**os.environ, "IKU_DATABASE": database, "IKU_TIMEZONE": "Asia/Jakarta",
           "IKU_SIGNING_KEY": str(folder / "keys" / "log-signing-key.pem"), "IKU_CHECKPOINT_INTERVAL": "0"}
    subprocess.run([IKU, "demo"], env=env, check=True, capture_output=True)
    from unittest import mock

    from api.bootstrap import Services

    with mock.patch.dict(os.environ, {"IKU_SIGNING_KEY": env["IKU_SIGNING_KEY"]}):
        svc = Services(database, "Asia/Jakarta")
        for role in ROLES:
            if svc.users.get(role) is None:
                svc.users.create(role, role, password=PASSWORD)
            else:  # the demo's own (pimpinan submits its reports): made before its events
                svc.users.set_password(role, PASSWORD)
        svc.close()
    process, port = start_server(env)
    url = f"http://127.0.0.1:{port}"
    yield url
    stop(process)


@pytest.fixture(scope="session")
def playwright_instance():
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed")
    with sync_playwright() as p:
        yield p


@pytest.fixture
def browser(playwright_instance, tmp_path):
    """A fresh Chromium profile per test."""
    context = playwright_instance.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
        locale="id-ID", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def page(browser):
    return browser.pages[0] if browser.pages else browser.new_page()


@pytest.fixture
def log_in(page, server):
    return lambda role: sign_in(page, server, role)


def sign_in(page, server, role: str) -> None:
    """Log in through the login page as the demo user of `role` (any page: a second phone)."""
    page.goto(f"{server}/login")
    page.get_by_label("Nama pengguna").fill(role)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(f"{server}/agenda*")

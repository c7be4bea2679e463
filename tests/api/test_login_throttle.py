"""Login throttling (issue 11): by client address and by user name, known or not, with a
browser that logged in before counted apart; each attempt's place is taken before its
password is checked. On both stores."""
import threading

import pytest

import api.users
from api import create_app
from api.config import Config
from api.users import LoginRefused, throttle
from tests.api.test_pages import PASSWORD, errors_of, logins, token_of  # noqa: F401 - fixtures


def attempt(client, name, password="salah", address="10.0.0.66", headers=None):
    """One login from `address`: the status and the page's error."""
    page = client.get("/login", environ_base={"REMOTE_ADDR": address}).get_data(as_text=True)
    response = client.post("/login", environ_base={"REMOTE_ADDR": address}, headers=headers or {},
                           data={"csrf_token": token_of(page), "name": name, "password": password})
    return response.status_code, errors_of(response.get_data(as_text=True))


def test_an_unknown_name_is_refused_exactly_like_a_known_one(app, logins):
    logins("protokol")
    known = [attempt(app.test_client(), "protokol", address="10.0.0.1") for _ in range(7)]
    unknown = [attempt(app.test_client(), "tidak-ada", address="10.0.0.2") for _ in range(7)]
    assert known == unknown
    assert "Coba lagi dalam 5 menit." in known[-1][1][0]  # the wait is told, to both alike


def test_nobody_elsewhere_can_lock_a_user_out_of_their_own_browser(app, logins):
    logins("admin")
    own = app.test_client()
    assert attempt(own, "admin", PASSWORD, address="10.0.0.5")[0] == 302  # remembers the browser
    for _ in range(12):
        attempt(app.test_client(), "admin", address="10.0.0.66")
    assert attempt(app.test_client(), "admin", PASSWORD, address="10.0.0.77")[0] == 401  # a new browser waits
    assert attempt(own, "admin", PASSWORD, address="10.0.0.5")[0] == 302
    assert attempt(own, "admin", PASSWORD, address="10.0.0.66")[0] == 302  # from anywhere


def test_a_browsers_own_failures_are_throttled_too(app, logins):
    logins("admin")
    own = app.test_client()
    assert attempt(own, "admin", PASSWORD)[0] == 302
    for _ in range(throttle.DEVICE.burst):
        assert attempt(own, "admin")[0] == 401
    status, errors = attempt(own, "admin", PASSWORD)
    assert status == 401 and "Coba lagi dalam" in errors[0]
    device = own.get_cookie("iku_device", path="/login")
    assert device.http_only and device.same_site == "Lax"


def test_one_address_trying_many_names_is_slowed_and_others_are_not(app, logins):
    logins("protokol")
    for i in range(throttle.ADDRESS.burst):
        attempt(app.test_client(), f"nama-{i}")
    status, errors = attempt(app.test_client(), "protokol", PASSWORD)
    assert status == 401 and "Coba lagi dalam" in errors[0]
    assert attempt(app.test_client(), "protokol", PASSWORD, address="10.0.0.67")[0] == 302


def test_behind_a_proxy_the_client_address_is_the_forwarded_one(database, logins):
    app = create_app(Config.from_environment(database=database, proxies=1))
    app.config.update(TESTING=True)
    try:
        app.extensions["iku"].users.create("protokol", "protokol")
        app.extensions["iku"].users.set_password("protokol", PASSWORD)
        proxy = "127.0.0.1"
        for i in range(throttle.ADDRESS.burst + 1):
            attempt(app.test_client(), f"nama-{i}", address=proxy, headers={"X-Forwarded-For": "10.9.9.9"})
        assert attempt(app.test_client(), "protokol", PASSWORD, address=proxy,
                       headers={"X-Forwarded-For": "10.9.9.10"})[0] == 302
    finally:
        app.extensions["iku"].close()


def test_concurrent_wrong_logins_cost_no_more_password_checks_than_allowed(app, logins, monkeypatch):
    logins("admin")
    users = app.extensions["iku"].users
    checks, verify = [], api.users._verify
    monkeypatch.setattr(api.users, "_verify", lambda *a: checks.append(1) or verify(*a))
    start, refused = threading.Barrier(16), []

    def wrong():
        start.wait()
        try:
            users.login("admin", "salah", address="10.0.0.66")
        except LoginRefused:
            refused.append(1)

    threads = [threading.Thread(target=wrong) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(refused) == 16 and len(checks) == throttle.USER.burst


def test_a_new_password_set_by_an_admin_lets_a_throttled_user_in(app, logins):
    logins("protokol")
    for _ in range(throttle.USER.burst):
        attempt(app.test_client(), "protokol")
    assert attempt(app.test_client(), "protokol", PASSWORD, address="10.0.0.67")[0] == 401
    app.extensions["iku"].users.set_password("protokol", "sandi-baru-yang-panjang")
    assert attempt(app.test_client(), "protokol", "sandi-baru-yang-panjang", address="10.0.0.67")[0] == 302


def test_the_number_of_proxies_is_a_number():
    assert Config.from_environment({"IKU_PROXIES": "2"}).proxies == 2
    with pytest.raises(ValueError, match="IKU_PROXIES"):
        Config.from_environment({"IKU_PROXIES": "ya"})


def test_a_refused_attempt_writes_nothing_and_a_long_name_is_a_short_key(app, logins):
    logins("protokol")
    users = app.extensions["iku"].users

    def rows():
        with users.recorder.datastore.transaction(commit=False) as c:
            c.execute("SELECT key FROM iku_login_throttle")
            return sorted(r["key"] for r in c.fetchall())

    for i in range(throttle.ADDRESS.burst):
        attempt(app.test_client(), f"nama-{i}" + "x" * 5000)
    before = rows()
    assert max(len(k) for k in before) < 80
    assert attempt(app.test_client(), "y" * 100_000)[0] == 401  # refused by the address's bucket
    assert rows() == before


def test_a_new_password_ends_the_trust_in_a_browser(app, logins):
    logins("admin")
    own = app.test_client()
    assert attempt(own, "admin", PASSWORD, address="10.0.0.5")[0] == 302
    app.extensions["iku"].users.set_password("admin", "sandi-baru-yang-panjang")
    for _ in range(throttle.USER.burst):
        attempt(app.test_client(), "admin", address="10.0.0.66")  # the name's bucket fills
    assert attempt(own, "admin", "sandi-baru-yang-panjang", address="10.0.0.5")[0] == 401


def test_a_page_form_holds_at_most_a_mebibyte(app):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"csrf_token": token_of(page), "name": "x" * (2 * 1024 * 1024),
                                           "password": "salah"})
    assert response.status_code == 413 and len(response.data) < 20_000

"""A session ends for every copy of its cookie when its user logs out, gets a new password
or role, or is disabled; a token too (issue 11). Tested through the pages, the API and the
CLI on both stores."""
import pytest
from click.testing import CliRunner

from api.cli import main
from tests.api.test_pages import PASSWORD, login, logins, token_of  # noqa: F401 - fixtures
from domain.context import acting_as
from tests.conftest import log_of, wib


def copied_session(client):
    return client.get_cookie("session").value


def use(app, cookie):
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other


def protocol_form(client, activity_id):
    html = client.get(f"/activities/{activity_id}").get_data(as_text=True)
    return {"csrf_token": token_of(html), "form_token": token_of(html, "form_token"), "version": "1",
            "officers": "Ani"}


@pytest.fixture
def activity_id(app):
    with acting_as("protokol"):
        return str(app.extensions["iku"].agenda.schedule(
            title="Rapat", leaders=["bupati"], starts_at=wib(2021, 4, 5, 9), location="Puger",
            scope="dalam_daerah").activity_id)


def test_a_cookie_copied_before_logout_neither_reads_nor_writes(app, client, login, activity_id):
    login("protokol")
    cookie = copied_session(client)
    thief = use(app, cookie)
    form = protocol_form(thief, activity_id)  # the copy works while the session lives
    html = client.get("/agenda").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": token_of(html)})
    before = log_of(app.extensions["iku"].agenda)
    assert thief.get("/agenda").status_code == 302
    response = thief.post(f"/activities/{activity_id}/protocol", data=form)
    assert response.status_code in (302, 400) and log_of(app.extensions["iku"].agenda) == before


@pytest.mark.parametrize("change", [
    lambda users: users.set_password("protokol", "sandi-baru-yang-panjang"),
    lambda users: users.set_role("protokol", "dokumentasi"),
    lambda users: users.set_disabled("protokol", True),
])
def test_a_new_password_role_or_a_disabled_user_ends_every_session_and_the_token(app, client, login, change):
    users = app.extensions["iku"].users
    login("protokol")
    token = users.new_token("protokol")
    assert client.get("/agenda").status_code == 200
    assert app.test_client().get("/api/v1/iku?period=2021", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    change(users)
    assert client.get("/agenda").status_code == 302
    assert app.test_client().get("/api/v1/iku?period=2021", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_a_disabled_user_cannot_log_in_until_enabled(app, client, logins, cli_env):
    logins("protokol")
    runner = CliRunner()
    assert runner.invoke(main, ["users", "disable", "protokol", "--reason", "pindah tugas"]).exit_code == 0
    html = client.get("/login").get_data(as_text=True)
    refused = client.post("/login", data={"csrf_token": token_of(html), "name": "protokol", "password": PASSWORD})
    assert refused.status_code == 401
    assert runner.invoke(main, ["users", "enable", "protokol", "--reason", "kembali bertugas"]).exit_code == 0
    html = client.get("/login").get_data(as_text=True)
    assert client.post("/login", data={"csrf_token": token_of(html), "name": "protokol",
                                       "password": PASSWORD}).status_code == 302


def test_the_cli_changes_a_role_and_refuses_unknown_users(app, cli_env):
    app.extensions["iku"].users.create("ani", "protokol")
    runner = CliRunner()
    assert runner.invoke(main, ["users", "role", "ani", "dokumentasi", "--reason", "mutasi ke dokumentasi"]).exit_code == 0
    assert app.extensions["iku"].users.get("ani").role == "dokumentasi"
    missing = runner.invoke(main, ["users", "disable", "nobody", "--reason", "x"])
    assert missing.exit_code == 1 and "Tidak ada pengguna dengan nama itu." in missing.output

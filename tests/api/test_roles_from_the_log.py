"""Issue 23, row 1 (both stores): `update iku_users set role='pimpinan'` for a protokol
user made his token set a target (201), and the access history showed no role change. The
role a request acts with is now the one the log's account events give; the users' tables
are a cache, which `iku verify` checks and the service does not obey when it differs."""
from click.testing import CliRunner

from api.cli import main
from tests.conftest import RawSQL, log_of, scaffold_user

TARGET = {"indicator": "IKU-1", "year": 2021, "target": 80}


def test_a_role_edited_in_the_users_table_is_not_obeyed(app, client, database):
    token = scaffold_user(app.extensions["iku"].users, "rt_protokol", "protokol")
    with RawSQL(database) as db:
        db.execute("UPDATE iku_users SET role = 'pimpinan' WHERE name = 'rt_protokol'")
    before = log_of(app.extensions["iku"].agenda)
    response = client.post("/api/v1/targets", json=TARGET, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403 and response.json["message"] == "the role 'protokol' may not set targets"
    assert log_of(app.extensions["iku"].agenda) == before
    # what it may do as protokol, it still may: the log's role is the one it acts with
    scheduled = client.post("/api/v1/activities", headers={"Authorization": f"Bearer {token}"}, json={
        "title": "Rapat", "leaders": ["bupati"], "starts_at": "2021-03-01T09:00:00+07:00",
        "location": "Pendopo", "scope": "dalam_daerah"})
    assert scheduled.status_code == 201


def test_a_role_edited_in_the_users_table_is_named_by_iku_verify(app, database):
    scaffold_user(app.extensions["iku"].users, "rt_protokol", "protokol")
    assert app.extensions["iku"].verify().ok
    with RawSQL(database) as db:
        db.execute("UPDATE iku_users SET role = 'pimpinan' WHERE name = 'rt_protokol'")
    result = app.extensions["iku"].verify()
    assert not result.ok
    assert result.reason == ("tabel pengguna memberi 'rt_protokol' peran pimpinan; log memberinya peran protokol "
                             "(tabel diubah di luar layanan)")
    cli = CliRunner().invoke(main, ["verify"], env={"IKU_DATABASE": database, "IKU_LANGUAGE": "en"})
    assert cli.exit_code == 1 and ("the users' table gives 'rt_protokol' the role pimpinan; the log gives the "
                                   "role protokol (the table was changed beneath the service)") in cli.stdout


def test_an_account_enabled_in_the_table_stays_disabled(app, client, database):
    users = app.extensions["iku"].users
    token = scaffold_user(users, "ani", "protokol")
    users.set_disabled("ani", True, "pindah tugas")
    with RawSQL(database) as db:  # the row re-enabled, and the old token put back, beneath the service
        digest = __import__("hashlib").sha256(token.encode()).hexdigest()
        db.execute("UPDATE iku_user_state SET disabled = 0 WHERE name = 'ani'")
        db.execute("UPDATE iku_users SET token_sha256 = ? WHERE name = 'ani'", (digest,))
    answer = client.get("/api/v1/iku?period=2021", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401
    assert app.extensions["iku"].verify().reason == (
        "tabel pengguna menyatakan 'ani' aktif; log menyatakannya nonaktif (tabel diubah di luar layanan)")


def test_a_user_row_inserted_beneath_the_service_is_named_by_iku_verify(app, database):
    with RawSQL(database) as db:
        db.execute("INSERT INTO iku_users VALUES ('penyusup', 'admin', ?, 0)", ("0" * 64,))
    assert app.extensions["iku"].verify().reason == (
        "tabel pengguna memuat 'penyusup', yang tidak pernah dibuat log (baris dibuat di luar layanan)")


def test_a_token_planted_in_the_users_table_is_not_obeyed_and_is_named(app, client, database):
    """Without the log's credentials, the review's edit would only move: the pimpinan's
    token digest replaced by one of the insider's own, who then acts as the pimpinan."""
    import hashlib

    scaffold_user(app.extensions["iku"].users, "kabag", "pimpinan")
    mine = "iku_" + "a" * 43
    with RawSQL(database) as db:
        db.execute("UPDATE iku_users SET token_sha256 = ? WHERE name = 'kabag'", (hashlib.sha256(mine.encode()).hexdigest(),))
    before = log_of(app.extensions["iku"].agenda)
    response = client.post("/api/v1/targets", json=TARGET, headers={"Authorization": f"Bearer {mine}"})
    assert response.status_code == 401 and log_of(app.extensions["iku"].agenda) == before
    assert app.extensions["iku"].verify().reason == (
        "tabel pengguna memberi 'kabag' token yang tidak diterbitkan log (tabel diubah di luar layanan)")


def test_a_password_planted_in_the_users_table_is_not_obeyed_and_is_named(app, database):
    from argon2 import PasswordHasher

    from tests.api.test_pages import PASSWORD, token_of

    scaffold_user(app.extensions["iku"].users, "kabag", "pimpinan", PASSWORD)
    with RawSQL(database) as db:
        db.execute("UPDATE iku_passwords SET password_hash = ? WHERE name = 'kabag'",
                   (PasswordHasher().hash("sandi-sang-penyusup"),))
    browser = app.test_client()
    page = browser.get("/login").get_data(as_text=True)
    refused = browser.post("/login", data={"csrf_token": token_of(page), "name": "kabag",
                                           "password": "sandi-sang-penyusup"})
    assert refused.status_code == 401 and "Nama pengguna atau kata sandi salah" in refused.get_data(as_text=True)
    assert app.extensions["iku"].verify().reason == (
        "tabel pengguna memberi 'kabag' kata sandi yang tidak ditetapkan log (tabel diubah di luar layanan)")

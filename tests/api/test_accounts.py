"""Issue 13, users: the admin manages people in the web; every change of access is an event
in the log with who and why, on an access history the Inspektorat reads; a disabled
user's open session and token end at once; names are compared without regard to case."""
import hashlib
import re

from api.users import recorders as tables
from tests.api.test_pages import PASSWORD, errors_of, login, logins, post_form, token_of  # noqa: F401
from api import create_app
from tests.conftest import scaffold_user, whole_log

ACCOUNT_EVENT = ".accounts:UserAccount."


def account_events(app) -> list:
    return [n for n in whole_log(app.extensions["iku"].agenda) if ACCOUNT_EVENT in n.topic]


def act(client, name, action, **data):
    """Post the user page's form of `action` (its own action URL, as a browser would)."""
    html = client.get(f"/users/{name}").get_data(as_text=True)
    path = f"/users/{name}/{action}"
    assert f'action="{path}"' in html or action in ("role", "disable", "enable") and "Ini akun Anda sendiri" in html
    response = post_form(client, f"/users/{name}", path, data)
    if response.status_code == 303:  # done: the user's page, where a new secret is shown once
        return client.get(response.headers["Location"])
    return response


def signed_in(app, name, password=PASSWORD):
    browser = app.test_client()
    page = browser.get("/login").get_data(as_text=True)
    response = browser.post("/login", data={"csrf_token": token_of(page), "name": name, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return browser


def test_a_disabled_users_open_session_and_token_are_refused_on_the_next_request(app, client, login):
    users = app.extensions["iku"].users
    login("admin")
    users.create("ani", "protokol", password=PASSWORD)
    official = signed_in(app, "ani")
    bearer = {"Authorization": f"Bearer {users.new_token('ani', 'aplikasi jadwal')}"}
    assert official.get("/agenda").status_code == 200
    assert app.test_client().get("/api/v1/iku?period=2021", headers=bearer).status_code == 200

    response = act(client, "ani", "disable", reason="pindah tugas ke Bagian Umum")
    assert response.status_code == 200 and "Akun dinonaktifkan" in response.get_data(as_text=True)
    assert official.get("/agenda").status_code == 302  # the open session: back to the login page
    assert app.test_client().get("/api/v1/iku?period=2021", headers=bearer).status_code == 401
    page = official.get("/login").get_data(as_text=True)
    assert official.post("/login", data={"csrf_token": token_of(page), "name": "ani",
                                         "password": PASSWORD}).status_code == 401
    disabled = account_events(app)[-1]
    assert disabled.topic.endswith("AccountDisabled") and '"actor":"admin"' in disabled.state.decode()
    assert "pindah tugas ke Bagian Umum" in disabled.state.decode()

    assert act(client, "ani", "enable", reason="kembali bertugas").status_code == 200
    assert signed_in(app, "ani").get("/agenda").status_code == 200
    assert app.test_client().get("/api/v1/iku?period=2021", headers=bearer).status_code == 401  # a new token is asked for


def test_every_change_needs_a_reason_and_a_refused_one_appends_nothing(app, client, login):
    login("admin")
    app.extensions["iku"].users.create("ani", "protokol", password=PASSWORD)
    before = whole_log(app.extensions["iku"].agenda)
    for action, data in (("role", {"role": "dokumentasi"}), ("disable", {}), ("password", {}), ("token", {}),
                         ("profile", {"full_name": "Ani Rahayu"})):
        response = act(client, "ani", action, reason="   ", **data)
        assert response.status_code == 422 and "Wajib diisi." in errors_of(response.get_data(as_text=True))
    assert act(client, "ani", "profile", reason="data kepegawaian", nip="1978 0512 2003").status_code == 422
    assert act(client, "ani", "role", reason="mutasi", role="bupati").status_code == 422
    assert act(client, "ani", "role", reason="mutasi", role="protokol").status_code == 422  # the role it has
    assert client.post("/users/ani/delete", data={}).status_code in (400, 404)
    assert whole_log(app.extensions["iku"].agenda) == before


def test_an_admin_does_not_lock_themselves_out(app, client, login):
    login("admin")
    before = whole_log(app.extensions["iku"].agenda)
    response = act(client, "admin", "disable", reason="coba")
    assert response.status_code == 422 and "admin lain" in response.get_data(as_text=True)
    assert act(client, "admin", "role", reason="coba", role="protokol").status_code == 422
    assert whole_log(app.extensions["iku"].agenda) == before and client.get("/users").status_code == 200


def test_a_user_is_made_with_a_chosen_role_a_profile_and_no_token_and_names_ignore_case(app, client, login):
    login("admin")
    made = post_form(client, "/users", "/users", {
        "name": "Budi.Santoso", "role": "pimpinan", "password": "sandi-yang-panjang",
        "full_name": "  Drs.  Budi   Santoso, M.Si ", "nip": "19780512 200312 1 004",
        "jabatan": "Kepala Bagian Protokol dan Komunikasi Pimpinan", "reason": "Kepala Bagian baru"})
    assert made.status_code == 302
    html = client.get("/users").get_data(as_text=True)
    assert "budi.santoso" in html and "Drs. Budi Santoso, M.Si" in html and "iku_" not in html
    user = app.extensions["iku"].users.login("BUDI.santoso", "sandi-yang-panjang")  # any case
    assert (user.name, user.nip, user.display_name) == ("budi.santoso", "197805122003121004", "Drs. Budi Santoso, M.Si")
    again = post_form(client, "/users", "/users", {"name": "budi.SANTOSO", "role": "protokol",
                                                   "password": "sandi-yang-panjang"})
    assert again.status_code == 422 and "sudah dipakai" in again.get_data(as_text=True)
    spaced = post_form(client, "/users", "/users", {"name": " citra", "role": "protokol",
                                                    "password": "sandi-yang-panjang"})
    assert spaced.status_code == 422 and "Tanpa spasi di awal atau di akhir." in errors_of(spaced.get_data(as_text=True))
    empty = post_form(client, "/users", "/users", {"name": "", "role": "", "password": ""})
    assert errors_of(empty.get_data(as_text=True)).count("Wajib diisi.") == 3
    created = [n for n in account_events(app) if "budi.santoso" in n.state.decode()]
    assert len(created) == 1 and "Kepala Bagian baru" in created[0].state.decode()


def test_a_token_is_issued_on_request_shown_once_and_the_old_one_ends(app, client, login):
    login("admin")
    users = app.extensions["iku"].users
    users.create("sistem.jadwal", "protokol")
    response = act(client, "sistem.jadwal", "token", reason="integrasi kalender")
    token = re.search(r"<code>(iku_[^<]+)</code>", response.get_data(as_text=True)).group(1)
    assert users.authenticate(token).name == "sistem.jadwal"
    assert token not in client.get("/users/sistem.jadwal").get_data(as_text=True)  # shown once
    act(client, "sistem.jadwal", "token", reason="token bocor")
    assert users.authenticate(token) is None


def test_an_admin_resets_a_password_and_the_user_changes_their_own(app, client, login):
    login("admin")
    users = app.extensions["iku"].users
    users.create("ani", "protokol", password=PASSWORD)
    official = signed_in(app, "ani")
    response = act(client, "ani", "password", reason="lupa kata sandi")
    given = re.search(r'id="secret">[^<]*<code>([^<]+)</code>', response.get_data(as_text=True)).group(1)
    assert 'id="secret"' not in client.get("/users/ani").get_data(as_text=True)  # once; a reload resets nothing
    assert official.get("/agenda").status_code == 302  # the reset ended her session
    mine, other = signed_in(app, "ani", given), signed_in(app, "ani", given)

    wrong = post_form(mine, "/password", "/password", {"current": "salah-sekali", "new": "sandi-milik-ani",
                                                        "again": "sandi-milik-ani"})
    assert wrong.status_code == 422 and "Kata sandi saat ini salah." in errors_of(wrong.get_data(as_text=True))
    differ = post_form(mine, "/password", "/password", {"current": given, "new": "sandi-milik-ani",
                                                         "again": "sandi-milik-anI"})
    assert differ.status_code == 422
    short = post_form(mine, "/password", "/password", {"current": given, "new": "pendek", "again": "pendek"})
    assert "Kata sandi paling sedikit 10 karakter." in errors_of(short.get_data(as_text=True))
    done = post_form(mine, "/password", "/password", {"current": given, "new": "sandi-milik-ani",
                                                       "again": "sandi-milik-ani"})
    assert done.status_code == 302
    assert mine.get("/agenda").status_code == 200 and other.get("/agenda").status_code == 302
    assert users.login("ani", "sandi-milik-ani").name == "ani"
    kinds = [n.topic.rsplit(".", 1)[1] for n in account_events(app) if n.originator_id == users_id(app, "ani")]
    assert kinds == ["AccountCreated", "TokenIssued", "PasswordReset", "PasswordChanged"]


def users_id(app, name):
    from domain.accounts import UserAccount
    return UserAccount.create_id(name)


def test_the_access_history_says_who_could_do_what_when(app, client, login):
    svc = app.extensions["iku"]
    login("inspektorat")
    svc.users.create("ani", "protokol", password=PASSWORD, reason="pegawai baru", by="admin")
    first = account_events(app)[-1].recorded_at
    svc.users.set_role("ani", "dokumentasi", "mutasi ke Sub Bagian Dokumentasi", by="admin")
    svc.users.set_disabled("ani", True, "pensiun", by="admin")
    now = client.get("/access").get_data(as_text=True)
    assert "mutasi ke Sub Bagian Dokumentasi" in now and "pensiun" in now and "pegawai baru" in now
    assert "Peran diubah: dari Sub Bagian Protokol menjadi Sub Bagian Dokumentasi Pimpinan" in " ".join(now.split())
    row = re.search(r"<tr>\s*<td>ani</td>.*?</tr>", now, re.S).group(0)
    assert "Sub Bagian Dokumentasi Pimpinan" in row and "nonaktif" in row
    from domain.store.clock import to_datetime
    then = to_datetime(first).astimezone().isoformat()
    earlier = client.get("/access", query_string={"as_of": then}).get_data(as_text=True)
    row = re.search(r"<tr>\s*<td>ani</td>.*?</tr>", earlier, re.S).group(0)
    assert "Sub Bagian Protokol" in row and "nonaktif" not in row and "pensiun" not in earlier
    login("protokol")
    assert client.get("/access").status_code == 403


def upgraded(app, database, tmp_path):
    """The app restarted as the upgrade to the seals starts it: the log's seal boundary
    neither in the database nor beside the key yet."""
    svc = app.extensions["iku"]
    svc.users.recorder.run([("DELETE FROM iku_meta WHERE key = 'events_sealed_from'", ())])
    svc.checkpoints.head.path.with_suffix(".seals").unlink()
    svc.close()
    return create_app({"IKU_DATABASE": database, "IKU_TIMEZONE": "Asia/Jakarta", "TESTING": True,
                       "IKU_EVIDENCE_DIR": str(tmp_path / "evidence")})


def test_an_account_made_before_histories_were_kept_enters_the_log_at_the_upgrade(app, database, tmp_path):
    app.extensions["iku"].users.recorder.run(
        tables.insert_user("lama", "protokol", "0" * 64, 1_600_000_000_000_000))
    assert app.extensions["iku"].users.get("lama") is None  # no account in the log: not obeyed
    app = upgraded(app, database, tmp_path)
    try:
        svc = app.extensions["iku"]
        assert svc.users.get("lama").role == "protokol"
        scaffold_user(svc.users, "inspektorat", "inspektorat", PASSWORD)
        client = signed_in(app, "inspektorat")
        assert "akun lama" in client.get("/access").get_data(as_text=True)
        svc.users.set_role("lama", "dokumentasi", "mutasi", by="admin")
        kinds = [n.topic.rsplit(".", 1)[1] for n in account_events(app) if n.originator_id == users_id(app, "lama")]
        assert kinds == ["AccountCreated", "RoleChanged"]
        entered = next(n for n in account_events(app) if n.originator_id == users_id(app, "lama"))
        assert '"existed_since":1600000000000000' in entered.state.decode() and '"actor":"system:upgrade"' in (
            entered.state.decode())
    finally:
        app.extensions["iku"].close()


def test_a_user_row_made_beneath_the_service_after_the_upgrade_is_never_entered(app, database, tmp_path):
    token = "iku_" + "x" * 43
    app.extensions["iku"].users.recorder.run(
        tables.insert_user("penyusup", "admin", hashlib.sha256(token.encode()).hexdigest(), 0))
    client = app.test_client()
    assert client.get("/api/v1/iku?period=2021", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    app.extensions["iku"].close()
    restarted = create_app({"IKU_DATABASE": database, "IKU_TIMEZONE": "Asia/Jakarta", "TESTING": True,
                            "IKU_EVIDENCE_DIR": str(tmp_path / "evidence")})
    try:
        assert restarted.extensions["iku"].users.get("penyusup") is None
        answer = restarted.test_client().get("/api/v1/iku?period=2021", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 401
    finally:
        restarted.extensions["iku"].close()


def test_text_the_store_cannot_keep_is_refused_before_anything_is_written(app, client, login):
    """Review: on PostgreSQL a NUL in a profile committed the event without its table row."""
    login("admin")
    app.extensions["iku"].users.create("ani", "protokol", password=PASSWORD)
    before = whole_log(app.extensions["iku"].agenda)
    for action, data in (("profile", {"full_name": "Ani\x00X", "reason": "profil"}),
                         ("profile", {"jabatan": "Staf\x1b[31m", "reason": "profil"}),
                         ("disable", {"reason": "pindah\x00tugas"})):
        response = act(client, "ani", action, **data)
        assert response.status_code == 422, response.get_data(as_text=True)
    made = post_form(client, "/users", "/users", {"name": "budi", "role": "protokol", "password": PASSWORD,
                                                  "full_name": "Bu\x00di"})
    assert made.status_code == 422 and app.extensions["iku"].users.get("budi") is None
    assert whole_log(app.extensions["iku"].agenda) == before
    assert client.get("/users/a%00b").status_code == 404


def test_the_store_refuses_a_value_it_cannot_keep_before_the_events_are_inserted(app):
    import pytest

    from api.users import recorders as tables
    from domain.accounts import UserAccount
    from domain.context import acting_as

    agenda = app.extensions["iku"].agenda
    with acting_as("admin"), pytest.raises(ValueError):
        agenda.change_account("zed", lambda _account: UserAccount(name="zed", role="protokol"),
                              tables.set_profile("zed", "Z\x00", "", ""))
    assert [n for n in whole_log(agenda) if ACCOUNT_EVENT in n.topic] == []


def test_a_name_in_other_capitals_shares_the_throttle_of_the_name(app):
    """Review: 'Pimpinan', 'PIMPINAN' … each had five guesses of their own."""
    import pytest

    from api.users import LoginRefused

    users = app.extensions["iku"].users
    users.create("pimpinan", "pimpinan", password=PASSWORD)
    for i in range(5):
        with pytest.raises(LoginRefused):
            users.login("pimpinan", "salah-sekali", address=f"10.0.0.{i}")
    for variant in ("Pimpinan", "PIMPINAN", "pImpinan"):
        with pytest.raises(LoginRefused) as refused:
            users.login(variant, PASSWORD, address="10.0.1.1")
        assert refused.value.locked_for > 0


def test_a_login_name_with_a_nul_is_refused_not_a_server_error(client):
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"csrf_token": token_of(page), "name": "a\x00b", "password": "x" * 12})
    assert response.status_code == 401


def test_a_throttled_password_change_says_how_long_to_wait(app, client, login):
    """Review: once throttled, even the right present password read 'salah'."""
    login("protokol")
    for _ in range(6):
        response = post_form(client, "/password", "/password", {"current": "salah-sekali-lagi",
                                                                  "new": "sandi-baru-panjang", "again": "sandi-baru-panjang"})
    assert response.status_code == 422
    right = post_form(client, "/password", "/password", {"current": PASSWORD, "new": "sandi-baru-panjang",
                                                          "again": "sandi-baru-panjang"})
    assert "Terlalu banyak percobaan gagal" in right.get_data(as_text=True)


def test_logging_out_ends_the_sessions_not_the_token_and_a_token_made_with_the_account_is_recorded(app, client):
    """Review: a logout ended the API token with no event; `create --token` left no TokenIssued."""
    users = app.extensions["iku"].users
    token = users.create("integrasi", "protokol", password=PASSWORD, reason="aplikasi kalender")
    kinds = [n.topic.rsplit(".", 1)[1] for n in account_events(app)]
    assert kinds == ["AccountCreated", "TokenIssued"]
    browser = signed_in(app, "integrasi")
    html = browser.get("/agenda").get_data(as_text=True)
    browser.post("/logout", data={"csrf_token": token_of(html)})
    assert browser.get("/agenda").status_code == 302
    bearer = {"Authorization": f"Bearer {token}"}
    assert app.test_client().get("/api/v1/iku?period=2021", headers=bearer).status_code == 200


def test_the_last_enabled_admin_is_neither_disabled_nor_demoted_even_by_two_admins_at_once(app, monkeypatch):
    """Review: two admins disabling each other at the same moment left no admin."""
    import pytest

    from api.users import LastAdmin, User
    from domain.exceptions import ConcurrentWrite

    users = app.extensions["iku"].users
    users.create("kepala", "admin", password=PASSWORD, token=False)
    users.create("wakil", "admin", password=PASSWORD, token=False)
    stale = users.all()  # what a second request read before the first one's change
    users.set_disabled("wakil", True, "cuti panjang", by="kepala")
    with pytest.raises(LastAdmin):
        users.set_disabled("kepala", True, "coba", by="system:cli")
    with pytest.raises(LastAdmin):
        users.set_role("kepala", "pimpinan", "coba", by="system:cli")
    before = whole_log(app.extensions["iku"].agenda)
    monkeypatch.setattr(users, "all", lambda: stale)  # both admins still enabled, as it read them
    with pytest.raises(ConcurrentWrite):
        users.set_disabled("kepala", True, "balasan", by="wakil")
    assert whole_log(app.extensions["iku"].agenda) == before
    assert users.get("kepala") == User("kepala", "admin", has_password=True)
    users.set_disabled("wakil", False, "kembali", by="kepala")
    users.set_role("kepala", "pimpinan", "pindah ke pimpinan", by="wakil")  # another admin remains: fine


def test_two_old_accounts_differing_only_in_case_are_not_merged_into_one_history(app, database, tmp_path):
    """Review: 'Budi' and 'budi', made before names were folded, shared one account history.
    The upgrade enters neither; a change of either is refused by name."""
    import pytest

    from api.users import UserExists

    app.extensions["iku"].users.recorder.run([*tables.insert_user("Budi", "protokol", "1" * 64, 1),
                                              *tables.insert_user("budi", "dokumentasi", "2" * 64, 1)])
    app = upgraded(app, database, tmp_path)
    users = app.extensions["iku"].users
    assert users.get("Budi") is None and users.get("budi") is None
    before = whole_log(app.extensions["iku"].agenda)
    for change in (lambda: users.set_disabled("Budi", True, "pindah", by="admin"),
                   lambda: users.set_role("budi", "pimpinan", "mutasi", by="admin")):
        with pytest.raises(UserExists, match="differ only in case"):
            change()
    assert whole_log(app.extensions["iku"].agenda) == before
    app.extensions["iku"].close()


def test_the_new_user_form_shows_every_mistake_at_once(app, client, login):
    """Usability review: four mistakes took four rounds, one message each."""
    login("admin")
    response = post_form(client, "/users", "/users", {"name": "budi santoso", "role": "", "password": "pendek",
                                                      "nip": "123"})
    shown = errors_of(response.get_data(as_text=True))
    assert response.status_code == 422 and len(shown) == 4
    assert {"1–64 huruf, angka, titik, garis bawah atau tanda hubung.", "Wajib diisi.",
            "Kata sandi paling sedikit 10 karakter.", "NIP terdiri atas 18 angka."} == set(shown)

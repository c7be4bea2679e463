"""The HTML pages through the test client (CSRF on, as in production)."""
import re
from uuid import UUID

import pytest

from domain.context import acting_as
from tests.conftest import log_of, records_of, scaffold_user, whole_log, wib

PASSWORD = "kata-sandi-uji"


def token_of(html: str, name: str = "csrf_token") -> str:
    return re.search(rf'name="{name}" value="([^"]+)"', html).group(1)


def errors_of(html: str) -> list[str]:
    return re.findall(r'class="error"[^>]*>([^<]+)<', html)


@pytest.fixture
def logins(app):
    """Makes a user of a role, with PASSWORD, when a test first needs it (argon2 is slow)."""
    users = app.extensions["iku"].users

    def ensure(role):
        if users.get(role) is None:
            scaffold_user(users, role, role, PASSWORD)

    return ensure


@pytest.fixture
def login(client, logins):
    def login(role, next_path=""):
        logins(role)
        page = client.get("/login").get_data(as_text=True)
        return client.post("/login", data={"csrf_token": token_of(page), "name": role,
                                           "password": PASSWORD, "next": next_path})

    return login


@pytest.fixture
def activity_id(app, logins):
    logins("protokol")  # its actor's account first: the log gives each event's actor its role
    with acting_as("protokol"):
        return str(app.extensions["iku"].agenda.schedule(
            title="Kunjungan Kerja ke Kecamatan Puger", leaders=["bupati"],
            starts_at=wib(2021, 4, 5, 9), location="Puger", scope="dalam_daerah").activity_id)


def post_form(client, page_path, action, data, form_index=0):
    """Post a form as a browser would: with the page's CSRF token and form token."""
    html = client.get(page_path).get_data(as_text=True)
    tokens = re.findall(r'name="form_token" value="([^"]+)"', html)
    base = {"csrf_token": token_of(html)}
    if tokens:
        base["form_token"] = tokens[min(form_index, len(tokens) - 1)]
    version = re.search(r'name="version" value="(\d+)"', html)
    if version:
        base["version"] = version.group(1)
    return client.post(action, data={**base, **data})


def test_pages_need_a_login_and_come_back_after_it(client, login):
    response = client.get("/dashboard?period=2021-Q1")
    assert response.status_code == 302 and "/login?next=" in response.headers["Location"]
    back = login("pimpinan", next_path="/dashboard?period=2021-Q1")
    assert back.headers["Location"] == "/dashboard?period=2021-Q1"


def test_a_login_never_redirects_off_site(login):
    assert login("pimpinan", next_path="https://evil.example/").headers["Location"] == "/agenda"
    assert login("pimpinan", next_path="//evil.example/").headers["Location"] == "/agenda"


def test_a_wrong_password_is_refused_and_repeated_failures_lock_the_user_out(client, logins):
    logins("protokol")
    html = client.get("/login").get_data(as_text=True)
    for _ in range(5):
        response = client.post("/login", data={"csrf_token": token_of(html), "name": "protokol",
                                               "password": "salah"})
        assert response.status_code == 401
    locked = client.post("/login", data={"csrf_token": token_of(html), "name": "protokol",
                                         "password": PASSWORD})
    assert locked.status_code == 401
    assert "Coba lagi dalam" in locked.get_data(as_text=True)


def test_the_session_cookie_is_httponly_and_samesite_lax(client, login):
    cookie = login("pimpinan").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_post_without_the_csrf_token_is_refused_and_appends_nothing(client, login, app, activity_id):
    login("protokol")
    before = log_of(app.extensions["iku"].agenda)
    response = client.post(f"/activities/{activity_id}/protocol", data={"officers": "Ani", "version": "1"})
    assert response.status_code == 400
    assert log_of(app.extensions["iku"].agenda) == before


def test_logout_ends_the_session(client, login):
    login("pimpinan")
    html = client.get("/agenda?period=2021").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": token_of(html)})
    assert client.get("/agenda").status_code == 302


def test_protocol_staff_schedule_an_activity_with_a_wib_date_and_time(client, login, app):
    login("protokol")
    response = post_form(client, "/activities/new", "/activities/new", {
        "title": "Rapat Koordinasi Stunting", "leaders": ["bupati", "wakil_bupati"], "date": "2021-03-31",
        "time": "23:30", "location": "Pendopo", "scope": "dalam_daerah"})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Rabu, 31 Maret 2021 23.30 WIB" in page
    event = log_of(app.extensions["iku"].agenda)[-1]
    assert b'"starts_at":{"_type_":"datetime_iso","_data_":"2021-03-31T23:30:00+07:00"}' in event.state


def test_an_invalid_schedule_is_shown_again_with_messages_beside_the_fields(client, login, app):
    login("protokol")
    response = post_form(client, "/activities/new", "/activities/new", {
        "title": "Rapat", "date": "2021-02-30", "time": "09:00", "location": "", "scope": "dalam_daerah"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert set(errors_of(html)) >= {"Tanggal tidak sah.", "Wajib diisi.", "Pilih atau sebutkan paling sedikit satu."}
    assert 'value="Rapat"' in html  # what was typed is kept
    assert "autofocus" in html
    assert records_of(app.extensions["iku"].agenda) == []


def test_errors_are_shown_in_english_when_english_is_chosen(client, login):
    login("protokol")
    client.get("/lang/en")
    response = post_form(client, "/activities/new", "/activities/new", {
        "title": "", "leaders": ["bupati"], "date": "2021-03-01", "time": "25:00", "location": "L",
        "scope": "dalam_daerah"})
    assert {"Required.", "Not a valid time (hh:mm)."} <= set(errors_of(response.get_data(as_text=True)))


def test_pages_are_in_indonesian_whatever_the_browser_says_until_english_is_chosen(client, login):
    """Issue 13: an office PC or phone left in English still gets Bahasa Indonesia; English
    is the user's choice, remembered after logging out."""
    english = {"Accept-Language": "en-US,en;q=0.9"}
    assert 'lang="id"' in client.get("/login", headers=english).get_data(as_text=True)
    login("pimpinan")
    assert "Agenda pimpinan" in client.get("/agenda?period=2021", headers=english).get_data(as_text=True)
    client.get("/lang/en")
    html = client.get("/agenda?period=2021").get_data(as_text=True)
    assert "Leaders&#39; agenda" in html or "Leaders' agenda" in html
    client.post("/logout", data={"csrf_token": token_of(html)})
    assert 'lang="en"' in client.get("/login").get_data(as_text=True)  # remembered after logging out
    client.get("/lang/id")
    assert 'lang="id"' in client.get("/login", headers=english).get_data(as_text=True)


def test_a_double_submit_of_a_form_appends_one_event(client, login, app, activity_id):
    login("protokol")
    html = client.get(f"/activities/{activity_id}").get_data(as_text=True)
    data = {"csrf_token": token_of(html), "form_token": token_of(html, "form_token"), "version": "1",
            "officers": "Ani\nBudi"}
    first = client.post(f"/activities/{activity_id}/protocol", data=data)
    second = client.post(f"/activities/{activity_id}/protocol", data=data)
    assert first.status_code == second.status_code == 303
    assert [n.originator_version for n in records_of(app.extensions["iku"].agenda)] == [1, 2]


def test_a_form_text_is_measured_without_its_surrounding_spaces(client, login, app, activity_id):
    """As the form always read it: notes of 2,000 characters typed with trailing spaces fit."""
    login("protokol")
    html = client.get(f"/activities/{activity_id}").get_data(as_text=True)
    data = {"csrf_token": token_of(html), "form_token": token_of(html, "form_token"), "version": "1",
            "officers": "Ani", "notes": "n" * 2000 + "   "}
    assert client.post(f"/activities/{activity_id}/protocol", data=data).status_code == 303
    assert [n.originator_version for n in records_of(app.extensions["iku"].agenda)] == [1, 2]


def test_a_stale_form_is_refused_with_a_message_and_appends_nothing(client, login, app, activity_id):
    login("dokumentasi")
    html = client.get(f"/activities/{activity_id}").get_data(as_text=True)
    with acting_as("protokol"):  # someone else changes the activity meanwhile
        app.extensions["iku"].agenda.record_protocol(UUID(activity_id), officers=["Ani"])
    before = log_of(app.extensions["iku"].agenda)
    response = client.post(f"/activities/{activity_id}/documentation", data={
        "csrf_token": token_of(html), "form_token": token_of(html, "form_token"), "version": "1",
        "media": "foto"})
    assert response.status_code == 409
    assert "diubah oleh orang lain" in response.get_data(as_text=True)
    assert log_of(app.extensions["iku"].agenda) == before


@pytest.mark.parametrize(("form", "data", "status", "message"), [
    ("documentation", {"media": "lukisan"}, 422, "Pilihan tidak dikenal."),
    ("documentation", {"media": "foto", "evidence_sha256": "abc"}, 422, "Bukan SHA-256"),
    ("protocol", {"officers": ""}, 422, "Pilih atau sebutkan paling sedikit satu."),
    ("retract", {"entry": "1", "reason": "salah"}, 409, "Catatan ini tidak ada atau sudah diralat."),
    ("retract", {"entry": "x", "reason": "salah"}, 422, "Isian tidak sah."),
    ("retract", {"entry": "\uff11", "reason": "salah"}, 422, "Isian tidak sah."),  # a fullwidth 1: no number
    ("reschedule", {"date": "2021-04-06", "time": "10:00", "end_time": "09:00", "reason": "x"}, 422,
     "Tidak boleh sebelum waktu mulai."),
    ("cancel", {"reason": "", "confirm": "1"}, 422, "Wajib diisi."),
    ("cancel", {"reason": "batal"}, 422, "Centang untuk memastikan pembatalan."),  # issue 12, problem 7
])
def test_an_invalid_fact_form_is_shown_again_and_appends_nothing(client, login, app, activity_id, form, data, status, message):
    login("admin")
    before = log_of(app.extensions["iku"].agenda)
    response = post_form(client, f"/activities/{activity_id}", f"/activities/{activity_id}/{form}", data)
    assert response.status_code == status
    assert any(message in e for e in errors_of(response.get_data(as_text=True)))
    assert log_of(app.extensions["iku"].agenda) == before


def test_acting_on_a_cancelled_activity_is_refused_with_a_message(client, login, app, activity_id):
    login("admin")
    post_form(client, f"/activities/{activity_id}", f"/activities/{activity_id}/cancel",
              {"reason": "batal", "confirm": "1"})
    before = log_of(app.extensions["iku"].agenda)
    response = post_form(client, f"/activities/{activity_id}", f"/activities/{activity_id}/protocol",
                         {"officers": "Ani"})
    assert response.status_code == 409 and "sudah dibatalkan" in response.get_data(as_text=True)
    assert log_of(app.extensions["iku"].agenda) == before


@pytest.mark.parametrize("role", ["inspektorat", "pimpinan"])
def test_readers_get_no_write_forms_and_a_forged_post_is_403(client, login, app, activity_id, role):
    login(role)
    html = client.get(f"/activities/{activity_id}").get_data(as_text=True)
    assert 'action="/activities/' not in html
    assert client.get("/activities/new").status_code == 403
    before = log_of(app.extensions["iku"].agenda)
    for form, data in (("protocol", {"officers": "Ani"}), ("documentation", {"media": "foto"}),
                       ("cancel", {"reason": "x"})):
        response = client.post(f"/activities/{activity_id}/{form}", data={
            "csrf_token": token_of(html), "version": "1", **data})
        assert response.status_code == 403
    assert log_of(app.extensions["iku"].agenda) == before


def test_documentation_staff_see_only_the_documentation_form(client, login, activity_id):
    login("dokumentasi")
    html = client.get(f"/activities/{activity_id}").get_data(as_text=True)
    assert f"/activities/{activity_id}/documentation" in html
    assert f"/activities/{activity_id}/protocol" not in html and f"/activities/{activity_id}/cancel" not in html


def test_the_dashboard_shows_the_figures_the_decree_text_and_links_to_the_activities(client, login, app, activity_id):
    login("protokol")
    post_form(client, f"/activities/{activity_id}", f"/activities/{activity_id}/protocol", {"officers": "Ani"})
    html = client.get("/dashboard?period=2021-Q2").get_data(as_text=True)
    assert re.search(r'data-code="IKU-1">100,00%<', html)
    assert re.search(r'data-code="IKU-2">0,00%<', html)
    assert "Persentase pelayanan keprotokolan atas kegiatan Bupati dan Wakil Bupati" in html
    assert html.count("<svg") == 2
    link = re.search(r'href="(/dashboard/activities\?[^"]*part=served[^"]*)"', html).group(1)
    behind = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert "Kunjungan Kerja ke Kecamatan Puger" in behind
    assert "karena: Pelayanan keprotokolan (catatan ke-2," in " ".join(behind.split())  # the event that counted it


def test_the_dashboard_as_of_a_date_shows_what_was_known_then(client, login, app, activity_id):
    login("pimpinan")
    html = client.get("/dashboard?period=2021-Q2&as_of=2021-04-30").get_data(as_text=True)
    assert re.search(r'data-code="IKU-1">—<', html)  # nothing was recorded by then


def test_the_agenda_filters_by_status_and_search(client, login, app, activity_id):
    login("pimpinan")
    assert "Puger" in client.get("/agenda?period=2021-04&q=puger").get_data(as_text=True)
    assert "Kunjungan Kerja" not in client.get("/agenda?period=2021-04&q=ambulu").get_data(as_text=True)
    assert "Kunjungan Kerja" not in client.get("/agenda?period=2021-04&status=served").get_data(as_text=True)
    assert "Kunjungan Kerja" in client.get("/agenda?period=2021-04&status=scheduled").get_data(as_text=True)


def test_a_bad_filter_is_a_message_not_an_error_page(client, login):
    login("pimpinan")
    response = client.get("/agenda?period=2021-Q9&as_of=kemarin&leader=camat")
    assert response.status_code == 200
    assert "Periode tidak dikenal" in response.get_data(as_text=True)


def test_only_admins_manage_users(client, login, app):
    login("protokol")
    assert client.get("/users").status_code == 403
    login("admin")
    response = post_form(client, "/users", "/users", {"name": "citra", "role": "dokumentasi",
                                                      "password": "sandi-yang-panjang"})
    assert response.status_code == 302  # no API token shown: one is issued on request
    assert "iku_" not in client.get("/users").get_data(as_text=True)
    assert app.extensions["iku"].users.login("citra", "sandi-yang-panjang").role == "dokumentasi"
    short = post_form(client, "/users", "/users", {"name": "dedi", "role": "admin", "password": "pendek"})
    assert short.status_code == 422


def test_unknown_pages_get_an_html_error_page(client, login):
    login("pimpinan")
    response = client.get("/activities/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404 and response.content_type.startswith("text/html")


def test_api_tokens_keep_working_beside_the_pages(client, auth):
    assert client.get("/api/v1/iku?period=2021", headers=auth("inspektorat")).status_code == 200


def test_dates_read_as_users_read_them(app):
    from flask_babel import force_locale

    from api.web.i18n import format_when

    with app.test_request_context():
        with force_locale("id"):
            assert format_when(wib(2021, 4, 5, 9)) == "Senin, 5 April 2021 09.00 WIB"
        with force_locale("en"):
            assert format_when(wib(2021, 4, 5, 9)) == "Monday, 5 April 2021 09:00 WIB"


def test_an_expired_session_leads_to_the_login_page_and_back(client, login, app, activity_id):
    login("protokol")
    page = f"/activities/{activity_id}"
    html = client.get(page).get_data(as_text=True)
    client.delete_cookie("session")  # the session has expired
    response = client.post(f"/activities/{activity_id}/protocol", headers={"Referer": f"http://localhost{page}"},
                           data={"csrf_token": token_of(html), "version": "1", "officers": "Ani"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
    assert records_of(app.extensions["iku"].agenda)[-1].originator_version == 1
    back = login("protokol", next_path=page)
    assert back.headers["Location"] == page


@pytest.mark.slow
def test_no_form_input_gives_a_server_error(client, login, app, activity_id):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    login("admin")
    html = client.get(f"/activities/{activity_id}").get_data(as_text=True)
    csrf = token_of(html)
    names = st.sampled_from(["title", "leaders", "date", "time", "end_time", "location", "scope", "officers",
                             "media", "evidence_uri", "evidence_sha256", "reason", "entry", "version", "notes",
                             "confirm"])
    values = st.text(max_size=20) | st.sampled_from(["2021-02-30", "25:99", "-1", "99999999999999999999"])
    forms = st.sampled_from(["protocol", "documentation", "cancel", "reschedule", "retract"])

    @settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
    @given(form=forms, data=st.dictionaries(names, values, max_size=6))
    def post(form, data):
        response = client.post(f"/activities/{activity_id}/{form}", data={"csrf_token": csrf, **data})
        assert response.status_code < 500, response.get_data(as_text=True)[:500]
        response = client.post("/activities/new", data={"csrf_token": csrf, **data})
        assert response.status_code < 500

    post()


def test_an_unknown_leader_in_the_schedule_form_is_refused(client, login, app):
    login("protokol")
    response = post_form(client, "/activities/new", "/activities/new", {
        "title": "Rapat", "leaders": ["camat"], "date": "2021-03-01", "time": "09:00", "location": "L",
        "scope": "dalam_daerah"})
    assert response.status_code == 422
    assert "Pilihan tidak dikenal." in errors_of(response.get_data(as_text=True))
    assert records_of(app.extensions["iku"].agenda) == []


def test_the_audit_page_verifies_the_log_and_shows_the_public_key(client, login, app, activity_id):
    login("pimpinan")
    html = client.get("/audit?verify=1").get_data(as_text=True)
    assert f"Utuh: {len(whole_log(app.extensions['iku'].agenda))} peristiwa diperiksa" in html
    assert "-----BEGIN PUBLIC KEY-----" in html
    assert "/audit/export.zip" not in html  # pimpinan does not export
    assert client.get("/audit/export.zip?period=2021").status_code == 403


def test_a_failed_verification_is_said_in_the_pages_language_and_in_english_in_the_api(
        client, login, app, activity_id, database, auth):
    """Issue 13: the Audit page's failure line speaks the page's language (Indonesian unless
    English is chosen); the JSON API's reason stays English; neither leaks into the process."""
    import inspector.catalog
    from tests.conftest import RawSQL

    from tests.integration.test_audit import holding

    login("pimpinan")
    auth("inspektorat")  # the users first: their accounts are in the log
    p = holding(database, b"bupati")
    with RawSQL(database) as db:
        state = bytearray(db.execute("SELECT state FROM stored_events WHERE {position} = ?", (p,))[0][0])
        state[state.index(b"bupati")] ^= 0x01
        db.execute("UPDATE stored_events SET state = ? WHERE {position} = ?", (bytes(state), p))
    html = client.get("/audit?verify=1").get_data(as_text=True)
    assert f"GAGAL: peristiwa pada posisi {p} tidak cocok dengan daunnya (diubah sejak dicatat)" in html
    reason = client.get("/api/v1/audit/verify", headers=auth("inspektorat")).json["reason"]
    assert reason == f"the event at position {p} does not match its leaf (changed since it was recorded)"
    client.get("/lang/en")
    html = client.get("/audit?verify=1").get_data(as_text=True)
    assert f"the event at position {p} does not match its leaf (changed since it was recorded)" in html
    assert inspector.catalog.language() == "id"  # each request's language ended with it


def test_a_request_made_within_another_gives_each_its_language_back(app, client):
    """A request handled while another is (a test's race) shares its application context:
    each still gives the language back that it found."""
    import inspector.catalog

    with app.test_request_context("/api/v1/health"):
        app.preprocess_request()  # the JSON API speaks English
        assert inspector.catalog.language() == "en"
        client.get("/login")  # a page in between: Indonesian while it runs
        assert inspector.catalog.language() == "en"
    assert inspector.catalog.language() == "id"


def test_the_inspectorate_downloads_an_export_that_verifies_offline(client, login, app, activity_id, tmp_path):
    import io
    import zipfile

    from inspector.export import verify_export
    from inspector.note import Verifier

    login("inspektorat")
    log_size = app.extensions["iku"].tree.size()
    response = client.get("/audit/export.zip?period=2021-Q2")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert app.extensions["iku"].tree.size() == log_size  # the GET appended nothing
    zipfile.ZipFile(io.BytesIO(response.data)).extractall(tmp_path / "export")
    key = Verifier.parse(client.get("/api/v1/audit/key").get_data(as_text=True))
    assert verify_export(tmp_path / "export", [key])["events"] == len(whole_log(app.extensions["iku"].agenda))
    assert client.get("/audit/export.zip?period=2021-Q9").status_code == 422
    # issue 24, problem 5: the period as the pages write it, which the page's own example gives
    named = client.get("/audit/export.zip", query_string={"period": "Triwulan II 2021"})
    assert named.status_code == 200 and 'filename=iku-audit-2021-Q2.zip' in named.headers["Content-Disposition"]


def test_the_diff_page_highlights_what_changed_and_why(client, login, app, activity_id):
    login("protokol")
    post_form(client, f"/activities/{activity_id}", f"/activities/{activity_id}/protocol", {"officers": "Ani"})
    html = client.get("/dashboard/diff?period=2021-Q2&from=2021-04-30").get_data(as_text=True)
    flat = " ".join(html.split())
    assert "Kegiatan yang berubah (1)" in flat
    assert 'class="changed"' in html
    # scheduled and served after 30 April 2021: both events changed its contribution
    assert "karena: Dijadwalkan (catatan ke-1," in flat and "; Pelayanan keprotokolan (catatan ke-2," in flat
    assert client.get("/dashboard/diff?period=2021-Q2&from=kemarin").status_code == 422


def test_the_dashboard_shows_target_capaian_and_the_year_to_date_figure(client, login, app, activity_id):
    from decimal import Decimal

    with acting_as("pimpinan"):
        app.extensions["iku"].agenda.set_target(indicator="IKU-1", year=2021, target=Decimal("80"))
        app.extensions["iku"].agenda.record_protocol(UUID(activity_id), officers=["Ani"])
    login("pimpinan")
    html = client.get("/dashboard?period=2021-Q2").get_data(as_text=True)
    assert re.search(r'data-capaian="IKU-1">125,00%<', html)
    assert "Kumulatif s.d. Rabu, 30 Juni 2021: 1 / 1 = 100,00%" in " ".join(html.split())


def test_pimpinan_submits_a_period_and_a_later_change_shows_as_a_restatement(client, login, app, activity_id):
    login("pimpinan")
    html = client.get("/reports/2021-Q2/submit").get_data(as_text=True)
    response = client.post("/reports/2021-Q2/submit", data={"csrf_token": token_of(html)})
    assert response.status_code == 303
    html = client.get("/dashboard?period=2021-Q2").get_data(as_text=True)
    assert "Sama dengan laporan yang disampaikan" in html
    with acting_as("protokol"):
        app.extensions["iku"].agenda.record_protocol(UUID(activity_id), officers=["Ani"])
    html = client.get("/dashboard?period=2021-Q2").get_data(as_text=True)
    assert "Penyajian kembali" in html
    link = re.search(r'href="(/dashboard/diff\?[^"]+)"', html).group(1).replace("&amp;", "&")
    changes = " ".join(client.get(link).get_data(as_text=True).split())
    assert "Kegiatan yang berubah (1)" in changes and "Pelayanan keprotokolan (catatan ke-2," in changes


def test_readers_of_the_dashboard_get_no_submit_form(client, login):
    login("inspektorat")
    assert "/reports/2021-Q2/submit" not in client.get("/dashboard?period=2021-Q2").get_data(as_text=True)
    html = client.get("/dashboard?period=2021-Q2").get_data(as_text=True)
    assert client.post("/reports/2021-Q2/submit", data={"csrf_token": token_of(html)}).status_code == 403
    assert client.get("/reports/2021-Q2/submit").status_code == 403


def test_an_officers_name_keeps_the_commas_of_its_degrees(client, login, app, activity_id):
    """Issue 12, problem 1: one name per line; "S.T., M.Si" is part of the name."""
    login("protokol")
    html = client.get(f"/activities/{activity_id}").get_data(as_text=True)
    response = client.post(f"/activities/{activity_id}/protocol", data={
        "csrf_token": token_of(html), "form_token": token_of(html, "form_token"), "version": "1",
        "officers": "Lia Dani Safitri, S.T., M.Si\r\n  Drs. Budi Santoso, M.M.  \n\n"})
    assert response.status_code == 303
    served = app.extensions["iku"].agenda.history(UUID(activity_id))[-1]
    assert served.data["officers"] == ["Lia Dani Safitri, S.T., M.Si", "Drs. Budi Santoso, M.M."]


def test_the_protocol_form_offers_the_officers_already_recorded_and_still_takes_new_names(client, login, app, activity_id):
    """Issue 12: a list of known officers to pick from (the most often named first), free
    text still allowed; a name ticked and written again is one officer."""
    agenda = app.extensions["iku"].agenda
    with acting_as("protokol"):
        for names in (["Lia Dani Safitri, S.T., M.Si", "Budi"], ["Budi"], ["budi ", "Citra Dewi"]):
            other = agenda.schedule(title="Rapat", leaders=["bupati"], starts_at=wib(2021, 4, 6, 9),
                                    location="Pendopo", scope="dalam_daerah").activity_id
            agenda.record_protocol(other, officers=names)
    login("protokol")
    html = client.get(f"/activities/{activity_id}").get_data(as_text=True)
    assert re.findall(r'name="known" value="([^"]+)"', html) == ["Budi", "Citra Dewi", "Lia Dani Safitri, S.T., M.Si"]
    response = client.post(f"/activities/{activity_id}/protocol", data={
        "csrf_token": token_of(html), "form_token": token_of(html, "form_token"),
        "known": ["Lia Dani Safitri, S.T., M.Si", "Budi"], "officers": "Eko Prasetyo, S.Sos.\nbudi"})
    assert response.status_code == 303
    served = agenda.history(UUID(activity_id))[-1]
    assert served.data["officers"] == ["Lia Dani Safitri, S.T., M.Si", "Budi", "Eko Prasetyo, S.Sos."]
    page = client.get(f"/activities/{activity_id}").get_data(as_text=True)
    assert '<li>Lia Dani Safitri, S.T., M.Si</li><li>Budi</li><li>Eko Prasetyo, S.Sos.</li>' in page


def test_a_page_opens_on_the_month_of_today_in_wib_not_the_servers_utc_date(client, login, app, monkeypatch):
    """Issue 12, problem 2: at 03.00 WIB on 1 February the server's UTC date is still
    31 January; the agenda opens on February, where today's activity is."""
    from domain.store.clock import SystemClock, to_micros

    with acting_as("protokol"):
        for day, title in ((31, "Rapat akhir Januari"), (1, "Apel pagi Februari")):
            app.extensions["iku"].agenda.schedule(title=title, leaders=["bupati"], location="Pendopo",
                                                  starts_at=wib(2990, 1 if day == 31 else 2, day, 9),
                                                  scope="dalam_daerah")
    login("protokol")
    monkeypatch.setattr(SystemClock, "now", lambda self: to_micros(wib(2990, 2, 1, 3)))
    html = client.get("/agenda").get_data(as_text=True)
    assert "Apel pagi Februari" in html and "Rapat akhir Januari" not in html


@pytest.fixture
def timed_activity_id(app):
    with acting_as("protokol"):
        return str(app.extensions["iku"].agenda.schedule(
            title="Rapat Paripurna", leaders=["bupati"], starts_at=wib(2021, 3, 17, 8),
            ends_at=wib(2021, 3, 17, 11), location="DPRD", scope="dalam_daerah").activity_id)


def test_the_reschedule_form_starts_from_the_activitys_times_and_keeps_the_end(client, login, app, timed_activity_id):
    """Issue 12, problem 4: pre-filled in WIB; a changed date alone keeps the end time."""
    login("protokol")
    html = client.get(f"/activities/{timed_activity_id}").get_data(as_text=True)
    assert 'id="r-date" name="date" type="date" value="2021-03-17"' in html
    assert 'id="r-time" name="time" type="time" value="08:00"' in html
    assert 'id="r-end" name="end_time" type="time" value="11:00"' in html
    form = {"csrf_token": token_of(html), "form_token": token_of(html, "form_token"), "version": "1",
            "date": "2021-03-18", "time": "08:00", "end_time": "11:00", "had_end": "1", "reason": "DPRD minta mundur"}
    assert client.post(f"/activities/{timed_activity_id}/reschedule", data=form).status_code == 303
    moved = app.extensions["iku"].agenda.history(UUID(timed_activity_id))[-1]
    assert (moved.data["starts_at"], moved.data["ends_at"]) == (wib(2021, 3, 18, 8), wib(2021, 3, 18, 11))
    page = " ".join(client.get(f"/activities/{timed_activity_id}").get_data(as_text=True).split())
    assert "dari Rabu, 17 Maret 2021 08.00 WIB menjadi Kamis, 18 Maret 2021 08.00 WIB" in page


def test_an_emptied_end_time_clears_it_only_when_said_so(client, login, app, timed_activity_id):
    login("protokol")
    html = client.get(f"/activities/{timed_activity_id}").get_data(as_text=True)
    form = {"csrf_token": token_of(html), "form_token": token_of(html, "form_token"), "version": "1",
            "date": "2021-03-18", "time": "08:00", "end_time": "", "had_end": "1", "reason": "mundur"}
    before = log_of(app.extensions["iku"].agenda)
    refused = client.post(f"/activities/{timed_activity_id}/reschedule", data=form)
    assert refused.status_code == 422 and log_of(app.extensions["iku"].agenda) == before
    assert "Tanpa jam selesai" in " ".join(errors_of(refused.get_data(as_text=True)))
    cleared = client.post(f"/activities/{timed_activity_id}/reschedule", data={**form, "clear_end": "1"})
    assert cleared.status_code == 303
    assert app.extensions["iku"].agenda.history(UUID(timed_activity_id))[-1].data["ends_at"] is None


def test_the_correction_list_offers_only_what_the_role_may_retract_and_says_what_who_when(client, login, app, activity_id):
    """Issue 12, problem 8."""
    agenda = app.extensions["iku"].agenda
    with acting_as("protokol.budi"):
        agenda.record_protocol(UUID(activity_id), officers=["Budi Santoso, S.Sos."])
    with acting_as("dokumentasi.dedi"):
        agenda.record_documentation(UUID(activity_id), media="foto")
    login("dokumentasi")
    html = client.get(f"/activities/{activity_id}").get_data(as_text=True)
    options = re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', html.split('id="entry"')[1].split("</select>")[0])
    assert [v for v, _text in options] == ["3"]  # the documentation, not the protocol service (v2)
    assert "Foto" in options[0][1] and "dicatat" in options[0][1] and "dokumentasi.dedi" in options[0][1]
    login("protokol")
    html = client.get(f"/activities/{activity_id}").get_data(as_text=True)
    listed = html.split('id="entry"')[1].split("</select>")[0]
    assert "Budi Santoso, S.Sos." in listed and "protokol.budi" in listed and 'value="3"' not in listed


def test_a_retracted_entry_is_struck_through_in_the_timeline(client, login, app, activity_id):
    agenda = app.extensions["iku"].agenda
    with acting_as("protokol"):
        served = agenda.record_protocol(UUID(activity_id), officers=["Ani"])
        agenda.retract(UUID(activity_id), version=served.version, reason="salah kegiatan")
    login("pimpinan")
    html = client.get(f"/activities/{activity_id}").get_data(as_text=True)
    item = re.search(r'<li class="retracted">(.*?)</li>\s*(<li|</ol>)', html, re.S).group(1)
    assert "Pelayanan keprotokolan" in item and "Diralat pada versi 3" in item and "salah kegiatan" in item
    assert html.count('class="retracted"') == 1


def test_cancelling_sits_apart_and_a_late_cancel_or_move_is_flagged(client, login, app, activity_id):
    """Issue 12, problem 7: the cancel form is folded away after the everyday forms, and a
    cancellation or a reschedule recorded after the activity's time is flagged."""
    login("admin")
    html = client.get(f"/activities/{activity_id}").get_data(as_text=True)
    assert html.index('<details class="danger-zone"') > html.index(f'action="/activities/{activity_id}/protocol"')
    assert html.index('<details class="danger-zone"') > html.index(f'action="/activities/{activity_id}/reschedule"')
    post_form(client, f"/activities/{activity_id}", f"/activities/{activity_id}/reschedule",
              {"date": "2021-04-20", "time": "09:00", "reason": "mundur"})  # recorded now, in 2026: after 5 April 2021
    post_form(client, f"/activities/{activity_id}", f"/activities/{activity_id}/cancel",
              {"reason": "batal", "confirm": "1"})
    page = client.get(f"/activities/{activity_id}").get_data(as_text=True)
    assert page.count("dicatat setelah waktu kegiatan lewat") == 2
    assert '<details class="danger-zone"' not in page  # nothing left to cancel


def test_cancelling_a_coming_activity_is_not_flagged(client, login, app):
    with acting_as("protokol"):
        coming = str(app.extensions["iku"].agenda.schedule(
            title="Kunjungan", leaders=["bupati"], starts_at=wib(2990, 5, 1, 9), location="Puger",
            scope="dalam_daerah").activity_id)
    login("admin")
    post_form(client, f"/activities/{coming}", f"/activities/{coming}/cancel", {"reason": "batal", "confirm": "1"})
    page = client.get(f"/activities/{coming}").get_data(as_text=True)
    assert "Dibatalkan" in page and "dicatat setelah waktu kegiatan lewat" not in page


def test_the_dashboard_leads_to_the_activities_still_missing_their_service_or_documentation(client, login, app):
    """Issue 12, problem 3: "yang belum" — the activities that pull IKU-1 and IKU-2 down."""
    agenda = app.extensions["iku"].agenda
    with acting_as("protokol"):
        ids = [agenda.schedule(title=f"Kegiatan {i}", leaders=["bupati"], starts_at=wib(2021, 5, 3 + i, 9),
                               location="Puger", scope="dalam_daerah").activity_id for i in range(5)]
        agenda.record_protocol(ids[0], officers=["Ani"])
        agenda.record_protocol(ids[1], officers=["Ani"])
        agenda.cancel(ids[4], reason="batal")
    with acting_as("dokumentasi"):
        agenda.record_documentation(ids[1], media="foto")
    login("pimpinan")
    dashboard = client.get("/dashboard?period=2021-05").get_data(as_text=True)
    links = dict((n, href.replace("&amp;", "&")) for href, n in re.findall(
        r'<a class="missing" href="([^"]+)">Yang belum: (\d+) kegiatan</a>', dashboard))
    assert set(links) == {"2", "3"}  # IKU-1: Kegiatan 2, 3; IKU-2: Kegiatan 0, 2, 3
    unserved = client.get(links["2"]).get_data(as_text=True)
    assert "status=unserved" in links["2"] and "2 kegiatan" in unserved
    assert sorted(re.findall(r"Kegiatan \d", unserved)) == ["Kegiatan 2", "Kegiatan 3"]
    undocumented = client.get(links["3"]).get_data(as_text=True)
    assert sorted(re.findall(r"Kegiatan \d", undocumented)) == ["Kegiatan 0", "Kegiatan 2", "Kegiatan 3"]
    assert "Belum dilayani" in client.get("/agenda?period=2021-05").get_data(as_text=True)  # a filter of the agenda


def test_the_awkward_indonesian_is_reworded(client, login, app, timed_activity_id):
    """Issue 13: "Data per tanggal", not "Sebagaimana diketahui pada"; "Dijadwalkan ulang";
    "Terjadwal", not "Tidak dibatalkan"."""
    with acting_as("protokol"):
        app.extensions["iku"].agenda.reschedule(UUID(timed_activity_id), starts_at=wib(2021, 3, 18, 8), reason="mundur")
    login("pimpinan")
    pages = " ".join(client.get(path).get_data(as_text=True) for path in (
        "/agenda?period=2021-03", "/dashboard?period=2021-03", f"/activities/{timed_activity_id}"))
    assert "ebagaimana diketahui" not in pages and "Tidak dibatalkan" not in pages and "Dijadwal ulang" not in pages
    assert ">Data per tanggal</label>" in pages and "data per" in pages and "Dijadwalkan ulang" in pages
    assert ">Terjadwal</option>" in pages


def test_percentages_are_written_as_the_office_writes_them(client, login, app):
    """Issue 13: "66,67%" in Indonesian (a decimal comma, no space), "66.67%" in English."""
    agenda = app.extensions["iku"].agenda
    with acting_as("protokol"):
        for day in (1, 2, 3):
            written = agenda.schedule(title="Rapat", leaders=["bupati"], starts_at=wib(2021, 5, day, 9),
                                      location="Pendopo", scope="dalam_daerah")
            if day < 3:
                agenda.record_protocol(written.activity_id, officers=["Ani"])
    login("pimpinan")
    assert 'data-code="IKU-1">66,67%<' in client.get("/dashboard?period=2021-05").get_data(as_text=True)
    client.get("/lang/en")
    assert 'data-code="IKU-1">66.67%<' in client.get("/dashboard?period=2021-05").get_data(as_text=True)


@pytest.mark.parametrize("code, indonesian, english", [
    ("2021-Q1", "Triwulan I 2021", "Quarter I 2021"), ("2021-S2", "Semester II 2021", "Semester II 2021"),
    ("2021-03", "Maret 2021", "March 2021"), ("2021", "Tahun 2021", "Year 2021"),
    ("2021-03-17", "Rabu, 17 Maret 2021", "Wednesday, 17 March 2021"),
    ("2026-12-01..2026-12-07", "1–7 Desember 2026", "1–7 December 2026"),
    ("2026-11-30..2026-12-06", "30 November – 6 Desember 2026", "30 November – 6 December 2026"),
    ("2025-12-29..2026-01-04", "29 Desember 2025 – 4 Januari 2026", "29 December 2025 – 4 January 2026"),
])
def test_periods_are_named_as_the_office_names_them(client, login, code, indonesian, english):
    """Issue 13: "Triwulan I 2021", not "2021-Q1", in the pages' headings; the code stays in URLs."""
    login("pimpinan")
    assert f"<p class=\"summary\">{indonesian} (" in client.get(f"/dashboard?period={code}").get_data(as_text=True)
    client.get("/lang/en")
    assert f"<p class=\"summary\">{english} (" in client.get(f"/dashboard?period={code}").get_data(as_text=True)


def test_error_pages_speak_indonesian_not_werkzeugs_english(client, login):
    """Issue 13: the 403 and 404 pages said Werkzeug's English."""
    login("inspektorat")
    forbidden = client.get("/import")
    assert forbidden.status_code == 403
    text = forbidden.get_data(as_text=True)
    assert "Tidak berwenang" in text and "Peran Anda tidak boleh" in text and "You don" not in text
    missing = client.get("/activities/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404
    text = missing.get_data(as_text=True)
    assert "Tidak ditemukan" in text and "The requested URL" not in text


def test_a_new_users_role_is_chosen_not_admin_by_default(client, login, app):
    """Issue 13: the role select defaulted to Admin."""
    login("admin")
    html = client.get("/users").get_data(as_text=True)
    assert '<option value="" selected>— pilih —</option>' in html and '<option value="admin" selected' not in html
    response = client.post("/users", data={"csrf_token": token_of(html), "name": "ani.protokol",
                                           "password": "kata-sandi-panjang"})
    assert response.status_code == 422 and "Wajib diisi." in response.get_data(as_text=True)
    assert app.extensions["iku"].users.get("ani.protokol") is None

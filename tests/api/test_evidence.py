"""Issue 12, problem 6: photo and video evidence, uploaded from a phone, hashed by the
server, stored by content, served to signed-in users, with thumbnails and capture times."""
import hashlib
import io
import re
import stat
from datetime import datetime
from uuid import UUID

import pytest
from PIL import Image

from domain.context import acting_as
from tests.api.test_pages import login, logins, token_of  # noqa: F401 (fixtures)
from tests.conftest import log_of, wib


def photo(taken: str | None = "2021:04:05 09:20:00", offset: str | None = None, colour=(200, 40, 40)) -> bytes:
    """A JPEG as a phone's camera writes it: EXIF DateTimeOriginal (and OffsetTimeOriginal)."""
    image = Image.new("RGB", (1200, 900), colour)
    exif = Image.Exif()
    if taken:
        exif.get_ifd(0x8769)[0x9003] = taken
        if offset:
            exif.get_ifd(0x8769)[0x9011] = offset
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def fetch(client, url, **options):
    """GET a file and close it (send_file keeps it open until the answer is closed)."""
    response = client.get(url, **options)
    response.get_data()
    response.close()
    return response


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def activity_id(app):
    with acting_as("protokol"):
        return str(app.extensions["iku"].agenda.schedule(
            title="Kunjungan Kerja ke Kecamatan Puger", leaders=["bupati"], starts_at=wib(2021, 4, 5, 9),
            ends_at=wib(2021, 4, 5, 11), location="Puger", scope="dalam_daerah").activity_id)


def test_an_upload_is_stored_once_under_its_hash_owner_only(client, auth, app):
    data = photo()
    first = client.put(f"/api/v1/evidence/{sha(data)}", data=data, headers=auth("dokumentasi"),
                       content_type="image/jpeg")
    assert first.status_code == 201, first.json
    assert first.json["sha256"] == sha(data) and first.json["size"] == len(data)
    assert first.json["type"] == "image/jpeg" and first.json["stored"] is True
    assert first.json["captured_at"] == "2021-04-05T09:20:00+07:00"  # a camera without an offset: WIB
    again = client.put(f"/api/v1/evidence/{sha(data)}", data=data, headers=auth("dokumentasi"))
    assert again.status_code == 200 and again.json["stored"] is False  # a retry stores nothing new
    store = app.extensions["iku"].evidence
    assert store.stored() == [sha(data)] and store.path(sha(data)).read_bytes() == data
    for path in (store.path(sha(data)), store.thumb_path(sha(data))):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.path(sha(data)).parent.stat().st_mode) == 0o700
    assert fetch(client, f"/api/v1/evidence/{sha(data)}", headers=auth("inspektorat")).data == data
    thumbnail = fetch(client, f"/api/v1/evidence/{sha(data)}/thumbnail", headers=auth("inspektorat"))
    assert thumbnail.mimetype == "image/jpeg" and max(Image.open(io.BytesIO(thumbnail.data)).size) == 480


def test_an_upload_that_is_not_what_it_says_is_refused_and_stores_nothing(client, auth, app):
    data = photo()
    wrong = client.put(f"/api/v1/evidence/{'0' * 64}", data=data, headers=auth("dokumentasi"))
    assert wrong.status_code == 422 and "SHA-256" in str(wrong.json)
    text = b"<svg onload=alert(1)>"
    assert client.put(f"/api/v1/evidence/{sha(text)}", data=text, headers=auth("dokumentasi"),
                      content_type="image/jpeg").status_code == 422
    assert client.put("/api/v1/evidence/not-a-hash", data=data, headers=auth("dokumentasi")).status_code == 422
    assert app.extensions["iku"].evidence.stored() == []
    assert not list((app.extensions["iku"].evidence.root / "incoming").iterdir())  # no leftovers


def test_only_who_may_document_uploads_and_only_signed_in_users_see(client, auth, app):
    data = photo()
    assert client.put(f"/api/v1/evidence/{sha(data)}", data=data).status_code == 401
    assert client.put(f"/api/v1/evidence/{sha(data)}", data=data, headers=auth("inspektorat")).status_code == 403
    assert client.put(f"/api/v1/evidence/{sha(data)}", data=data, headers=auth("dokumentasi")).status_code == 201
    assert client.get(f"/api/v1/evidence/{sha(data)}").status_code == 401
    assert client.get(f"/evidence/{sha(data)}").status_code == 302  # the page: log in first
    assert client.get(f"/api/v1/evidence/{'a' * 64}", headers=auth("pimpinan")).status_code == 404


def test_an_upload_larger_than_the_limit_is_413(client, auth, app):
    app.extensions["iku"].evidence.max_bytes = 2 * 1024 * 1024
    data = photo() + b"\0" * (3 * 1024 * 1024)
    response = client.put(f"/api/v1/evidence/{sha(data)}", data=data, headers=auth("dokumentasi"))
    assert response.status_code == 413
    assert app.extensions["iku"].evidence.stored() == []


def test_a_documentation_entry_names_its_files_by_hash(client, auth, app, activity_id):
    data = photo()
    missing = client.post(f"/api/v1/activities/{activity_id}/documentation", headers=auth("dokumentasi"),
                          json={"media": "foto", "evidence": [sha(data)]})
    assert missing.status_code == 422 and "evidence" in str(missing.json)
    assert len(app.extensions["iku"].agenda.history(UUID(activity_id))) == 1  # nothing appended
    client.put(f"/api/v1/evidence/{sha(data)}", data=data, headers=auth("dokumentasi"))
    written = client.post(f"/api/v1/activities/{activity_id}/documentation", headers=auth("dokumentasi"),
                          json={"media": "foto", "evidence": [sha(data)], "documented_by": ["Rina Wulandari"],
                                "notes": "sambutan Bupati"})
    assert written.status_code == 201, written.json
    event = app.extensions["iku"].agenda.history(UUID(activity_id))[-1]
    assert event.data["evidence"] == [{"sha256": sha(data), "size": len(data), "type": "image/jpeg",
                                       "captured_at": "2021-04-05T09:20:00+07:00"}]
    assert event.data["documented_by"] == ["Rina Wulandari"] and event.data["notes"] == "sambutan Bupati"
    entry = client.get(f"/api/v1/activities/{activity_id}", headers=auth("inspektorat")).json["documentation"][0]
    assert entry["evidence"][0]["sha256"] == sha(data) and entry["documented_by"] == ["Rina Wulandari"]


def test_a_digest_as_windows_certutil_prints_it_is_accepted(client, auth, app, activity_id):
    digest = sha(b"a video kept on the office's drive")
    spaced = " ".join(digest[i:i + 2] for i in range(0, 64, 2)).upper()
    response = client.post(f"/api/v1/activities/{activity_id}/documentation", headers=auth("dokumentasi"),
                           json={"media": "video", "evidence_uri": "https://drive.example/v/1", "evidence_sha256": spaced})
    assert response.status_code == 201, response.json
    assert app.extensions["iku"].agenda.history(UUID(activity_id))[-1].data["evidence_sha256"] == digest


def upload_form(client, activity_id, files, **fields):
    html = client.get(f"/activities/{activity_id}").get_data(as_text=True)
    start = html.index(f'action="/activities/{activity_id}/documentation"')
    assert 'enctype="multipart/form-data"' in html[start:start + 200]
    data = {"csrf_token": token_of(html), "form_token": token_of(html[start:], "form_token"),
            "media": "foto", **fields, "files": [(io.BytesIO(body), name) for name, body in files]}
    return client.post(f"/activities/{activity_id}/documentation", data=data, content_type="multipart/form-data")


def test_on_the_page_photos_upload_with_the_form_and_show_as_thumbnails_with_their_capture_time(
        client, login, app, activity_id):
    login("dokumentasi")
    html = client.get(f"/activities/{activity_id}").get_data(as_text=True)
    assert '<option value="" selected>' in html  # no medium chosen for the officer
    assert 'name="files" type="file" multiple accept="image/*,video/*"' in html
    near, far = photo("2021:04:05 09:20:00"), photo("2021:03:01 20:00:00", "+07:00", colour=(0, 90, 200))
    response = upload_form(client, activity_id, [("IMG_0001.jpg", near), ("IMG_0002.jpg", far)],
                           documented_by="Rina Wulandari\nAgus Salim, S.Kom.", notes="sambutan")
    assert response.status_code == 303
    event = app.extensions["iku"].agenda.history(UUID(activity_id))[-1]
    assert [f["sha256"] for f in event.data["evidence"]] == [sha(near), sha(far)]
    assert event.data["documented_by"] == ["Rina Wulandari", "Agus Salim, S.Kom."]
    page = client.get(f"/activities/{activity_id}").get_data(as_text=True)
    assert page.count('<img src="/evidence/') == 2 and f'/evidence/{sha(near)}?thumbnail=1' in page
    assert "diambil Senin, 5 April 2021 09.20 WIB" in page
    assert page.count("jauh dari waktu kegiatan") == 1  # 1 March, five weeks before
    assert '<option value="foto" selected>' in page  # the last medium used is offered next
    assert fetch(client, f"/evidence/{sha(near)}?thumbnail=1").mimetype == "image/jpeg"
    assert fetch(client, f"/evidence/{sha(far)}").data == far
    # The same form sent again (a retry on a weak connection) records nothing twice.
    again = upload_form(client, activity_id, [("IMG_0001.jpg", near), ("IMG_0002.jpg", far)],
                        documented_by="Rina Wulandari\nAgus Salim, S.Kom.", notes="sambutan")
    assert again.status_code == 303 and len(app.extensions["iku"].agenda.history(UUID(activity_id))) == 2


def test_on_the_page_a_file_that_is_not_a_photo_is_refused_beside_its_field(client, login, app, activity_id):
    login("dokumentasi")
    response = upload_form(client, activity_id, [("laporan.pdf", b"%PDF-1.4 not a photo")])
    assert response.status_code == 422
    assert "“laporan.pdf” bukan foto atau video." in response.get_data(as_text=True)
    assert len(app.extensions["iku"].agenda.history(UUID(activity_id))) == 1


def test_a_large_body_from_someone_not_signed_in_is_refused_before_it_is_read(client, app, activity_id):
    response = client.post(f"/activities/{activity_id}/documentation", data=b"x" * (2 * 1024 * 1024),
                           content_type="multipart/form-data; boundary=x")
    assert response.status_code == 413


# What an adversarial review of the evidence store found (each failed before its fix) ----

@pytest.mark.parametrize("taken, offset", [("0001:01:01 00:00:00", "+07:00"), ("9999:12:31 23:59:59", "-12:00"),
                                           ("0001:01:01 00:00:00", None), ("2021:04:05 09:20:00", "+99:99"),
                                           ("2021:04:05 09:20:00", "+24:00"), ("2021:04:05 09:20:00", "-23:60")])
def test_a_camera_clock_that_cannot_be_true_is_no_capture_time_and_breaks_no_page(
        client, auth, login, app, activity_id, taken, offset):
    data = photo(taken, offset)
    stored = client.put(f"/api/v1/evidence/{sha(data)}", data=data, headers=auth("dokumentasi"))
    assert stored.status_code == 201 and stored.json["captured_at"] is None
    assert fetch(client, f"/api/v1/evidence/{sha(data)}", headers=auth("pimpinan")).status_code == 200
    assert client.post(f"/api/v1/activities/{activity_id}/documentation", headers=auth("dokumentasi"),
                       json={"media": "foto", "evidence": [sha(data)]}).status_code == 201
    login("pimpinan")
    page = client.get(f"/activities/{activity_id}")
    assert page.status_code == 200 and "waktu pengambilan tidak diketahui" in page.get_data(as_text=True)


def test_an_entry_recorded_with_a_capture_time_at_the_edge_of_time_still_shows(client, login, app, activity_id):
    """An event already in the log cannot be changed: the page must read it."""
    with acting_as("dokumentasi"):
        app.extensions["iku"].agenda.record_documentation(UUID(activity_id), media="foto", evidence=[
            {"sha256": "a" * 64, "size": 1, "type": "image/jpeg", "captured_at": "0001-01-01T00:00:00+07:00"}])
    login("pimpinan")
    assert client.get(f"/activities/{activity_id}").status_code == 200


def test_a_decompression_bomb_is_refused_and_never_decoded(client, auth, app):
    out = io.BytesIO()
    Image.new("1", (9000, 9000)).save(out, "PNG")  # 81 million pixels in a few kilobytes
    data = out.getvalue()
    response = client.put(f"/api/v1/evidence/{sha(data)}", data=data, headers=auth("dokumentasi"))
    assert response.status_code == 422  # review finding 7: a file is kept only once it decodes
    assert response.json["errors"]["body"]["file"] == ["too large to decode: 9000 × 9000 pixels (at most 60,000,000)"]
    assert app.extensions["iku"].evidence.stored() == []


def test_every_folder_of_the_store_is_owner_only(client, auth, app):
    data = photo()
    client.put(f"/api/v1/evidence/{sha(data)}", data=data, headers=auth("dokumentasi"))
    root = app.extensions["iku"].evidence.root
    for folder in (root, root / "sha256", root / "thumbs", root / "incoming", root / "sha256" / sha(data)[:2]):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_an_insiders_symlink_is_not_served_and_a_changed_file_is_replaced_by_the_true_bytes(client, auth, app, tmp_path):
    store = app.extensions["iku"].evidence
    secret = tmp_path / "secret.pem"
    secret.write_text("-----BEGIN PRIVATE KEY-----")
    data = photo()
    store._folder(store.path(sha(data)).parent)
    store.path(sha(data)).symlink_to(secret)
    assert fetch(client, f"/api/v1/evidence/{sha(data)}", headers=auth("inspektorat")).status_code == 404
    store.path(sha(data)).unlink()
    client.put(f"/api/v1/evidence/{sha(data)}", data=data, headers=auth("dokumentasi"))
    store.path(sha(data)).write_bytes(b"edited")  # an insider changes the photo
    again = client.put(f"/api/v1/evidence/{sha(data)}", data=data, headers=auth("dokumentasi"))
    assert again.json["size"] == len(data) and store.path(sha(data)).read_bytes() == data


def test_the_page_refuses_too_many_files_or_no_medium_before_storing_any(client, login, app, activity_id):
    login("dokumentasi")
    many = upload_form(client, activity_id, [(f"{i}.gif", b"GIF89a" + bytes([i])) for i in range(21)])
    assert many.status_code == 422 and "Paling banyak 20 berkas sekali kirim." in many.get_data(as_text=True)
    unchosen = upload_form(client, activity_id, [("a.jpg", photo())], media="")
    assert unchosen.status_code == 422
    assert app.extensions["iku"].evidence.stored() == []


def test_a_file_named_twice_in_an_entry_is_one_file(client, auth, app, activity_id):
    data = photo()
    client.put(f"/api/v1/evidence/{sha(data)}", data=data, headers=auth("dokumentasi"))
    response = client.post(f"/api/v1/activities/{activity_id}/documentation", headers=auth("dokumentasi"),
                           json={"media": "foto", "evidence": [sha(data), sha(data).upper()]})
    assert response.status_code == 201
    assert len(app.extensions["iku"].agenda.history(UUID(activity_id))[-1].data["evidence"]) == 1


def test_answers_with_evidence_are_not_stored_by_caches(client, auth, app):
    data = photo()
    client.put(f"/api/v1/evidence/{sha(data)}", data=data, headers=auth("dokumentasi"))
    assert fetch(client, f"/api/v1/evidence/{sha(data)}", headers=auth("pimpinan")).headers["Cache-Control"] == "no-store"


def test_concurrent_uploads_of_one_file_store_it_once_and_say_so_once(app):
    from concurrent.futures import ThreadPoolExecutor

    data = photo()
    store = app.extensions["iku"].evidence
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: store.put(io.BytesIO(data)), range(8)))
    assert sum(a.stored for a in answers) == 1 and store.stored() == [sha(data)]
    assert not list((store.root / "incoming").iterdir())


def test_a_hash_with_a_line_break_is_not_a_hash(client, auth, app):
    data = photo()
    response = client.put(f"/api/v1/evidence/{sha(data)}%0A", data=data, headers=auth("dokumentasi"))
    assert response.status_code == 422 and "Not a SHA-256" in str(response.json)


def test_who_documented_is_a_name_on_one_line(client, auth, activity_id):
    for names in (["\u200b"], ["  "]):
        assert client.post(f"/api/v1/activities/{activity_id}/documentation", headers=auth("dokumentasi"),
                           json={"media": "foto", "documented_by": names}).status_code == 422
    response = client.post(f"/api/v1/activities/{activity_id}/documentation", headers=auth("dokumentasi"),
                           json={"media": "foto", "documented_by": ["Rina\n  Wulandari"]})
    assert response.status_code == 201


def test_photos_are_served_with_the_relative_paths_of_make_run(tmp_path, monkeypatch):
    """Issue 24, problem 1: with the Makefile's IKU_DATABASE=var/iku.sqlite3 the evidence
    folder was the relative var/evidence, written from the checkout and read against the
    app's own folder: every photo and thumbnail a 500."""
    from api import create_app
    from tests.conftest import scaffold_user

    monkeypatch.chdir(tmp_path)
    app = create_app({"IKU_DATABASE": "var/iku.sqlite3", "IKU_TIMEZONE": "Asia/Jakarta", "TESTING": True})
    try:
        users = app.extensions["iku"].users
        headers = {"Authorization": f"Bearer {scaffold_user(users, 'citra', 'dokumentasi')}"}
        client = app.test_client()
        data = photo()
        assert client.put(f"/api/v1/evidence/{sha(data)}", data=data, headers=headers).status_code == 201
        assert (tmp_path / "var" / "evidence").is_dir()
        assert fetch(client, f"/api/v1/evidence/{sha(data)}", headers=headers).data == data
        assert fetch(client, f"/api/v1/evidence/{sha(data)}/thumbnail", headers=headers).status_code == 200
    finally:
        app.extensions["iku"].close()

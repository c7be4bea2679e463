"""Review finding 7, its first half: evidence whose bytes do not decode as the type they
start as is refused with a named 422 (the API in English, the pages in Indonesian), and
nothing is stored. Before the fix each of these was stored (201), a type being a prefix."""
import pytest

from tests.api.test_evidence import activity_id, photo, sha, upload_form  # noqa: F401 (a fixture)
from tests.api.test_pages import login, logins  # noqa: F401 (fixtures)
from tests.unit.test_media import MEDIA, gif, png_declaring


@pytest.mark.parametrize("data, message", [
    (b"\xff\xd8\xff", "not a whole JPEG: it ends before its end-of-image marker"),
    (gif() + b"*/=alert(1)//", "not a whole GIF: 13 bytes after its trailer"),
    ((MEDIA / "phone.mp4").read_bytes()[:-100], "not a whole MP4: the box 'moov' at byte 3304 runs past the end of the file"),
    (png_declaring(9000, 9000), "too large to decode: 9000 × 9000 pixels (at most 60,000,000)"),
    (png_declaring(30000, 20000), "too large to decode (Pillow: Image size (600000000 pixels) exceeds limit of "
                                  "500000000 pixels, could be decompression bomb DOS attack.)"),
], ids=["a JPEG's first bytes alone", "a GIF then a script", "an MP4 cut short", "a bomb", "a bomb past Pillow's guard"])
def test_an_upload_that_does_not_decode_as_its_type_is_a_named_422_and_stores_nothing(client, auth, app, data, message):
    response = client.put(f"/api/v1/evidence/{sha(data)}", data=data, headers=auth("dokumentasi"))
    assert response.status_code == 422
    assert response.json["errors"] == {"body": {"file": [message]}}
    store = app.extensions["iku"].evidence
    assert store.stored() == [] and not list((store.root / "incoming").iterdir())


def test_a_phones_video_is_stored_with_its_type(client, auth, app):
    for name, kind in (("phone.mp4", "video/mp4"), ("phone.mov", "video/quicktime"), ("phone.3gp", "video/3gpp"),
                       ("recorder.webm", "video/webm")):
        data = (MEDIA / name).read_bytes()
        response = client.put(f"/api/v1/evidence/{sha(data)}", data=data, headers=auth("dokumentasi"))
        assert response.status_code == 201 and response.json["type"] == kind, name


def test_on_the_page_a_broken_photo_or_a_bomb_is_refused_beside_the_field_by_name(client, login, app, activity_id):
    login("dokumentasi")
    broken = upload_form(client, activity_id, [("IMG_0001.jpg", photo()[:-300])])
    assert broken.status_code == 422
    assert ("“IMG_0001.jpg” rusak atau tidak utuh: tidak terbaca sebagai JPEG dari awal sampai akhir berkas. "
            "Unggah lagi berkas aslinya.") in broken.get_data(as_text=True)
    bomb = upload_form(client, activity_id, [("peta.png", png_declaring(9000, 9000))])
    assert bomb.status_code == 422
    assert ("“peta.png” terlalu besar untuk diperiksa: paling banyak 60 juta piksel (foto JPEG: 250 juta)."
            in bomb.get_data(as_text=True))
    assert app.extensions["iku"].evidence.stored() == []

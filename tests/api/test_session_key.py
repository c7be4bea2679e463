"""The session key lives in a file of its owner's beside the signing key, never in the
database (issue 11): a copy of the database forges no session."""
import os
import stat

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from api import create_app
from api.config import Config, session_key_path
from api.session_key import SessionKeyRefused
from tests.conftest import RawSQL


def cookie_signed_with(secret: str, data: dict) -> str:
    signer = Flask("forger")
    signer.secret_key = secret
    return SecureCookieSessionInterface().get_signing_serializer(signer).dumps(data)


def test_the_key_is_a_private_file_and_the_database_holds_none(app, database):
    path = session_key_path(Config.from_environment())
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600 and app.secret_key == path.read_text().strip()
    with RawSQL(database) as db:
        assert db.execute("SELECT count(*) FROM iku_secrets")[0][0] == 0


def test_a_key_left_in_the_database_by_an_earlier_version_forges_no_session(database):
    app = create_app({"IKU_DATABASE": database, "IKU_TIMEZONE": "Asia/Jakarta", "TESTING": True})
    app.extensions["iku"].users.create("admin", "admin")
    app.extensions["iku"].close()
    with RawSQL(database) as db:  # what the previous version kept, and a copy of it would carry
        db.execute("INSERT INTO iku_secrets VALUES ('session', 'kunci-lama-yang-ada-di-basis-data-dan-salinannya')")
    app = create_app({"IKU_DATABASE": database, "IKU_TIMEZONE": "Asia/Jakarta", "TESTING": True})
    client = app.test_client()
    client.set_cookie("session", cookie_signed_with("kunci-lama-yang-ada-di-basis-data-dan-salinannya", {"user": "admin"}))
    response = client.get("/users")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    with RawSQL(database) as db:
        assert db.execute("SELECT count(*) FROM iku_secrets")[0][0] == 0
    app.extensions["iku"].close()


def test_every_process_of_a_host_shares_the_key(database):
    first = create_app({"IKU_DATABASE": database, "IKU_TIMEZONE": "Asia/Jakarta"})
    second = create_app({"IKU_DATABASE": database, "IKU_TIMEZONE": "Asia/Jakarta"})
    assert first.secret_key == second.secret_key
    for app in (first, second):
        app.extensions["iku"].close()


def test_a_key_readable_by_others_is_refused(database):
    path = session_key_path(Config.from_environment())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x" * 48)
    os.chmod(path, 0o644)
    with pytest.raises(SessionKeyRefused, match="readable by others"):
        create_app({"IKU_DATABASE": database, "IKU_TIMEZONE": "Asia/Jakarta"})

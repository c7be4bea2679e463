"""The service's assembly point: `create_app(config)` builds the services once and
registers the two HTTP entrypoints over them (the JSON API, `api/http/`; the pages,
`api/web/`). Nothing runs at import. The CLI (`api/cli/`) is built on the same services."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import http, web
from .bootstrap import Services
from .config import Config, session_key_path
from .session_key import session_key


def create_app(config: Config | dict | None = None) -> Flask:
    """`config`: a Config (default: the environment's); a dict of Flask settings is also
    accepted, with IKU_DATABASE / IKU_TIMEZONE / IKU_EVIDENCE_DIR overriding the
    environment's (the tests)."""
    flask_settings = {}
    if isinstance(config, dict):
        flask_settings = dict(config)
        evidence = flask_settings.pop("IKU_EVIDENCE_DIR", None)
        config = Config.from_environment(database=flask_settings.pop("IKU_DATABASE", None),
                                         timezone=flask_settings.pop("IKU_TIMEZONE", None),
                                         evidence_dir=Path(evidence) if evidence else None)
    config = config or Config.from_environment()
    app = Flask(__name__)
    app.config.update(
        # Web sessions: a signed cookie, HttpOnly, SameSite=Lax, Secure behind HTTPS.
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=config.https,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
        WTF_CSRF_TIME_LIMIT=None,  # a form's token lives as long as its session
        BABEL_DEFAULT_LOCALE="id",
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).parent / "translations"),
    )
    app.config.update(flask_settings)
    services = Services(config=config)
    app.extensions["iku"] = services
    if not app.config.get("SECRET_KEY"):
        # A file beside the signing key, shared by every worker; never in the database.
        app.config["SECRET_KEY"] = session_key(session_key_path(config))
    if config.create_tables:
        services.users.recorder.forget_secrets()  # an earlier version kept the key there
    http.register(app, services)
    web.register(app, services)
    if config.proxies:  # the client's address (login throttling) is the proxies' to tell
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=config.proxies)
    return app

"""The HTTP face of the service: create_app() builds everything, nothing runs at import."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta

from flask import Flask, current_app, jsonify, render_template, request
from flask_smorest import Api
from eventsourcing.persistence import PersistenceError
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import HTTPException

from . import errors, metrics
from .activities.resources import blp as activities_blp
from .audit.resources import blp as audit_blp
from .reports.resources import blp as reports_blp
from .iku.resources import blp as iku_blp
from .services import Services
from .web import i18n, labels
from .web.pages import register_error_pages
from .web.pages import web as web_pages

SIMULATED_HEADER = "IKU-Recorded-Times"


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(
        API_TITLE="IKU audit service — Bagian Protokol dan Komunikasi Pimpinan, Kabupaten Jember",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "components": {
                "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}
            },
            "security": [{"bearer": []}],
        },
        IKU_DATABASE=os.environ.get("IKU_DATABASE"),
        IKU_TIMEZONE=os.environ.get("IKU_TIMEZONE"),
        # Web sessions: a signed cookie, HttpOnly, SameSite=Lax, Secure behind HTTPS.
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=os.environ.get("IKU_HTTPS") == "1",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
        WTF_CSRF_TIME_LIMIT=None,  # a form's token lives as long as its session
        BABEL_DEFAULT_LOCALE="id",
        BABEL_TRANSLATION_DIRECTORIES=os.path.join(os.path.dirname(__file__), "translations"),
    )
    app.config.update(config or {})
    services = Services(app.config["IKU_DATABASE"], app.config["IKU_TIMEZONE"])
    app.extensions["iku"] = services
    if not app.config.get("SECRET_KEY"):
        # One key for every worker and host of this database, made on first start.
        app.config["SECRET_KEY"] = services.users.recorder.secret(
            "session", secrets.token_urlsafe(48))

    api = Api(app)
    api.register_blueprint(activities_blp)
    api.register_blueprint(iku_blp)
    api.register_blueprint(audit_blp)
    api.register_blueprint(reports_blp)
    errors.register(app, api)
    csrf = CSRFProtect(app)
    for blueprint in (activities_blp, iku_blp, audit_blp, reports_blp):
        csrf.exempt(blueprint)  # the JSON API authenticates with bearer tokens, not cookies
    app.register_blueprint(web_pages)
    i18n.init_app(app)
    labels.init_app(app)
    app.jinja_env.globals["zone"] = i18n.zone_label
    app.jinja_env.globals["zip"] = zip
    register_error_pages(app)

    @app.errorhandler(HTTPException)
    def http_error(error):
        if request.path.startswith("/api/"):
            return api.handle_http_exception(error)
        return render_template("error.html", code=error.code, message=error.description), error.code

    metrics.register(app, services)

    @app.get("/api/v1")
    def index():
        """Public: where things are."""
        return jsonify(
            service=app.config["API_TITLE"],
            openapi="/api/v1/openapi.json",
            health="/api/v1/health",
            iku="/api/v1/iku?period=2021-Q1",
        )

    @app.get("/api/v1/health")
    def health():
        """Public: the store answers and how far the view lags behind the log."""
        head = services.agenda.recorder.max_notification_id() or 0
        view = services.projector.position()
        return jsonify(status="ok", log_position=head, view_position=view, view_lag=head - view)

    @app.after_request
    def say_when_times_are_simulated(response):
        # A demo database's recorded times come from a simulated clock: every answer says so.
        try:
            simulated = current_app.extensions["iku"].agenda.recorded_times_are_simulated
        except PersistenceError:
            return response  # the store is unreachable: the response already says what it can
        if simulated:
            response.headers[SIMULATED_HEADER] = "simulated"
            if response.is_json and response.status_code < 300:
                body = response.get_json(silent=True)
                if isinstance(body, dict) and "paths" not in body:
                    body["recorded_times"] = "simulated"
                    response.set_data(current_app.json.dumps(body))
        return response

    return app

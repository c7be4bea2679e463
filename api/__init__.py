"""The HTTP face of the service: create_app() builds everything, nothing runs at import."""
from __future__ import annotations

import os

from flask import Flask, current_app, jsonify
from flask_smorest import Api

from . import errors
from .activities.resources import blp as activities_blp
from .iku.resources import blp as iku_blp
from .services import Services

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
        JSON_SORT_KEYS=False,
    )
    app.config.update(config or {})
    services = Services(app.config["IKU_DATABASE"], app.config["IKU_TIMEZONE"])
    app.extensions["iku"] = services

    api = Api(app)
    api.register_blueprint(activities_blp)
    api.register_blueprint(iku_blp)
    errors.register(app, api)

    @app.get("/")
    def index():
        """Public: where things are (the HTML pages come with the web issue)."""
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
        if current_app.extensions["iku"].agenda.recorded_times_are_simulated:
            response.headers[SIMULATED_HEADER] = "simulated"
            if response.is_json and response.status_code < 300:
                body = response.get_json(silent=True)
                if isinstance(body, dict) and "paths" not in body:
                    body["recorded_times"] = "simulated"
                    response.set_data(current_app.json.dumps(body))
        return response

    return app

"""The JSON API (SPEC §6): one blueprint package per resource, bearer tokens, one error
shape. Views parse with a schema, call one service-layer function, dump with a schema."""
from __future__ import annotations

from flask import current_app, jsonify, request
from flask_smorest import Api, abort
from eventsourcing.persistence import PersistenceError

from ..bootstrap import VIEW_REBUILT
from . import auth, errors, headers, metrics
from .blueprint import refuse_unread_query
from .fields import AsciiIntegerConverter
from .activities.resources import blp as activities_blp
from .audit.resources import blp as audit_blp
from .evidence.resources import blp as evidence_blp
from .iku.resources import blp as iku_blp
from .reports.resources import blp as reports_blp
from .ucapan.resources import blp as ucapan_blp

SIMULATED_HEADER = "IKU-Recorded-Times"

BLUEPRINTS = (activities_blp, ucapan_blp, iku_blp, audit_blp, reports_blp, evidence_blp)
UPLOADS = ("evidence.Evidence",)  # bodies up to IKU_EVIDENCE_MAX_MB, once authorised
MAX_BODY = 1024 * 1024  # any request (the pages' forms included)
MAX_API_BODY = 64 * 1024  # a JSON body: the largest command is a few KiB


def register(app, services) -> Api:
    app.config.update(
        API_TITLE="IKU audit service — Bagian Protokol dan Komunikasi Pimpinan, Kabupaten Jember",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearer": []}],
        },
    )
    api = Api(app)
    # `<int:…>` in a path: ASCII digits only (werkzeug's reads any script's, "１"), for the
    # pages' routes too (they are registered after these).
    app.url_map.converters["int"] = AsciiIntegerConverter
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    errors.register(app, api)
    headers.register(app)
    metrics.register(app, services)
    if app.config.get("MAX_CONTENT_LENGTH") is None:  # Flask's default is None: the key exists
        app.config["MAX_CONTENT_LENGTH"] = MAX_BODY

    @app.before_request
    def authorise_before_parsing():
        """Who asks, and whether they may, before a body is read; then its size."""
        if request.path.startswith("/api/"):
            auth.check_first()
            if request.endpoint in UPLOADS and request.method == "PUT":
                request.max_content_length = services.evidence.max_bytes
            elif (request.content_length or 0) > MAX_API_BODY:
                abort(413, message=f"a body of the API holds at most {MAX_API_BODY // 1024} KiB")
            refuse_unread_query()

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
        """Public: the store answers, how far the view lags behind the log, and whether
        checkpoints are still signed (`degraded` with the reason when they are not)."""
        head = services.agenda.recorder.max_notification_id() or 0
        view = services.projector.position()
        refused = services.checkpoints.refusal()
        return jsonify(status="degraded" if refused else "ok", log_position=head, view_position=view,
                       view_lag=head - view, checkpoints="refused" if refused else "signed",
                       checkpoint_refused=refused,
                       view_rebuilt=services.agenda.recorder.get_mark(VIEW_REBUILT))

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

    return api

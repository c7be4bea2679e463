"""One JSON error shape for everything: {code, status, message, errors?}; the pages get the
same status with an HTML page.

Domain exceptions map to statuses in the service layer's one table. A lost or locked
database is 503 with a retry hint; nothing was appended."""
from __future__ import annotations

import logging

from eventsourcing.persistence import InterfaceError, OperationalError
from flask import render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable, default_exceptions

from domain import exceptions as d

from ..service_layer.errors import status_of

log = logging.getLogger(__name__)


def register(app, api) -> None:
    def respond(exc):
        """JSON under /api/, an HTML page elsewhere."""
        if request.path.startswith("/api/"):
            return api.handle_http_exception(exc)
        headers = exc.data.get("headers", {})
        return render_template("error.html", code=exc.code, message=exc.data["message"]), exc.code, headers

    def domain_error(error: d.DomainError):
        exc = default_exceptions[status_of(error)]()
        exc.data = {"message": error.message}
        if error.field:
            location = "headers" if error.field[0].isupper() else "json"
            exc.data["errors"] = {location: {error.field: [error.message]}}
        return respond(exc)

    def store_unavailable(error: Exception):
        services = app.extensions.get("iku")
        if services is not None:
            services.store_failed()
        text = str(error).lower()
        if isinstance(error, d.AuditTreeDamaged):
            log.error("audit tree damaged: %s", error)
            message, retry = "the audit log is damaged; nothing was recorded (an operator must run iku verify)", "60"
        elif isinstance(error, d.EventsUnsealable):
            log.error("no key to seal events with: %s", error)
            message, retry = ("this process holds no key to seal events with; nothing was recorded (an operator "
                              "must give it the log's key)"), "60"
        elif "full" in text or "no space" in text:  # SQLite: "disk is full"; PostgreSQL: "No space left"
            log.error("store full: %s", error)
            message, retry = "the database's disk is full; nothing was recorded (an operator must free space)", "60"
        elif "readonly" in text or "read-only" in text:
            log.error("store read-only: %s", error)
            message, retry = "the database is read-only; nothing was recorded (an operator must fix it)", "60"
        else:
            log.warning("store unavailable: %s", error)
            message, retry = "the event store is busy or unreachable; nothing was recorded, retry", "1"
        exc = ServiceUnavailable()
        exc.data = {"message": message, "headers": {"Retry-After": retry}}
        return respond(exc)

    def unexpected(error: Exception):
        log.exception("unexpected error")
        exc = InternalServerError()
        exc.data = {"message": "internal error; nothing was recorded by this request"}
        return respond(exc)

    def http_error(error: HTTPException):
        if request.path.startswith("/api/"):
            cap_messages(error)
            return api.handle_http_exception(error)
        return render_template("error.html", code=error.code, message=error.description), error.code

    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(d.DomainError, domain_error)
    app.register_error_handler(OperationalError, store_unavailable)
    app.register_error_handler(InterfaceError, store_unavailable)
    app.register_error_handler(Exception, unexpected)


MAX_FIELD_ERRORS = 20  # per location: a body of a hundred thousand unknown keys gets a short answer


def cap_messages(error: HTTPException) -> None:
    messages = getattr(error, "data", {}).get("messages") if isinstance(getattr(error, "data", None), dict) else None
    if not isinstance(messages, dict):
        return
    for location, fields in messages.items():
        if isinstance(fields, dict) and len(fields) > MAX_FIELD_ERRORS:
            kept = dict(list(fields.items())[:MAX_FIELD_ERRORS])
            kept["_more"] = [f"and {len(fields) - MAX_FIELD_ERRORS} more fields in error"]
            messages[location] = kept

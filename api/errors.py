"""One JSON error shape for everything: {code, status, message, errors?}.

Domain exceptions map to statuses in one table. A lost or locked database is 503 with a
retry hint; nothing was appended."""
from __future__ import annotations

import logging

from eventsourcing.persistence import InterfaceError, OperationalError
from flask import render_template, request
from werkzeug.exceptions import InternalServerError, ServiceUnavailable, default_exceptions

from domain import exceptions as d
from domain.reports import ReportStateConflict

STATUS = {
    d.ActivityNotFound: 404,
    d.ActivityIsCancelled: 409,
    d.EntryNotRetractable: 409,
    d.StaleVersion: 409,
    d.ConcurrentWrite: 409,
    d.ClockRefused: 409,
    d.InvalidActivityData: 422,
    d.IdempotencyKeyReused: 422,
    ReportStateConflict: 409,
}

log = logging.getLogger(__name__)


def register(app, api) -> None:
    def respond(exc):
        """JSON under /api/, an HTML page elsewhere."""
        if request.path.startswith("/api/"):
            return api.handle_http_exception(exc)
        headers = exc.data.get("headers", {})
        return render_template("error.html", code=exc.code, message=exc.data["message"]), exc.code, headers

    def domain_error(error: d.DomainError):
        exc = default_exceptions[STATUS.get(type(error), 400)]()
        exc.data = {"message": error.message}
        if error.field:
            location = "headers" if error.field[0].isupper() else "json"
            exc.data["errors"] = {location: {error.field: [error.message]}}
        return respond(exc)

    def store_unavailable(error: Exception):
        log.warning("store unavailable: %s", error)
        exc = ServiceUnavailable()
        exc.data = {
            "message": "the event store is busy or unreachable; nothing was recorded, retry",
            "headers": {"Retry-After": "1"},
        }
        return respond(exc)

    def unexpected(error: Exception):
        log.exception("unexpected error")
        exc = InternalServerError()
        exc.data = {"message": "internal error; nothing was recorded by this request"}
        return respond(exc)

    app.register_error_handler(d.DomainError, domain_error)
    app.register_error_handler(OperationalError, store_unavailable)
    app.register_error_handler(InterfaceError, store_unavailable)
    app.register_error_handler(Exception, unexpected)

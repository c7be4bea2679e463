"""The answer to a write and the route of a command on an existing record, shared by the
blueprints of the records (activities, ucapan): 201 with the new event, ETag and Location;
If-Match and Idempotency-Key read the same way for every record."""
from __future__ import annotations

from flask import current_app, g
from flask.views import MethodView

from .auth import requires

KNOWN = "The same fact is live already (`IKU-Already-Recorded: true`): its entry, nothing appended"


def written(blp, result, status=201):
    """201 and the new event; 200 and the live entry that says the same, for a fact sent
    again (`IKU-Already-Recorded: true`: nothing was appended)."""
    headers = {"ETag": f'"{result.version}"', "Location": f"{blp.url_prefix}/{result.activity_id}"}
    if result.replayed:
        headers["Idempotent-Replayed"] = "true"
    if result.already_recorded:
        headers["IKU-Already-Recorded"] = "true"
        status = 200
    return result, status, headers


def command_route(blp, path: str, schema, permission: str, command, summary: str, *, headers_schema,
                  written_schema, commutes: bool = False, record: str = "activity_id"):
    """POST {blp}/<record id>/{path}: `command(services, user, id, key=…, expected_version=…,
    **body)`. `commutes`: a fact that may already be known (answered 200)."""
    class Command(MethodView):
        @blp.arguments(schema)
        @blp.arguments(headers_schema, location="headers")
        @blp.response(201, written_schema)
        @requires(permission)
        def post(self, body, headers, **ids):
            return written(blp, command(current_app.extensions["iku"], g.user, ids[record],
                                        key=headers["idempotency_key"], expected_version=headers["if_match"],
                                        **body))

    if commutes:
        Command.post = blp.alt_response(200, schema=written_schema, description=KNOWN)(Command.post)

    Command.post.__doc__ = summary
    Command.__name__ = f"Fact{command.__name__.title().replace('_', '')}"
    blp.route(f"/<uuid:{record}>/{path}")(Command)

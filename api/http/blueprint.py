"""The API's Blueprint: flask-smorest's, with a parser of bodies that answers a body nested
too deeply for Python's JSON decoder as what it is, a body that is not JSON (400), and a
query that the view does not read refused (422, as an unknown field of a body)."""
from __future__ import annotations

import json

import flask_smorest
import marshmallow as ma
from flask import current_app, request
from webargs.flaskparser import FlaskParser


class Parser(FlaskParser):
    # An unknown query parameter is an error, as an unknown field of a body (docs/API.md).
    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": ma.RAISE,
                                   "querystring": ma.RAISE}

    def _raw_load_json(self, req):
        try:
            return super()._raw_load_json(req)
        except RecursionError:
            raise json.JSONDecodeError("the body is nested too deeply", "[", 0) from None  # a doc: not "missing"


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = Parser()

    def arguments(self, schema, *, location="json", **kwargs):
        """flask-smorest's; a view that reads its query says so (`reads_query`): the query of
        any other is refused before it runs (`refuse_unread_query`)."""
        decorator = super().arguments(schema, location=location, **kwargs)
        if location not in ("query", "querystring"):
            return decorator

        def reading_the_query(view):
            wrapper = decorator(view)
            wrapper.reads_query = True  # the decorators above copy it (functools.wraps)
            return wrapper

        return reading_the_query


class NoQuerySchema(ma.Schema):
    """The query of a view that reads none: every parameter is unknown."""


def refuse_unread_query() -> None:
    """Before a view of the API that reads no query runs: a parameter sent to it is a 422
    naming it, in the shape of every other unknown field."""
    if not request.args:
        return
    view = current_app.view_functions.get(request.endpoint)
    method = getattr(getattr(view, "view_class", None), request.method.lower(), None)
    if method is None and request.method == "HEAD":  # Flask answers HEAD with the GET
        method = getattr(getattr(view, "view_class", None), "get", None)
    if method is not None and not getattr(method, "reads_query", False):
        Blueprint.ARGUMENTS_PARSER.parse(NoQuerySchema(), location="query")

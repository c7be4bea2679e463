"""The API's Blueprint: flask-smorest's, with a parser of bodies that answers a body nested
too deeply for Python's JSON decoder as what it is, a body that is not JSON (400)."""
from __future__ import annotations

import json

import flask_smorest
from webargs.flaskparser import FlaskParser


class Parser(FlaskParser):
    def _raw_load_json(self, req):
        try:
            return super()._raw_load_json(req)
        except RecursionError:
            raise json.JSONDecodeError("the body is nested too deeply", "[", 0) from None  # a doc: not "missing"


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = Parser()

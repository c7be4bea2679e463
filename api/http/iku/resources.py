"""/api/v1/iku, /api/v1/indicators, explain, diff and targets."""
from __future__ import annotations

import marshmallow as ma
from flask import current_app, g
from flask.views import MethodView
from flask_smorest import abort

from ...service_layer import commands, queries
from ...service_layer.parsing import resolve_as_of
from ..activities.schemas import WriteHeadersSchema
from ..auth import requires
from ..blueprint import Blueprint
from ..fields import page_of, paged
from .schemas import (
    DiffQuerySchema,
    DiffSchema,
    ExplainQuerySchema,
    ExplainSchema,
    IKUQuerySchema,
    IKUSchema,
    IndicatorListSchema,
    TargetInputSchema,
    TargetListSchema,
    TargetsQuerySchema,
    TargetWrittenSchema,
)

blp = Blueprint("iku", __name__, url_prefix="/api/v1", description="Indikator Kinerja Utama")


def services():
    return current_app.extensions["iku"]


def as_of(value):
    return resolve_as_of(value, services().zone)


@blp.route("/iku")
class IKU(MethodView):
    @blp.arguments(IKUQuerySchema, location="query", unknown=ma.RAISE)
    @blp.response(200, IKUSchema)
    @requires("read")
    def get(self, query):
        """IKU-1 and IKU-2 for a period, as known at an instant (repeatable)"""
        return queries.iku(services(), g.user, query["period"], as_of(query["as_of"]), query.get("leader"))


@blp.route("/indicators")
class Indicators(MethodView):
    @blp.response(200, IndicatorListSchema)
    @requires("read")
    def get(self):
        """The indicator definitions, in the decree's own words"""
        return {"indicators": queries.indicators(services(), g.user)}


@blp.route("/iku/explain")
class Explain(MethodView):
    @blp.arguments(ExplainQuerySchema, location="query", unknown=ma.RAISE)
    @blp.response(200, ExplainSchema)
    @requires("read")
    def get(self, query):
        """The activities in an indicator's denominator and numerator, with the events that put them there"""
        try:
            found = queries.explain(services(), g.user, query["period"], as_of(query["as_of"]),
                                    query.get("leader"), indicator_code=query["indicator"], page=page_of(query))
        except queries.UnknownIndicator as e:
            abort(422, errors={"query": {"indicator": [str(e)]}})
        return paged(found, found.page, as_of=found.as_of.isoformat())


@blp.route("/iku/diff")
class Diff(MethodView):
    @blp.arguments(DiffQuerySchema, location="query", unknown=ma.RAISE)
    @blp.response(200, DiffSchema)
    @requires("read")
    def get(self, query):
        """The figures as known at two instants, and the events that changed each activity's contribution"""
        since, until = as_of(query["from_"]), as_of(query["to"])
        if until is not None and since > until:
            abort(422, errors={"query": {"from": ["Must not be after 'to'."]}})
        result, page = queries.diff(services(), g.user, query["period"], since, until, query.get("leader"),
                                    page_of(query))
        return paged({"period": query["period"], "leader": query.get("leader"), "before": result.before,
                      "after": result.after, "changes": result.changes, "targets": result.targets,
                      "ucapan": result.ucapan, "page": page}, page,
                     to=result.after.as_of.isoformat())


@blp.route("/targets")
class Targets(MethodView):
    @blp.arguments(TargetsQuerySchema, location="query", unknown=ma.RAISE)
    @blp.response(200, TargetListSchema)
    @requires("read")
    def get(self, query):
        """The Perjanjian Kinerja targets of a year, as known at an instant"""
        return queries.targets(services(), g.user, query["year"], as_of(query["as_of"]))

    @blp.arguments(TargetInputSchema)
    @blp.arguments(WriteHeadersSchema, location="headers")
    @blp.response(201, TargetWrittenSchema)
    @requires("set_targets")
    def post(self, body, headers):
        """Set an indicator's yearly target (TargetSet), or change it with a reason (TargetChanged)"""
        written = commands.set_target(services(), g.user, key=headers["idempotency_key"], **body)
        return {"indicator": body["indicator"], "year": body["year"], "target": body["target"],
                "version": written.version, "recorded_at": written.recorded_at,
                "position": written.position}, 201

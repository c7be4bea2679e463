"""/api/v1/iku and /api/v1/indicators."""
from __future__ import annotations

import marshmallow as ma
from decimal import Decimal

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from ..activities.resources import resolve_as_of
from ..auth import requires
from ..activities.schemas import WriteHeadersSchema
from ..idempotency import claim_for
from .schemas import (
    TargetInputSchema,
    TargetListSchema,
    TargetsQuerySchema,
    TargetWrittenSchema,
    DiffQuerySchema,
    DiffSchema,
    ExplainQuerySchema,
    ExplainSchema,
    IKUQuerySchema,
    IKUSchema,
    IndicatorListSchema,
)

blp = Blueprint("iku", __name__, url_prefix="/api/v1", description="Indikator Kinerja Utama")


def figures_json(figures) -> list[dict]:
    indicators = []
    for figure in figures:
        item = {
            "code": figure.indicator.code,
            "name": figure.indicator.name,
            "numerator": figure.numerator,
            "denominator": figure.denominator,
            "percent": figure.percent,
            "cancelled": figure.cancelled,
            "target": None if figure.target is None else float(figure.target),
            "capaian": figure.capaian,
        }
        if figure.breakdown:
            item["by_media"] = figure.breakdown
        indicators.append(item)
    return indicators


def answer_json(answer) -> dict:
    body = {
        "period": answer.period,
        "as_of": answer.as_of,
        "leader": answer.leader,
        "position": answer.position,
        "indicators": figures_json(answer.figures),
    }
    if answer.year_to_date is not None:
        ytd_period, ytd_figures = answer.year_to_date
        body["year_to_date"] = {"period": ytd_period, "indicators": figures_json(ytd_figures)}
    return body


def iku_json(services, answer) -> dict:
    """The answer, with the period's submitted report (as known then) and whether the
    figures restate it."""
    from ..reports.resources import differs, report_state

    body = answer_json(answer)
    report = None if answer.leader else report_state(services.agenda, answer.period, answer.as_of)
    if report is not None:
        body["report"] = report
        body["restated"] = differs(report["indicators"], body["indicators"])
    return body


@blp.route("/iku")
class IKU(MethodView):
    @blp.arguments(IKUQuerySchema, location="query", unknown=ma.RAISE)
    @blp.response(200, IKUSchema)
    @requires("read")
    def get(self, query):
        """IKU-1 and IKU-2 for a period, as known at an instant (repeatable)"""
        services = current_app.extensions["iku"]
        answer = services.calculator.compute(query["period"], resolve_as_of(query["as_of"]), query.get("leader"))
        return iku_json(services, answer)


@blp.route("/indicators")
class Indicators(MethodView):
    @blp.response(200, IndicatorListSchema)
    @requires("read")
    def get(self):
        """The indicator definitions, in the decree's own words"""
        return {"indicators": current_app.extensions["iku"].calculator.indicators}


def explained_json(item, events) -> dict:
    from datetime import timedelta, timezone

    from domain.store.clock import to_datetime

    return {
        "activity_id": item.activity_id,
        "title": item.title,
        "starts_at": to_datetime(item.starts_at).astimezone(timezone(timedelta(seconds=item.utc_offset))),
        "events": [{"position": e.position, "version": e.version, "type": e.type,
                    "recorded_at": e.recorded_at, "actor": e.actor} for e in events],
    }


@blp.route("/iku/explain")
class Explain(MethodView):
    @blp.arguments(ExplainQuerySchema, location="query", unknown=ma.RAISE)
    @blp.response(200, ExplainSchema)
    @requires("read")
    def get(self, query):
        """The activities in an indicator's denominator and numerator, with the events that put them there"""
        from projections.explain import explain

        calculator = current_app.extensions["iku"].calculator
        indicator = next((i for i in calculator.indicators if i.code == query["indicator"]), None)
        if indicator is None:
            abort(422, errors={"query": {"indicator": [
                f"Unknown indicator; one of {', '.join(i.code for i in calculator.indicators)}."]}})
        as_of, items = explain(calculator, indicator.numerator_fact, query["period"], resolve_as_of(query["as_of"]),
                               query.get("leader"))
        counted = [i for i in items if i.counted_by]
        return {
            "period": query["period"], "as_of": as_of, "leader": query.get("leader"),
            "indicator": indicator.code, "numerator": len(counted), "denominator": len(items),
            "denominator_activities": [explained_json(i, i.placed_by) for i in items],
            "numerator_activities": [explained_json(i, i.counted_by) for i in counted],
        }


@blp.route("/iku/diff")
class Diff(MethodView):
    @blp.arguments(DiffQuerySchema, location="query", unknown=ma.RAISE)
    @blp.response(200, DiffSchema)
    @requires("read")
    def get(self, query):
        """The figures as known at two instants, and the events that changed each activity's contribution"""
        from dataclasses import asdict

        from projections.diff import restatement

        from ..activities.resources import plain

        since, until = resolve_as_of(query["from_"]), resolve_as_of(query["to"])
        if until is not None and since > until:
            abort(422, errors={"query": {"from": ["Must not be after 'to'."]}})
        result = restatement(current_app.extensions["iku"].calculator, query["period"], since, until,
                             query.get("leader"))
        return {
            "period": query["period"], "leader": query.get("leader"),
            "before": answer_json(result.before), "after": answer_json(result.after),
            "changes": [{
                "activity_id": c.activity_id, "title": c.title,
                "before": asdict(c.before), "after": asdict(c.after),
                "events": [{"position": e.position, "version": e.version, "type": e.type,
                            "recorded_at": e.recorded_at, "actor": e.actor, "data": plain(e.data)}
                           for e in c.events],
            } for c in result.changes],
        }


@blp.route("/targets")
class Targets(MethodView):
    @blp.arguments(TargetsQuerySchema, location="query", unknown=ma.RAISE)
    @blp.response(200, TargetListSchema)
    @requires("read")
    def get(self, query):
        """The Perjanjian Kinerja targets of a year, as known at an instant"""
        services = current_app.extensions["iku"]
        as_of, _ = services.agenda.fix_as_of(resolve_as_of(query["as_of"]))
        targets = []
        for indicator in services.calculator.indicators:
            value = services.agenda.target_as_of(indicator.code, query["year"], as_of)
            targets.append({"indicator": indicator.code, "year": query["year"],
                            "target": None if value is None else float(value)})
        return {"year": query["year"], "as_of": as_of, "targets": targets}

    @blp.arguments(TargetInputSchema)
    @blp.arguments(WriteHeadersSchema, location="headers")
    @blp.response(201, TargetWrittenSchema)
    @requires("set_targets")
    def post(self, body, headers):
        """Set an indicator's yearly target (TargetSet), or change it with a reason (TargetChanged)"""
        services = current_app.extensions["iku"]
        codes = [i.code for i in services.calculator.indicators]
        if body["indicator"] not in codes:
            abort(422, errors={"json": {"indicator": [f"Unknown indicator; one of {', '.join(codes)}."]}})
        body = {**body, "target": Decimal(str(body["target"]))}  # the number as written, not a binary float
        written = services.agenda.set_target(
            idempotency=claim_for(headers["idempotency_key"], {**body, "target": str(body["target"])}, None),
            **body)
        return {"indicator": body["indicator"], "year": body["year"], "target": float(body["target"]),
                "version": written.version, "recorded_at": written.recorded_at,
                "position": written.position}, 201

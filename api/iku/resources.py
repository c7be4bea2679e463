"""/api/v1/iku and /api/v1/indicators."""
from __future__ import annotations

import marshmallow as ma
from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from ..activities.resources import resolve_as_of
from ..auth import requires
from .schemas import IKUQuerySchema, IKUSchema, IndicatorListSchema

blp = Blueprint("iku", __name__, url_prefix="/api/v1", description="Indikator Kinerja Utama")


def answer_json(answer) -> dict:
    indicators = []
    for figure in answer.figures:
        item = {
            "code": figure.indicator.code,
            "name": figure.indicator.name,
            "numerator": figure.numerator,
            "denominator": figure.denominator,
            "percent": figure.percent,
            "cancelled": figure.cancelled,
        }
        if figure.breakdown:
            item["by_media"] = figure.breakdown
        indicators.append(item)
    return {
        "period": answer.period,
        "as_of": answer.as_of,
        "leader": answer.leader,
        "position": answer.position,
        "indicators": indicators,
    }


@blp.route("/iku")
class IKU(MethodView):
    @blp.arguments(IKUQuerySchema, location="query", unknown=ma.RAISE)
    @blp.response(200, IKUSchema)
    @requires("read")
    def get(self, query):
        """IKU-1 and IKU-2 for a period, as known at an instant (repeatable)"""
        answer = current_app.extensions["iku"].calculator.compute(
            query["period"], resolve_as_of(query["as_of"]), query.get("leader")
        )
        return answer_json(answer)


@blp.route("/indicators")
class Indicators(MethodView):
    @blp.response(200, IndicatorListSchema)
    @requires("read")
    def get(self):
        """The indicator definitions, in the decree's own words"""
        return {"indicators": current_app.extensions["iku"].calculator.indicators}

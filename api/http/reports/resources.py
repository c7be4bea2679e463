"""/api/v1/reports: submitting a period's figures, reopening it, and its history."""
from __future__ import annotations

from flask import current_app, g
from flask.views import MethodView
from flask_smorest import abort

from projections.periods import InvalidPeriod, Period

from ...service_layer import commands, queries
from ..auth import requires
from ..blueprint import Blueprint
from .schemas import ReopenedSchema, ReopenSchema, ReportSchema, SubmitSchema, SubmittedSchema

blp = Blueprint("reports", __name__, url_prefix="/api/v1/reports",
                description="Period reports: submission, reopening, restatements")


def parse_period(label: str) -> Period:
    try:
        return Period.parse(label)
    except InvalidPeriod as e:
        abort(422, errors={"path": {"period": [str(e)]}})


@blp.route("")
class Reports(MethodView):
    @blp.arguments(SubmitSchema)
    @blp.response(201, SubmittedSchema)
    @requires("submit_reports")
    def post(self, body):
        """Submit a period's figures as known now (ReportSubmitted), with the chain head; a checkpoint is signed"""
        return commands.submit_report(current_app.extensions["iku"], g.user, body["period"], note=body["note"])


@blp.route("/<string:label>")
class Report(MethodView):
    @blp.response(200, ReportSchema)
    @requires("read")
    def get(self, label):
        """A period's submissions and reopenings"""
        return queries.report(current_app.extensions["iku"], g.user, parse_period(label))


@blp.route("/<string:label>/reopening")
class Reopening(MethodView):
    @blp.arguments(ReopenSchema)
    @blp.response(201, ReopenedSchema)
    @requires("submit_reports")
    def post(self, body, label):
        """Reopen a submitted period for correction (ReportReopened), with a reason"""
        period = parse_period(label)
        written = commands.reopen_report(current_app.extensions["iku"], g.user, period, reason=body["reason"])
        return {"period": period, "version": written.version, "recorded_at": written.recorded_at,
                "position": written.position}

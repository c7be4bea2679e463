"""/api/v1/reports: submitting a period's figures, reopening it, and its history."""
from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from projections.periods import InvalidPeriod, Period

from ..auth import requires
from ..iku.resources import figures_json
from .schemas import ReopenedSchema, ReopenSchema, ReportSchema, SubmitSchema, SubmittedSchema

blp = Blueprint("reports", __name__, url_prefix="/api/v1/reports",
                description="Period reports: submission, reopening, restatements")


def parse_period(label: str) -> Period:
    try:
        return Period.parse(label)
    except InvalidPeriod as e:
        abort(422, errors={"path": {"period": [str(e)]}})


def report_state(agenda, period: Period, as_of=None) -> dict | None:
    """The period's report as known at as_of: status and its last submission, or None."""
    events = agenda.report_history(period.label, as_of)
    submitted = [e for e in events if e.type == "ReportSubmitted"]
    if not submitted:
        return None
    last = submitted[-1]
    return {"status": "reopened" if events[-1].type == "ReportReopened" else "submitted",
            "position": last.position, "receipt": f"/api/v1/audit/receipts/{last.position}",
            "as_of": last.data["as_of"], "recorded_at": last.recorded_at, "submitted_by": last.actor,
            "indicators": last.data["figures"],
            "chain": {"position": last.data["chain_position"], "hash": last.data["chain_hash"]}}


def submit_period(services, period: Period, as_of=None):
    """Submit a period's figures as known now (or at as_of, for the demo's simulated clock),
    with the audit log's tree head before it; then sign a checkpoint that includes it.
    Returns (written, answer, figures, (tree size, root hash hex))."""
    answer = services.calculator.compute(period, as_of)
    size = services.tree.size()
    head = (size, services.tree.root(size).hex())
    figures = figures_json(answer.figures)
    written = services.agenda.submit_report(period=period.label, as_of=answer.as_of, figures=figures,
                                            chain_position=head[0], chain_hash=head[1])
    services.checkpoints.sign_or_log()
    return written, answer, figures, head


def differs(submitted: list[dict], current: list[dict]) -> bool:
    keys = ("code", "numerator", "denominator", "cancelled", "by_media")
    return [{k: f.get(k) for k in keys} for f in submitted] != [{k: f.get(k) for k in keys} for f in current]


@blp.route("")
class Reports(MethodView):
    @blp.arguments(SubmitSchema)
    @blp.response(201, SubmittedSchema)
    @requires("submit_reports")
    def post(self, body):
        """Submit a period's figures as known now (ReportSubmitted), with the chain head; a checkpoint is signed"""
        period = body["period"]
        written, answer, figures, (chain_position, chain_hash) = submit_period(
            current_app.extensions["iku"], period)
        return {"period": period, "version": written.version, "as_of": answer.as_of,
                "recorded_at": written.recorded_at, "position": written.position, "indicators": figures,
                "chain": {"position": chain_position, "hash": chain_hash}}


@blp.route("/<string:label>")
class Report(MethodView):
    @blp.response(200, ReportSchema)
    @requires("read")
    def get(self, label):
        """A period's submissions and reopenings"""
        period = parse_period(label)
        events = current_app.extensions["iku"].agenda.report_history(period.label)
        status = "open" if not events or events[-1].type == "ReportOpened" else (
            "reopened" if events[-1].type == "ReportReopened" else "submitted")
        return {"period": period, "status": status, "events": [{
            "type": e.type, "version": e.version, "recorded_at": e.recorded_at, "actor": e.actor,
            "as_of": e.data.get("as_of"), "reason": e.data.get("reason"),
            "indicators": e.data.get("figures"),
            "chain": ({"position": e.data["chain_position"], "hash": e.data["chain_hash"]}
                      if e.type == "ReportSubmitted" else None),
            "position": e.position,
            "receipt": f"/api/v1/audit/receipts/{e.position}" if e.type == "ReportSubmitted" else None,
        } for e in events if e.type != "ReportOpened"]}


@blp.route("/<string:label>/reopening")
class Reopening(MethodView):
    @blp.arguments(ReopenSchema)
    @blp.response(201, ReopenedSchema)
    @requires("submit_reports")
    def post(self, body, label):
        """Reopen a submitted period for correction (ReportReopened), with a reason"""
        period = parse_period(label)
        written = current_app.extensions["iku"].agenda.reopen_report(period=period.label, reason=body["reason"])
        return {"period": period, "version": written.version, "recorded_at": written.recorded_at,
                "position": written.position}

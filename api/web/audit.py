"""The Audit page: the latest signed checkpoint, who witnessed it, the log's keys, the
store's verification, and the inspectorate's export."""
from __future__ import annotations

from io import BytesIO

from flask import render_template, request, send_file
from flask_babel import gettext as _

from domain.store.clock import to_datetime
from projections.periods import InvalidPeriod

from ..documents.audit_export import audit_export_zip
from ..service_layer.parsing import parse_period
from ..service_layer.queries import today
from .common import default_period, page, period_error, services, web


@web.get("/audit")
@page()
def audit():
    verified = services().verify() if request.args.get("verify") else None
    return render_audit(verified=verified, period=request.args.get("period") or default_period()[:4], errors={})


def render_audit(**context):
    checkpoints = services().checkpoints
    latest = checkpoints.latest()
    return render_template(
        "audit.html", latest=latest, vkey=checkpoints.signer.verifier.vkey,
        witnesses=sorted(checkpoints.witnesses_of(latest)) if latest else [],
        signed_at=to_datetime(latest.signed_at) if latest else None,
        public_key=checkpoints.public_pem(),
        **context)


@web.get("/audit/export.zip")
@page("export")
def audit_export():
    try:
        period = parse_period(request.args.get("period", ""), today(services()))  # as every page reads it
    except InvalidPeriod:
        return render_audit(verified=None, period=request.args.get("period", ""),
                            errors={"period": period_error()}), 422
    if services().checkpoints.latest() is None:
        return render_audit(verified=None, period=period.label, errors={
            "period": _("Belum ada checkpoint: log masih kosong.")}), 409
    return send_file(BytesIO(audit_export_zip(services(), period)), mimetype="application/zip",
                     as_attachment=True, download_name=f"iku-audit-{period.label}.zip")

"""A period's report: its history (every submission with its figures and note, every
reopening with its reason, who and when, whether the figures are restated since),
submitting it after a confirmation, reopening it, and the bukti penyampaian (PDF)."""
from __future__ import annotations

from io import BytesIO

from flask import abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from domain.exceptions import DomainError
from domain.reports import AlreadySubmitted, NotSubmitted, PeriodNotEnded
from projections.periods import InvalidPeriod, Period

from ..documents.receipt import submission_receipt
from ..service_layer import commands, queries
from ..service_layer.permissions import may
from .common import actor_name, page, services, web
from .i18n import format_day, format_when, period_name


def _period(label: str) -> Period:
    try:
        return Period.parse(label)
    except InvalidPeriod:
        abort(404)


def refusal(period: Period, error: DomainError | None = None) -> str | None:
    """Why this period's report may not be submitted now, in the user's words (None: it may)."""
    svc = services()
    if error is None:
        try:
            commands.check_reportable(svc, period)
        except DomainError as e:
            error = e
        else:
            history = queries.report(svc, g.user, period)
            if history.status == "submitted":
                error = AlreadySubmitted("submitted")
    if error is None:
        return None
    if isinstance(error, PeriodNotEnded):
        return _("Periode ini belum berakhir: laporannya dapat disampaikan mulai %(d)s.",
                 d=format_day(commands.first_reporting_day(svc, period)))
    if isinstance(error, AlreadySubmitted):
        last = queries.report_state(svc, period)
        return _("Laporan periode ini sudah disampaikan pada %(t)s oleh %(u)s. Untuk mengoreksinya, "
                 "buka kembali laporan dengan alasan, lalu sampaikan lagi.", t=format_when(last.recorded_at),
                 u=actor_name(last.submitted_by)) if last else _("Laporan periode ini sudah disampaikan.")
    if isinstance(error, NotSubmitted):
        return _("Laporan periode ini belum disampaikan, jadi tidak dapat dibuka kembali.")
    if error.field == "period":
        return _("Laporan disampaikan per triwulan, semester atau tahun; periode seperti ini "
                 "tidak dilaporkan (operator server dapat mengaktifkannya bila kantor memerlukannya).")
    return _("Isian tidak sah.")


@web.get("/reports/<label>")
@page()
def report_history(label: str):
    svc = services()
    period = _period(label)
    history = queries.report(svc, g.user, period)
    state = queries.iku(svc, g.user, period, None, None)
    return render_template("report.html", period=period, history=history, restated=bool(state.restated),
                           refusal=refusal(period) if may(g.user.role, "submit_reports") else None)


@web.route("/reports/<label>/submit", methods=["GET", "POST"])
@page("submit_reports")
def report_submit(label: str):
    svc = services()
    period = _period(label)
    if request.method == "POST":
        try:
            commands.submit_report(svc, g.user, period, note=request.form.get("note"))
        except DomainError as e:
            flash(refusal(period, e))
            return redirect(url_for("web.report_history", label=period.label), 303)
        flash(_("Laporan %(p)s disampaikan. Bukti penyampaian dapat dicetak di bawah.", p=_name(period)))
        return redirect(url_for("web.report_history", label=period.label), 303)
    answer = queries.iku(svc, g.user, period, None, None).answer
    earlier = [e.note for e in queries.report(svc, g.user, period).events if e.type == "ReportSubmitted"]
    return render_template("report_submit.html", period=period, answer=answer, refusal=refusal(period),
                           note=earlier[-1] if earlier else "")  # a resubmission starts from the last note


@web.post("/reports/<label>/reopen")
@page("submit_reports")
def report_reopen(label: str):
    period = _period(label)
    reason = " ".join(request.form.get("reason", "").split())
    if not reason:
        flash(_("Alasan wajib diisi untuk membuka kembali laporan."))
    else:
        try:
            commands.reopen_report(services(), g.user, period, reason=reason)
        except DomainError as e:
            flash(refusal(period, e))
        else:
            flash(_("Laporan dibuka kembali."))
    return redirect(url_for("web.report_history", label=period.label), 303)


@web.get("/reports/<label>/bukti-<int:position>.pdf")
@page()
def report_receipt(label: str, position: int):
    """The bukti penyampaian of one submission: the figures, who, when, the log position
    and root it was made at, and the receipt (.tlog-proof) of the submission event."""
    svc = services()
    period = _period(label)
    history = queries.report(svc, g.user, period)
    submission = next((e for e in history.events if e.type == "ReportSubmitted" and e.position == position), None)
    if submission is None:
        abort(404)
    reopened = next((e for e in history.events if e.type == "ReportReopened" and e.position > position), None)
    data = submission_receipt(svc, period, submission, _name(period), reopened)
    return send_file(BytesIO(data), mimetype="application/pdf", as_attachment=True,
                     download_name=f"bukti-penyampaian-{period.label}-{position}.pdf")


def _name(period: Period) -> str:
    return period_name(period)

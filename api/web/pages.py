"""Pages over the same Agenda and calculator as the API, with the same role table."""
from __future__ import annotations

import hashlib
import json
import secrets
from datetime import date, datetime
from functools import wraps
from urllib.parse import urlsplit
from uuid import UUID

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from domain.context import acting_as
from domain.exceptions import ActivityNotFound, DomainError, StaleVersion
from domain.model import LEADERS, MEDIA, SCOPES
from domain.store.clock import to_datetime
from domain.store.records import IdempotencyClaim
from projections.periods import InvalidPeriod, Period, end_of_local_day

from ..activities.resources import activity_state, listed
from ..activities.schemas import (
    CancellationSchema,
    DocumentationSchema,
    ProtocolSchema,
    RescheduleSchema,
    RetractionSchema,
    ScheduleSchema,
)
from ..auth import may
from ..users import ROLES, LoginRefused, UserExists
from .charts import media_chart, trend_chart
from .forms import FormErrors, domain_errors, lines, load, local_instant

web = Blueprint("web", __name__)

STATUSES = ("scheduled", "cancelled", "served", "documented")


def services():
    return current_app.extensions["iku"]


# Who is here --------------------------------------------------------------------------


@web.before_app_request
def load_user():
    g.user = None
    name = session.get("user")
    if name:
        g.user = services().users.get(name)


@web.app_context_processor
def page_globals():
    return {
        "user": g.get("user"),
        "may": lambda permission: g.get("user") is not None and may(g.user.role, permission),
        "simulated": services().agenda.recorded_times_are_simulated,
        "form_token": lambda: secrets.token_urlsafe(16),
    }


def page(permission: str = "read"):
    """The page needs a logged-in user with `permission`; a POST runs as that user."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if g.user is None:
                return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
            if not may(g.user.role, permission):
                abort(403)
            with acting_as(g.user.name):
                return view(*args, **kwargs)

        return wrapper

    return decorator


def safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("web.agenda")


@web.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        name = request.form.get("name", "").strip()
        try:
            user = services().users.login(name, request.form.get("password", ""))
        except LoginRefused as refused:
            error = (_("Terlalu banyak percobaan gagal. Coba lagi dalam %(s)s detik.", s=refused.locked_for)
                     if refused.locked_for else _("Nama pengguna atau kata sandi salah."))
        else:
            session.clear()
            session.permanent = True
            session["user"] = user.name
            return redirect(safe_next(request.form.get("next")))
        return render_template("login.html", error=error, name=name,
                               next=request.form.get("next", "")), 401
    return render_template("login.html", error=None, name="", next=request.args.get("next", ""))


@web.post("/logout")
def logout():
    session.clear()
    return redirect(url_for("web.login"))


@web.get("/lang/<code>")
def language(code):
    if code in ("id", "en"):
        session["lang"] = code
    return redirect(safe_next(request.args.get("next")))


@web.get("/")
def home():
    return redirect(url_for("web.agenda"))


# Agenda ------------------------------------------------------------------------------------


def default_period() -> str:
    """The month of the latest activity up to today (the demo's 2021 opens on 2021)."""
    today = date.today()
    with services().projector.view.read() as c:
        c.execute("SELECT max(local_date) AS d FROM activity_versions WHERE local_date <= "
                  f"{today.year * 10000 + today.month * 100 + today.day}")
        row = c.fetchone()
    key = row["d"] if row and row["d"] else today.year * 10000 + today.month * 100
    return f"{key // 10000:04d}-{key // 100 % 100:02d}"


def read_filters():
    """Period, as_of (an instant or None), leader from the query string; errors by field."""
    errors = {}
    label = request.args.get("period") or default_period()
    try:
        period = Period.parse(label)
    except InvalidPeriod:
        errors["period"] = _("Periode tidak dikenal. Contoh: 2021, 2021-S1, 2021-Q1, 2021-03.")
        period = Period.parse(default_period())
    leader = request.args.get("leader") or None
    if leader not in (None, *LEADERS):
        errors["leader"] = _("Pilihan tidak dikenal.")
        leader = None
    as_of = None
    text = (request.args.get("as_of") or "").strip()
    if text:
        try:
            as_of = end_of_local_day(date.fromisoformat(text), services().zone)
        except ValueError:
            errors["as_of"] = _("Tanggal tidak sah.")
    return period, as_of, leader, errors


@web.get("/agenda")
@page()
def agenda():
    period, as_of, leader, errors = read_filters()
    status = request.args.get("status") or ""
    query = (request.args.get("q") or "").strip()
    answered_at, rows = services().calculator.activities(period, as_of, leader)
    activities = [listed(r) for r in rows]
    if status == "scheduled":
        activities = [a for a in activities if not a["cancelled"]]
    elif status in ("cancelled", "served", "documented"):
        activities = [a for a in activities if a[status] and (status == "cancelled" or not a["cancelled"])]
    if query:
        needle = query.casefold()
        activities = [a for a in activities if needle in a["title"].casefold()
                      or needle in a["location"].casefold()]
    days: dict[date, list] = {}
    for a in activities:
        days.setdefault(a["starts_at"].astimezone(services().zone).date(), []).append(a)
    return render_template("agenda.html", days=days, period=period, leader=leader, status=status,
                           q=query, as_of=request.args.get("as_of", ""), errors=errors,
                           answered_at=answered_at, count=len(activities), statuses=STATUSES,
                           leaders=LEADERS)


# Forms -------------------------------------------------------------------------------------


def claim(form) -> IdempotencyClaim:
    """The form's one-time token as the Idempotency-Key: a double submit appends once."""
    token = form.get("form_token") or secrets.token_urlsafe(16)
    fields = {k: form.getlist(k) for k in sorted(form) if k not in ("csrf_token", "form_token")}
    fingerprint = hashlib.sha256(json.dumps([request.path, fields]).encode()).hexdigest()
    return IdempotencyClaim(actor=g.user.name, key=f"web:{token}", fingerprint=fingerprint)


def expected_version(form) -> int | None:
    try:
        return int(form.get("version", ""))
    except ValueError:
        return None


@web.route("/activities/new", methods=["GET", "POST"])
@page("schedule")
def schedule():
    form, errors = request.form, {}
    if request.method == "POST":
        try:
            data = {
                "title": form.get("title", "").strip(),
                "leaders": form.getlist("leaders"),
                "location": form.get("location", "").strip(),
                "scope": form.get("scope", ""),
                "category": form.get("category", "").strip() or None,
                "notes": form.get("notes", "").strip() or None,
            }
            errors = {}
            try:
                data["starts_at"] = local_instant(form.get("date", ""), form.get("time", ""), "starts")
            except FormErrors as e:
                errors.update(e.errors)
            if form.get("end_time", "").strip():
                try:
                    data["ends_at"] = local_instant(form.get("date", ""), form.get("end_time", ""), "ends")
                except FormErrors as e:
                    errors.update(e.errors)
            try:
                details = load(ScheduleSchema(), data, {"starts_at": "starts_time", "ends_at": "ends_time"})
            except FormErrors as e:
                # A date or time that could not be read speaks for itself.
                for side in ("starts", "ends"):
                    if f"{side}_date" in errors or f"{side}_time" in errors:
                        e.errors.pop(f"{side}_time", None)
                errors = {**e.errors, **errors}
            if errors:
                raise FormErrors(errors)
            written = services().agenda.schedule(idempotency=claim(form), **details)
        except FormErrors as e:
            errors = e.errors
        except DomainError as e:
            errors = domain_errors(e, {"starts_at": "starts_time", "ends_at": "ends_time"})
        else:
            flash(_("Kegiatan dijadwalkan."))
            return redirect(url_for("web.activity", activity_id=written.activity_id), 303)
    status = 422 if errors else 200
    return render_template("schedule.html", form=form, errors=errors, leaders=LEADERS,
                           scopes=SCOPES), status


@web.get("/activities/<uuid:activity_id>")
@page()
def activity(activity_id: UUID, errors: dict | None = None, failed: str | None = None, status=200):
    agenda_app = services().agenda
    as_of, _position = agenda_app.fix_as_of(None)
    try:
        state = activity_state(agenda_app.activity_as_of(activity_id, as_of), as_of)
    except ActivityNotFound:
        abort(404)
    history = agenda_app.history(activity_id)
    return render_template("activity.html", a=state, history=history, errors=errors or {},
                           failed=failed, form=request.form if failed else {}, media=MEDIA), status


FACT_FORMS = {
    # form name: (permission, schema, reads the form into the schema's fields, command)
    "protocol": ("record_protocol", ProtocolSchema,
                 lambda f: {"officers": lines(f.get("officers", "")),
                            "notes": f.get("notes", "").strip() or None},
                 "record_protocol"),
    "documentation": ("record_documentation", DocumentationSchema,
                      lambda f: {"media": f.get("media", ""),
                                 "evidence_uri": f.get("evidence_uri", "").strip() or None,
                                 "evidence_sha256": f.get("evidence_sha256", "").strip().lower() or None,
                                 "notes": f.get("notes", "").strip() or None},
                      "record_documentation"),
    "cancel": ("cancel", CancellationSchema, lambda f: {"reason": f.get("reason", "").strip()}, "cancel"),
    "reschedule": ("reschedule", RescheduleSchema, None, "reschedule"),
    "retract": (None, RetractionSchema, None, "retract"),
}


@web.post("/activities/<uuid:activity_id>/<any(protocol, documentation, cancel, reschedule, retract):name>")
@page()
def record(activity_id: UUID, name: str):
    permission, schema, read, command = FACT_FORMS[name]
    form = request.form
    agenda_app = services().agenda
    fields_map = {"starts_at": "starts_time", "ends_at": "ends_time"}
    try:
        if name == "reschedule":
            data = {"reason": form.get("reason", "").strip(),
                    "starts_at": local_instant(form.get("date", ""), form.get("time", ""), "starts")}
            if form.get("end_time", "").strip():
                data["ends_at"] = local_instant(form.get("date", ""), form.get("end_time", ""), "ends")
        elif name == "retract":
            data = {"version": int(form.get("entry", "0") or 0), "reason": form.get("reason", "").strip()}
            kind = agenda_app.entry_kind(activity_id, data["version"])
            permission = f"retract_{kind}" if kind else (
                "retract_protocol" if may(g.user.role, "retract_protocol") else "retract_documentation")
        else:
            data = read(form)
        if not may(g.user.role, permission):
            abort(403)
        body = load(schema(), data, fields_map)
        getattr(agenda_app, command)(activity_id, expected_version=expected_version(form),
                                     idempotency=claim(form), **body)
    except FormErrors as e:
        return activity(activity_id, errors=e.errors, failed=name, status=422)
    except ValueError:
        return activity(activity_id, errors={"entry": _("Isian tidak sah.")}, failed=name, status=422)
    except StaleVersion:
        return activity(activity_id, failed=name, status=409, errors={"_form": _(
            "Kegiatan ini baru saja diubah oleh orang lain. Periksa keadaan terbaru di bawah, lalu kirim lagi.")})
    except ActivityNotFound:
        abort(404)
    except DomainError as e:
        status = 409 if type(e).__name__ in ("ActivityIsCancelled", "EntryNotRetractable", "ConcurrentWrite") else 422
        errors = domain_errors(e, fields_map)
        if type(e).__name__ == "ActivityIsCancelled":
            errors = {"_form": _("Kegiatan ini sudah dibatalkan: tidak bisa dicatat lagi.")}
        elif type(e).__name__ == "EntryNotRetractable":
            errors = {"entry": _("Catatan ini tidak ada atau sudah diralat.")}
        elif type(e).__name__ == "ConcurrentWrite":
            errors = {"_form": _("Kegiatan ini baru saja diubah oleh orang lain. Periksa keadaan terbaru di bawah, lalu kirim lagi.")}
        return activity(activity_id, errors=errors, failed=name, status=status)
    flash(_("Tercatat."))
    return redirect(url_for("web.activity", activity_id=activity_id), 303)


# The IKU dashboard -----------------------------------------------------------------------


@web.get("/dashboard")
@page()
def dashboard():
    period, as_of, leader, errors = read_filters()
    calculator = services().calculator
    answer = calculator.compute(period, as_of, leader)
    months = [(m, calculator.compute(m, answer.as_of, leader)) for m in period.months()]
    from ..iku.resources import figures_json
    from ..reports.resources import differs, report_state

    report = None if leader else report_state(services().agenda, period, answer.as_of)
    restated = report is not None and differs(report["indicators"], figures_json(answer.figures))
    return render_template(
        "dashboard.html", answer=answer, period=period, leader=leader, errors=errors,
        report=report, restated=restated,
        as_of=request.args.get("as_of", ""), leaders=LEADERS,
        trend=trend_chart(months), media=media_chart(answer),
        as_of_param=answer.as_of.isoformat())


@web.get("/dashboard/diff")
@page()
def diff():
    """What changed in a period's figures between two dates, highlighted."""
    from projections.diff import restatement

    period, until, leader, errors = read_filters()
    since = None
    text = (request.args.get("from") or "").strip()
    try:
        if len(text) == 10:
            since = end_of_local_day(date.fromisoformat(text), services().zone)
        else:  # an instant, e.g. a submitted report's as_of
            since = datetime.fromisoformat(text.replace(" ", "+"))
            if since.utcoffset() is None:
                raise ValueError
    except ValueError:
        since = None
        errors["from"] = _("Tanggal tidak sah.")
    if since is not None and until is not None and since > until:
        errors["from"] = _("Tidak boleh sesudah tanggal pembanding.")
    if errors:
        return render_template("diff.html", result=None, period=period, leader=leader, errors=errors,
                               since=text, until=request.args.get("as_of", ""), leaders=LEADERS), 422
    result = restatement(services().calculator, period, since, until, leader)
    return render_template("diff.html", result=result, period=period, leader=leader, errors={},
                           since=text, until=request.args.get("as_of", ""), leaders=LEADERS)


@web.post("/dashboard/report")
@page("submit_reports")
def report_action():
    """Submit the period's figures, or reopen its report with a reason."""
    from ..reports.resources import submit_period

    try:
        period = Period.parse(request.form.get("period", ""))
    except InvalidPeriod:
        abort(422)
    agenda = services().agenda
    try:
        if request.form.get("action") == "reopen":
            reason = request.form.get("reason", "").strip()
            if not reason:
                flash(_("Alasan wajib diisi untuk membuka kembali laporan."))
                return redirect(url_for("web.dashboard", period=period.label), 303)
            agenda.reopen_report(period=period.label, reason=reason)
            flash(_("Laporan dibuka kembali."))
        else:
            submit_period(services(), period)
            flash(_("Laporan periode ini disampaikan."))
    except DomainError:
        flash(_("Tidak bisa: laporan periode ini sudah disampaikan, atau belum disampaikan."))
    return redirect(url_for("web.dashboard", period=period.label), 303)


@web.get("/reports/lkjip-<int:year>.<any(xlsx, pdf):fmt>")
@page()
def lkjip_download(year: int, fmt: str):
    """The LKjIP table of a year as XLSX or PDF."""
    import tempfile
    from io import BytesIO
    from pathlib import Path

    from flask import send_file

    from ..reports.lkjip import lkjip, write_pdf, write_xlsx

    if not 2000 <= year <= 2100:
        abort(404)
    table = lkjip(services(), year)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"lkjip-{year}.{fmt}"
        (write_xlsx if fmt == "xlsx" else write_pdf)(table, path)
        data = path.read_bytes()
    mimetype = ("application/pdf" if fmt == "pdf"
                else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return send_file(BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=f"lkjip-{year}.{fmt}")


@web.get("/dashboard/activities")
@page()
def behind():
    """The activities behind one number of the dashboard."""
    try:
        period = Period.parse(request.args.get("period", ""))
        as_of = datetime.fromisoformat(request.args.get("as_of", "").replace(" ", "+"))
        if as_of.utcoffset() is None:
            raise ValueError
    except (InvalidPeriod, ValueError):
        abort(404)
    leader = request.args.get("leader") or None
    part = request.args.get("part", "denominator")
    if leader not in (None, *LEADERS) or part not in (
            "denominator", "served", "documented", "cancelled", *(f"media:{m}" for m in MEDIA)):
        abort(404)
    if part == "cancelled":
        answered_at, rows = services().calculator.activities(period, as_of, leader)
        items = [(listed(r), []) for r in rows if r["cancelled"]]
    else:
        from projections.explain import explain

        answered_at, explained = explain(services().calculator, part, period, as_of, leader)
        items = [({"activity_id": e.activity_id, "title": e.title, "starts_at": to_datetime(e.starts_at)},
                  e.placed_by if part == "denominator" else e.counted_by)
                 for e in explained if part == "denominator" or e.counted_by]
    return render_template("behind.html", items=items, period=period, leader=leader,
                           part=part, answered_at=answered_at)


# Audit ---------------------------------------------------------------------------------------


@web.get("/audit")
@page()
def audit():
    svc = services()
    verified = svc.verify() if request.args.get("verify") else None
    return render_audit(verified=verified, period=request.args.get("period") or default_period()[:4], errors={})


def render_audit(**context):
    """The Audit page: the latest checkpoint, who witnessed it, the log's keys."""
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
    import shutil
    import tempfile
    from pathlib import Path

    from flask import send_file

    from projections.audit.export import export_audit

    try:
        period = Period.parse(request.args.get("period", ""))
    except InvalidPeriod:
        return render_audit(verified=None, period=request.args.get("period", ""), errors={
            "period": _("Periode tidak dikenal. Contoh: 2021, 2021-S1, 2021-Q1, 2021-03.")}), 422
    if services().checkpoints.latest() is None:
        return render_audit(verified=None, period=period.label, errors={
            "period": _("Belum ada checkpoint: log masih kosong.")}), 409
    with tempfile.TemporaryDirectory() as folder:
        export_audit(services(), period, Path(folder) / "export")
        archive = shutil.make_archive(str(Path(folder) / "archive"), "zip", Path(folder) / "export")
        data = Path(archive).read_bytes()
    from io import BytesIO

    return send_file(BytesIO(data), mimetype="application/zip", as_attachment=True,
                     download_name=f"iku-audit-{period.label}.zip")


# Users ---------------------------------------------------------------------------------------


@web.route("/users", methods=["GET", "POST"])
@page("manage_users")
def users():
    errors, form, token = {}, request.form, None
    if request.method == "POST":
        name, role, password = form.get("name", "").strip(), form.get("role", ""), form.get("password", "")
        if role not in ROLES:
            errors["role"] = _("Pilihan tidak dikenal.")
        if len(password) < 10:
            errors["password"] = _("Kata sandi paling sedikit 10 karakter.")
        if not name or len(name) > 64 or not name.isprintable():
            errors["name"] = _("Nama 1–64 karakter.")
        if not errors:
            try:
                token = services().users.create(name, role)
                services().users.set_password(name, password)
            except UserExists:
                errors["name"] = _("Nama ini sudah dipakai.")
            else:
                flash(_("Pengguna dibuat."))
    status = 422 if errors else 200
    return render_template("users.html", users=services().users.all(), roles=ROLES, errors=errors,
                           form=form if errors else {}, token=token), status


def register_error_pages(app) -> None:
    """HTML error pages for the pages (the API keeps its JSON errors)."""
    from flask_wtf.csrf import CSRFError

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        if request.path.startswith("/api/"):
            return {"code": 400, "status": "Bad Request", "message": error.description}, 400
        if not session.get("user"):  # the session expired: log in, then come back
            return redirect(url_for("web.login", next=_referrer_path()))
        return render_template("error.html", code=400, message=_(
            "Formulir ini sudah kedaluwarsa. Muat ulang halaman lalu kirim lagi.")), 400


def _referrer_path() -> str:
    ref = request.referrer or ""
    parts = urlsplit(ref)
    if parts.netloc and parts.netloc != request.host:
        return url_for("web.agenda")
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


__all__ = ["web", "register_error_pages"]

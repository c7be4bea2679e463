"""The ucapan's pages (issue 14): what is due this week and what is overdue, phone first;
the request form; an ucapan's page with the forms that record its delivery, cancel it or
retract a delivery. Each form is read into the JSON API's schema and sent to the same
service-layer command as the API's."""
from __future__ import annotations

import re
from datetime import timedelta
from uuid import UUID

from flask import abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from domain import exceptions as d
from domain.model import LEADERS
from domain.store import SystemClock, to_datetime
from domain.ucapan import CHANNELS, KINDS, RELATIONS, UcapanNotFound, UcapanStateConflict
from projections.periods import Period, date_key

from ..http.activities.schemas import CancellationSchema, RetractionSchema
from ..http.ucapan.schemas import STATUSES, DeliverySchema, RequestSchema
from ..service_layer import ucapan as service
from ..service_layer.errors import status_of
from ..service_layer.permissions import may
from ..service_layer.queries import today
from ..service_layer.results import Page
from .activities import expected_version, form_key, read_cancel
from .common import PER_PAGE, page, page_asked, read_filters, services, web
from .forms import FormErrors, domain_errors, entry_version, lines, load, local_instant, stored_uploads

DELIVERY_FIELDS = {"delivered_at": "delivered_time"}
OVERDUE_YEARS = 9  # how far back the overdue list looks (a period spans ten years at most)


@web.get("/ucapan")
@page()
def ucapan_list():
    """Without filters: overdue, then due this week (Monday to Sunday, WIB). With them: the
    ucapan due in a period, of a status and leader, as known at a date — the dashboard's
    numbers link here; a filter that cannot be read is said beside it."""
    svc, args = services(), request.args
    day = today(svc)
    if not any(args.get(name) for name in ("period", "status", "leader", "as_of")):
        session.pop("ucapan", None)
        monday = day - timedelta(days=day.weekday())
        week = Period(f"{monday}..{monday + timedelta(days=6)}", monday, monday + timedelta(days=6))
        since = day.replace(year=day.year - OVERDUE_YEARS, day=min(day.day, 28) if day.month == 2 else day.day)
        behind = Period("overdue", since, day - timedelta(days=1))  # (29 February steps back to the 28th)
        overdue = service.ucapan_list(svc, g.user, behind, None, status="overdue", page=Page(1, PER_PAGE))
        this_week = service.ucapan_list(svc, g.user, week, overdue.as_of, page=Page(1, PER_PAGE))
        latest = svc.projector.view.latest_ucapan_date(date_key(day))  # a quiet week: where the last ones are
        return render_template("ucapan_list.html", overdue=overdue, listing=this_week, week=week,
                               today=day, status=None, period=None,
                               latest=None if latest is None else Period.parse(f"{latest // 10000}-{latest // 100 % 100:02d}"))
    period, as_of, leader, errors = read_filters()
    status = args.get("status") or None
    if status not in (None, *STATUSES):
        errors["status"], status = _("Pilihan tidak dikenal."), None
    listing = service.ucapan_list(svc, g.user, period, as_of, leader, status=status, page=page_asked())
    if not errors:  # the way back from an ucapan's page
        session["ucapan"] = request.query_string.decode("ascii", "replace")[:1000]
    return render_template("ucapan_list.html", overdue=None, listing=listing, week=None, today=day,
                           status=status, period=period, latest=None, errors=errors, leader=leader,
                           as_of=args.get("as_of", ""), leaders=LEADERS, statuses=STATUSES)


@web.route("/ucapan/baru", methods=["GET", "POST"])
@page("request_ucapan")
def ucapan_new():
    form, errors = request.form, {}
    if request.method == "POST":
        data = {"kind": form.get("kind", ""), "recipient": form.get("recipient", "").strip(),
                "relation": form.get("relation", ""), "occasion": form.get("occasion", "").strip(),
                "leaders": form.getlist("leaders"), "due_on": form.get("due_on", "").strip(),
                "notes": form.get("notes", "").strip() or None}
        try:
            written = service.request_ucapan(services(), g.user, key=form_key(form),
                                             **load(RequestSchema(), data))
        except FormErrors as e:
            errors = e.errors
        except d.DomainError as e:
            errors = domain_errors(e)
        else:
            flash(_("Ucapan dicatat."))
            return redirect(url_for("web.ucapan_page", ucapan_id=written.activity_id), 303)
    shown = form if request.method == "POST" else {"due_on": today(services()).isoformat()}  # a condolence: today
    return render_template("ucapan_new.html", form=shown, errors=errors, kinds=KINDS, relations=RELATIONS,
                           leaders=LEADERS), 422 if errors else 200


@web.get("/ucapan/<uuid:ucapan_id>")
@page()
def ucapan_page(ucapan_id: UUID, errors: dict | None = None, failed: str | None = None, status=200):
    try:
        state = service.ucapan(services(), g.user, ucapan_id, None)
    except UcapanNotFound:
        abort(404)
    history = service.ucapan_history(services(), g.user, ucapan_id)
    now = to_datetime(SystemClock().now()).astimezone(services().zone)
    prefilled = {"delivery": {"delivered_date": now.date().isoformat(), "delivered_time": now.strftime("%H:%M"),
                              "delivered_by": g.user.display_name}}  # who records it, most often
    return render_template(
        "ucapan.html", u=state, history=history, errors=errors or {}, failed=failed, channels=CHANNELS,
        kept=g.get("kept", []) if failed == "delivery" else [],
        form=request.form if failed else prefilled.get("delivery", {}), prefilled=prefilled,
        max_upload_mb=services().evidence.max_bytes // 2**20,
        live=[e for e in state.deliveries if not e["retracted"]],
        retracted_by={e.data["retracted_version"]: e for e in history if e.type == "DeliveryRetracted"}), status


def read_delivery(form) -> dict:
    """The delivery form, every field checked in one pass. Its photos are kept first, even
    when a field is refused: the page sends them back as already uploaded (`g.kept`), so
    the officer need not pick them again."""
    errors: dict = {}
    for field in ("delivered_date", "delivered_time"):
        if not form.get(field, "").strip():
            errors[field] = _("Wajib diisi.")
    delivered_at = ""
    if not errors:
        try:
            delivered_at = local_instant(form["delivered_date"], form["delivered_time"], "delivered")
        except FormErrors as e:
            errors.update(e.errors)
    kept = [h for h in form.getlist("evidence") if re.fullmatch(r"[0-9a-f]{64}", h)]
    g.kept = list(dict.fromkeys([*kept, *stored_uploads(lambda uploads: None)]))
    data = {"channel": form.get("channel", ""), "delivered_by": lines(form.get("delivered_by", "")),
            "delivered_at": delivered_at, "evidence": g.kept, "notes": form.get("notes", "").strip() or None}
    try:  # the other fields checked too while the time is wrong (a stand-in for it, never kept)
        body = load(DeliverySchema(), {**data, "delivered_at": delivered_at or "2000-01-01T00:00:00+07:00"},
                    DELIVERY_FIELDS)
    except FormErrors as e:
        errors = {**e.errors, **errors}
    if errors:
        if "delivered_by" in errors and not data["delivered_by"]:
            errors["delivered_by"] = _("Tulis paling sedikit satu nama.")
        if "channel" in errors and not data["channel"]:
            errors["channel"] = _("Wajib diisi.")
        raise FormErrors(errors)
    return body


def _retraction(form) -> dict:
    return {"version": entry_version(form), "reason": form.get("reason", "").strip()}


UCAPAN_FORMS = {
    # form name: (permission, reads the form into the command's values, command)
    "delivery": ("deliver_ucapan", read_delivery, service.deliver_ucapan),
    "cancel": ("cancel_ucapan", lambda f: load(CancellationSchema(), read_cancel(f)), service.cancel_ucapan),
    "retract": ("retract_delivery", lambda f: load(RetractionSchema(), _retraction(f)), service.retract_delivery),
}


def refusal(error: d.DomainError) -> dict[str, str]:
    if isinstance(error, (d.StaleVersion, d.ConcurrentWrite)):
        return {"_form": _("Ucapan ini baru saja diubah oleh orang lain. Periksa keadaan terbaru di bawah, lalu kirim lagi.")}
    if isinstance(error, UcapanStateConflict):
        if "delivered" in error.message:
            return {"_form": _("Ucapan ini sudah disampaikan: ralat penyampaiannya dulu.")}
        return {"_form": _("Ucapan ini sudah dibatalkan: tidak bisa dicatat lagi.")}
    if isinstance(error, d.EntryNotRetractable):
        return {"entry": _("Catatan ini tidak ada atau sudah diralat.")}
    return domain_errors(error, DELIVERY_FIELDS)


@web.post("/ucapan/<uuid:ucapan_id>/<any(delivery, cancel, retract):name>")
@page()
def ucapan_record(ucapan_id: UUID, name: str):
    permission, read, command = UCAPAN_FORMS[name]
    form = request.form
    if not may(g.user.role, permission):
        abort(403)
    try:
        body = read(form)
        done = command(services(), g.user, ucapan_id, expected_version=expected_version(form),
                       key=form_key(form), **body)
    except FormErrors as e:
        return ucapan_page(ucapan_id, errors=e.errors, failed=name, status=422)
    except ValueError:
        return ucapan_page(ucapan_id, errors={"entry": _("Isian tidak sah.")}, failed=name, status=422)
    except (UcapanNotFound, d.NotPermitted) as e:
        abort(status_of(e))
    except d.DomainError as e:
        return ucapan_page(ucapan_id, errors=refusal(e), failed=name, status=status_of(e))
    said = {"delivery": _("Penyampaian dicatat."), "cancel": _("Ucapan dibatalkan."),
            "retract": _("Penyampaian diralat.")}[name]
    flash(_("Sudah tercatat sebelumnya (versi %(v)s): tidak dicatat dua kali.", v=done.version)
          if done.already_recorded else said)
    return redirect(url_for("web.ucapan_page", ucapan_id=ucapan_id), 303)


@web.app_template_global()
def ucapan_list_url() -> str:
    """The list of ucapan as last filtered in this session (the way back from an ucapan)."""
    remembered = session.get("ucapan")
    return url_for("web.ucapan_list") + (f"?{remembered}" if remembered else "")

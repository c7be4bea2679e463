"""An activity's page, the schedule form and the forms that record facts about it. Each
form is read into the JSON API's schema (one set of rules) and sent to the same
service-layer command as the API's."""
from __future__ import annotations

import secrets
from datetime import datetime
from uuid import UUID

from flask import abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from domain import exceptions as d
from domain.model import LEADERS, MEDIA, SCOPES

from ..evidence import EvidenceError, far_from
from ..http.files import send
from ..http.activities.schemas import (
    CancellationSchema,
    DocumentationSchema,
    ProtocolSchema,
    RescheduleSchema,
    RetractionSchema,
    ScheduleSchema,
)
from ..service_layer import commands, queries
from ..service_layer.errors import status_of
from ..service_layer.permissions import may, retractable_kinds
from .common import page, services, web
from .forms import FormErrors, domain_errors, entry_version, lines, load, local_instant, officers, stored_uploads

INSTANT_FIELDS = {"starts_at": "starts_time", "ends_at": "ends_time"}


def form_key(form) -> str:
    """The form's one-time token as the Idempotency-Key: a double submit appends once."""
    return f"web:{form.get('form_token') or secrets.token_urlsafe(16)}"


def expected_version(form) -> int | None:
    """The version the form was made from (If-Match); a form without one is not checked,
    one that is not a version is refused (it would have silently skipped the check)."""
    text = form.get("version", "").strip()
    if not text:
        return None
    if not text.isascii() or not text.isdigit():
        raise FormErrors({"_form": _("Formulir ini rusak. Muat ulang halaman lalu kirim lagi.")})
    return int(text)


def read_times(form, errors: dict | None = None) -> dict:
    """starts_at (and ends_at, if an end time is given) from the form's date and times; the
    end on `end_date` when one is given (an activity over several days), which then needs
    its end time."""
    times = {}
    end_date = form.get("end_date", "").strip()
    if end_date and not form.get("end_time", "").strip() and not form.get("clear_end"):
        problem = {"ends_time": _("Isi jam selesai pada tanggal selesai.")}
        if errors is None:
            raise FormErrors(problem)
        errors.update(problem)
    for side, field in (("starts", "time"), ("ends", "end_time")):
        if side == "ends" and not form.get("end_time", "").strip():
            continue
        day = end_date if side == "ends" and end_date else form.get("date", "")
        try:
            times[f"{side}_at"] = local_instant(day, form.get(field, ""), side)
        except FormErrors as e:
            if errors is None:
                raise
            errors.update(e.errors)
    return times


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
            data.update(read_times(form, errors))
            try:
                details = load(ScheduleSchema(), data, INSTANT_FIELDS)
            except FormErrors as e:
                # A date or time that could not be read speaks for itself.
                for side in ("starts", "ends"):
                    if f"{side}_date" in errors or f"{side}_time" in errors:
                        e.errors.pop(f"{side}_time", None)
                errors = {**e.errors, **errors}
            if errors:
                raise FormErrors(errors)
            written = commands.schedule(services(), g.user, key=form_key(form), **details)
        except FormErrors as e:
            errors = e.errors
        except d.DomainError as e:
            errors = domain_errors(e, INSTANT_FIELDS)
        else:
            flash(_("Kegiatan dijadwalkan."))
            return redirect(url_for("web.activity", activity_id=written.activity_id), 303)
    status = 422 if errors else 200
    return render_template("schedule.html", form=form, errors=errors, leaders=LEADERS,
                           scopes=SCOPES), status


@web.get("/activities/<uuid:activity_id>")
@page()
def activity(activity_id: UUID, errors: dict | None = None, failed: str | None = None, status=200):
    try:
        state = queries.activity(services(), g.user, activity_id, None)
    except d.ActivityNotFound:
        abort(404)
    history = queries.history(services(), g.user, activity_id)
    return render_template("activity.html", a=state, history=history, errors=errors or {},
                           failed=failed, form=request.form if failed else {}, media=MEDIA,
                           prefilled={"reschedule": current_times(state),
                                      "documentation": {"media": session.get("last_media", "")}},
                           moved_from=moved_from(history),
                           max_upload_mb=services().evidence.max_bytes // 2**20,
                           far_from_activity=lambda at: far_from_activity(at, state),
                           late=after_its_time(history),
                           known=queries.known_officers(services(), g.user) if may(g.user.role, "record_protocol") else [],
                           retractable=retractable(state, history),
                           retracted_by={e.data["retracted_version"]: e for e in history if e.type == "EntryRetracted"}), status


def far_from_activity(captured_at: str, state) -> bool:
    """Whether a photo's capture time (as its event says it) is far from the activity's."""
    try:
        return far_from(datetime.fromisoformat(captured_at), state.starts_at, state.ends_at)
    except (TypeError, ValueError, OverflowError):
        return False


def retractable(state, history) -> list[tuple[str, dict, object]]:
    """The live entries this user's role may retract, each with the event that recorded
    it (what, who, when): (kind, entry, event), in the log's order."""
    recorded = {e.version: e for e in history}
    found = [(kind, entry, recorded[entry["version"]])
             for kind, entries in (("protocol", state.protocol), ("documentation", state.documentation))
             if may(g.user.role, f"retract_{kind}")
             for entry in entries if not entry["retracted"]]
    return sorted(found, key=lambda found: found[1]["version"])


def current_times(state) -> dict[str, str]:
    """The reschedule form starts from the activity's times (local), not from nothing."""
    zone = services().zone
    starts = state.starts_at.astimezone(zone)
    ends = state.ends_at.astimezone(zone) if state.ends_at else None
    return {"date": starts.date().isoformat(), "time": starts.strftime("%H:%M"),
            "end_date": ends.date().isoformat() if ends and ends.date() != starts.date() else "",
            "end_time": ends.strftime("%H:%M") if ends else "",
            "had_end": "1" if ends else ""}


def moved_from(history) -> dict[int, object]:
    """For each reschedule (by version), the start it moved the activity from."""
    moved, start = {}, None
    for e in history:
        if e.type in ("ActivityScheduled", "ActivityRescheduled"):
            if e.type == "ActivityRescheduled":
                moved[e.version] = start
            start = e.data["starts_at"]
    return moved


def after_its_time(history) -> set[int]:
    """The cancellations and reschedules recorded after the activity's time had passed
    (its start as known then): allowed, and flagged (docs/RULES.md)."""
    late, start = set(), None
    for e in history:
        if e.type in ("ActivityCancelled", "ActivityRescheduled") and start and e.recorded_at > start:
            late.add(e.version)
        if e.type in ("ActivityScheduled", "ActivityRescheduled"):
            start = e.data["starts_at"]
    return late


def read_cancel(form) -> dict:
    """A cancellation cannot be undone: the form says so, and asks to be sure (a missing
    reason is said at the same time)."""
    if not form.get("confirm"):
        errors = {"confirm": _("Centang untuk memastikan pembatalan.")}
        if not form.get("reason", "").strip():
            errors = {"reason": _("Wajib diisi."), **errors}
        raise FormErrors(errors)
    return {"reason": form.get("reason", "").strip()}


def read_reschedule(form) -> dict:
    """An emptied end time clears it only when said so ("tanpa jam selesai"): a form left
    as it was never erases it."""
    if form.get("had_end") and not form.get("end_time", "").strip() and not form.get("clear_end"):
        raise FormErrors({"ends_time": _("Isi jam selesai, atau centang “Tanpa jam selesai”.")})
    return {"reason": form.get("reason", "").strip(), **read_times(form)}


def read_documentation(form) -> dict:
    """The documentation form; its files are kept in the evidence store first."""
    def before_storing(uploads):
        if form.get("media") not in MEDIA:
            raise FormErrors({"media": _("Pilihan tidak dikenal.") if form.get("media") else _("Wajib diisi.")})
        if uploads and queries.activity(services(), g.user, request.view_args["activity_id"], None).cancelled:
            raise FormErrors({"_form": _("Kegiatan ini sudah dibatalkan: tidak bisa dicatat lagi.")})

    hashes = stored_uploads(before_storing)
    return {"media": form.get("media", ""),
            "evidence_uri": form.get("evidence_uri", "").strip() or None,
            "evidence_sha256": form.get("evidence_sha256", "").strip() or None,
            "notes": form.get("notes", "").strip() or None,
            "evidence": hashes, "documented_by": lines(form.get("documented_by", ""))}


FACT_FORMS = {
    # form name: (permission, schema, reads the form into the schema's fields, command)
    "protocol": ("record_protocol", ProtocolSchema,
                 lambda f: {"officers": officers(f), "notes": f.get("notes", "").strip() or None},
                 commands.record_protocol),
    "documentation": ("record_documentation", DocumentationSchema, read_documentation,
                      commands.record_documentation),
    "cancel": ("cancel", CancellationSchema, read_cancel, commands.cancel),
    "reschedule": ("reschedule", RescheduleSchema,
                   read_reschedule, commands.reschedule),
    # Who may retract which entry: the command decides, on the activity it appends to.
    "retract": (None, RetractionSchema,
                lambda f: {"version": entry_version(f), "reason": f.get("reason", "").strip()},
                commands.retract),
}

def refusal(error: d.DomainError) -> dict[str, str]:
    """What the form shows for a refused command, in the user's language."""
    if isinstance(error, (d.StaleVersion, d.ConcurrentWrite)):
        return {"_form": _("Kegiatan ini baru saja diubah oleh orang lain. Periksa keadaan terbaru di bawah, lalu kirim lagi.")}
    if isinstance(error, d.ActivityIsCancelled):
        return {"_form": _("Kegiatan ini sudah dibatalkan: tidak bisa dicatat lagi.")}
    if isinstance(error, d.EntryNotRetractable):
        return {"entry": _("Catatan ini tidak ada atau sudah diralat.")}
    return domain_errors(error, INSTANT_FIELDS)


@web.post("/activities/<uuid:activity_id>/<any(protocol, documentation, cancel, reschedule, retract):name>")
@page()
def record(activity_id: UUID, name: str):
    permission, schema, read, command = FACT_FORMS[name]
    form = request.form
    try:
        if permission is None:
            retractable_kinds(g.user)  # refused before the form is read, if it may retract nothing
        elif not may(g.user.role, permission):
            abort(403)
        body = load(schema(), read(form), INSTANT_FIELDS)
        done = command(services(), g.user, activity_id, expected_version=expected_version(form),
                       key=form_key(form), **body)
    except FormErrors as e:
        return activity(activity_id, errors=e.errors, failed=name, status=422)
    except ValueError:
        return activity(activity_id, errors={"entry": _("Isian tidak sah.")}, failed=name, status=422)
    except (d.ActivityNotFound, d.NotPermitted) as e:
        abort(status_of(e))
    except d.DomainError as e:
        return activity(activity_id, errors=refusal(e), failed=name, status=status_of(e))
    if name == "documentation":
        session["last_media"] = body["media"]  # offered first next time, never guessed
    flash(_("Sudah tercatat sebelumnya (versi %(v)s): tidak dicatat dua kali.", v=done.version)
          if done.already_recorded else _("Tercatat."))
    return redirect(url_for("web.activity", activity_id=activity_id), 303)


@web.get("/evidence/<sha256>")
@page()
def evidence(sha256: str):
    """A photo or video of the evidence store (or, with ?thumbnail=1, its thumbnail), for
    signed-in users only."""
    thumbnail = bool(request.args.get("thumbnail"))
    try:
        path, kind = queries.evidence_file(services(), g.user, sha256, thumbnail=thumbnail)
    except EvidenceError:
        abort(404)
    if path is None:
        abort(404)
    return send(path, kind, etag=sha256 + ("-t" if thumbnail else ""))

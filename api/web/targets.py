"""The targets of the Perjanjian Kinerja: read by everyone; set and changed, with a
reason, by the pimpinan (and the admin). Each setting is an event (TargetSet,
TargetChanged): its history is shown, and the diff names it as a cause of a capaian change."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from domain.exceptions import DomainError

from ..service_layer import commands, queries
from ..service_layer.permissions import may
from ..service_layer.queries import today
from .common import page, services, web
from .forms import domain_errors

NUMBER = re.compile(r"\d{1,3}([.,]\d{1,2})?")  # 92, 92,5, 92.50: as typed in Indonesia or not


def _year(text: str | None) -> int | None:
    """The year asked for (2000–2100); this year when none is; None when it is not one."""
    if not text:
        return today(services()).year
    return int(text) if text.isascii() and text.isdigit() and 2000 <= int(text) <= 2100 else None


@web.route("/targets", methods=["GET", "POST"])
@page()
def targets():
    svc = services()
    year = _year(request.values.get("year"))
    errors, form = {}, request.form
    if request.method == "POST" and not may(g.user.role, "set_targets"):  # authorisation before validation
        abort(403)
    if year is None:
        abort(404 if request.method == "GET" else 422)  # never another year's target than the one asked for
    if request.method == "POST":
        code = form.get("indicator", "")
        text = form.get("target", "").strip().replace(" ", "").rstrip("%")
        if not NUMBER.fullmatch(text):
            errors[f"{code}.target"] = _("Angka 0–100, mis. 92,5.") if text else _("Wajib diisi.")
        if not " ".join(form.get("reason", "").split()):
            errors[f"{code}.reason"] = _("Wajib diisi.")  # why a target is set, as why it changes
        if not errors:
            try:
                commands.set_target(svc, g.user, indicator=code, year=year,
                                    target=Decimal(text.replace(",", ".")), reason=form.get("reason"))
            except (DomainError, InvalidOperation) as e:
                errors = {f"{code}.{k}": v for k, v in (
                    domain_errors(e).items() if isinstance(e, DomainError) else {"target": _("Isian tidak sah.")}.items())}
                if f"{code}.target" in errors and "0 to 100" in str(e):
                    errors[f"{code}.target"] = _("Angka 0–100, mis. 92,5.")
            else:
                flash(_("Target %(code)s tahun %(year)s disimpan.", code=code, year=year))
                return redirect(url_for("web.targets", year=year), 303)
    current = {t.indicator: t.target for t in queries.targets(svc, g.user, year).targets}
    return render_template("targets.html", year=year, indicators=svc.calculator.indicators, current=current,
                           history=queries.target_history(svc, g.user, year), errors=errors,
                           form=form if errors else {}), 422 if errors else 200

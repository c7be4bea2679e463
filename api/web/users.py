"""The users page: who may do what (admin only)."""
from __future__ import annotations

from flask import flash, render_template, request
from flask_babel import gettext as _

from ..users import ROLES, UserExists
from .common import page, services, web


@web.route("/users", methods=["GET", "POST"])
@page("manage_users")
def users():
    errors, form, token = {}, request.form, None
    if request.method == "POST":
        name, role, password = form.get("name", "").strip(), form.get("role", ""), form.get("password", "")
        if role not in ROLES:  # no role is chosen for the admin: a new Admin is a choice
            errors["role"] = _("Pilihan tidak dikenal.") if role else _("Wajib diisi.")
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

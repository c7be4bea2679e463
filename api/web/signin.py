"""Signing in and out, and the choice of language."""
from __future__ import annotations

from flask import g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from ..users import LoginRefused
from .common import safe_next, services, web


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
            session["generation"] = services().users.generation(user.name)
            return redirect(safe_next(request.form.get("next")))
        return render_template("login.html", error=error, name=name,
                               next=request.form.get("next", "")), 401
    return render_template("login.html", error=None, name="", next=request.args.get("next", ""))


@web.post("/logout")
def logout():
    """Ends every session of the user, this one and any copy of it, and its token."""
    if g.get("user") is not None:
        services().users.end_sessions(g.user.name)
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

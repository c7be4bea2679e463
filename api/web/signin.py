"""Signing in and out, and the choice of language."""
from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from itsdangerous import BadData, URLSafeTimedSerializer

from ..users import LoginRefused
from .common import safe_next, services, web
from .i18n import LANGUAGE_COOKIE, LANGUAGES


@web.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        name = request.form.get("name", "").strip()
        device = _device_of(name)
        try:
            user = services().users.login(name, request.form.get("password", ""),
                                          address=request.remote_addr, device=device)
        except LoginRefused as refused:
            error = wait_message(refused.locked_for) if refused.locked_for else _(
                "Nama pengguna atau kata sandi salah.")
        else:
            session.clear()
            session.permanent = True
            session["user"] = user.name
            session["generation"] = services().users.generation(user.name)
            response = redirect(safe_next(request.form.get("next")))
            _remember_device(response, user.name, device[0] if device else None,
                             services().users.device_stamp(user.name))
            return response
        return render_template("login.html", error=error, name=name,
                               next=request.form.get("next", "")), 401
    return render_template("login.html", error=None, name="", next=request.args.get("next", ""))


def wait_message(seconds: int) -> str:
    if seconds < 60:
        return _("Terlalu banyak percobaan gagal. Coba lagi dalam %(s)s detik.", s=seconds)
    return _("Terlalu banyak percobaan gagal. Coba lagi dalam %(m)s menit.", m=-(-seconds // 60))


# A browser that has logged in as a user carries a signed device cookie: its failed logins
# for that user are counted apart, so nobody elsewhere can lock the user out of it
# (api/users/throttle.py, docs/RULES.md).
DEVICE_COOKIE = "iku_device"
DEVICE_LIFETIME = timedelta(days=365)


def _devices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="iku-device")


def _device_of(name: str) -> tuple[str, str] | None:
    """(device id, stamp) of this browser, if it has logged in as `name` before."""
    try:
        kept = _devices().loads(request.cookies.get(DEVICE_COOKIE, ""),
                                max_age=DEVICE_LIFETIME.total_seconds())
    except BadData:
        return None
    if not (isinstance(kept, dict) and kept.get("u") == name and isinstance(kept.get("d"), str)
            and isinstance(kept.get("p"), str)):
        return None
    return kept["d"], kept["p"]


def _remember_device(response, name: str, device: str | None, stamp: str) -> None:
    value = _devices().dumps({"u": name, "d": device or secrets.token_urlsafe(16), "p": stamp})
    response.set_cookie(DEVICE_COOKIE, value, max_age=DEVICE_LIFETIME, httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"], path="/login")


@web.post("/logout")
def logout():
    """Ends every session of the user, this one and any copy of it, and its token."""
    if g.get("user") is not None:
        services().users.end_sessions(g.user.name)
    session.clear()
    return redirect(url_for("web.login"))


@web.get("/lang/<code>")
def language(code):
    """The user's choice of language, remembered (a preference, not a secret)."""
    response = redirect(safe_next(request.args.get("next")))
    if code in LANGUAGES:
        session["lang"] = code
        response.set_cookie(LANGUAGE_COOKIE, code, max_age=365 * 24 * 3600, httponly=True, samesite="Lax",
                            secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response


@web.get("/")
def home():
    return redirect(url_for("web.agenda"))

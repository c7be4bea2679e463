"""The people: the users page and each user's page (admin), the access history (who could
do what, when: admin, pimpinan, Inspektorat), and "ubah kata sandi saya" (everyone)."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from domain.accounts import AccountStateConflict
from domain.exceptions import ConcurrentWrite, DomainError, NotPermitted

from ..service_layer import accounts
from ..service_layer.parsing import InvalidInstant, parse_as_of
from ..users import MIN_PASSWORD, ROLES, LastAdmin, LoginRefused, UnknownUser, UserExists, check_name
from .common import page, services, web
from .forms import domain_errors
from .signin import wait_message

PROFILE = ("full_name", "nip", "jabatan")


def _errors(error: DomainError) -> dict[str, str]:
    if isinstance(error, UserExists):
        return {"name": _("Nama ini sudah dipakai (huruf besar dan kecil tidak dibedakan).")}
    if isinstance(error, NotPermitted):
        return {"_form": _("Admin tidak dapat mengubah peran atau menonaktifkan akunnya sendiri; "
                           "admin lain yang melakukannya.")}
    if isinstance(error, AccountStateConflict):
        return {"_form": _("Tidak ada yang berubah: akun sudah dalam keadaan itu.")}
    if isinstance(error, LastAdmin):
        return {"_form": _("Ini admin aktif terakhir: jadikan pengguna lain admin lebih dahulu.")}
    if isinstance(error, ConcurrentWrite):
        return {"_form": _("Akun ini baru saja diubah orang lain; muat ulang halaman lalu coba lagi.")}
    return domain_errors(error)


@web.route("/users", methods=["GET", "POST"])
@page("manage_users")
def users():
    errors, form = {}, request.form
    if request.method == "POST":
        errors = _every_error(form)  # all at once, not one per round; the command checks again
    if request.method == "POST" and not errors:
        try:
            accounts.create_user(services(), g.user, name=form.get("name", ""), role=form.get("role", ""),
                                 password=form.get("password", ""), reason=form.get("reason"),
                                 **{f: form.get(f) for f in PROFILE})
        except DomainError as e:
            errors = _errors(e)
        else:
            flash(_("Pengguna %(name)s dibuat. Token API dibuat hanya bila diminta, di halaman pengguna.",
                    name=form.get("name", "").lower()))
            return redirect(url_for("web.users"))
    return render_template("users.html", users=accounts.users(services(), g.user), roles=ROLES,
                           errors=errors, form=form if errors else {}), 422 if errors else 200


def _every_error(form) -> dict[str, str]:
    """Each field of the new-user form checked on its own, so that every mistake shows at
    once (the command checks them all again)."""
    errors = {f: _("Wajib diisi.") for f in ("name", "role", "password") if not form.get(f)}
    if form.get("role") and form.get("role") not in ROLES:
        errors["role"] = _("Pilihan tidak dikenal.")
    if form.get("password") and len(form.get("password", "")) < MIN_PASSWORD:
        errors["password"] = _("Kata sandi paling sedikit 10 karakter.")
    checks = {"name": lambda: check_name(form.get("name", "")),
              "full_name": lambda: accounts.profile(form.get("full_name"), None, None),
              "nip": lambda: accounts.profile(None, form.get("nip"), None),
              "jabatan": lambda: accounts.profile(None, None, form.get("jabatan"))}
    for field, check in checks.items():
        if field in errors or (field == "name" and not form.get("name")):
            continue
        try:
            check()
        except DomainError as e:
            errors[field] = next(iter(domain_errors(e).values()))
    return errors


ACTIONS = ("role", "disable", "enable", "profile", "password", "token")


@web.route("/users/<name>", methods=["GET"])
@web.route("/users/<name>/<action>", methods=["POST"], endpoint="user_action")
@page("manage_users")
def user_page(name: str, action: str | None = None):
    svc = services()
    shown = accounts.user(svc, g.user, name)
    if shown is None or (action is not None and action not in ACTIONS):
        abort(404)
    errors, secret, form = {}, None, request.form
    if action is not None:
        reason = form.get("reason")
        try:
            if action == "role":
                accounts.change_role(svc, g.user, shown.name, role=form.get("role", ""), reason=reason)
                done = _("Peran diubah; sesi dan token pengguna ini berakhir.")
            elif action in ("disable", "enable"):
                accounts.set_disabled(svc, g.user, shown.name, disabled=action == "disable", reason=reason)
                done = (_("Akun dinonaktifkan; sesi dan token pengguna ini berakhir saat itu juga.")
                        if action == "disable" else _("Akun diaktifkan kembali."))
            elif action == "profile":
                accounts.change_profile(svc, g.user, shown.name, reason=reason, **{f: form.get(f) for f in PROFILE})
                done = _("Profil disimpan.")
            elif action == "password":
                secret = ("password", accounts.reset_password(svc, g.user, shown.name, reason=reason))
                done = _("Kata sandi baru dibuat; sesi dan token pengguna ini berakhir.")
            else:
                secret = ("token", accounts.issue_token(svc, g.user, shown.name, reason=reason))
                done = _("Token API baru dibuat; token lama tidak berlaku lagi.")
        except UnknownUser:
            abort(404)
        except DomainError as e:
            errors = {f"{action}.{k}": v for k, v in _errors(e).items()}
        else:
            flash(done)
            if secret:  # shown once, on the page the browser is sent to (a reload sends nothing again)
                session["secret"] = secret
            return redirect(url_for("web.user_page", name=shown.name), 303)
    if request.method == "GET":
        secret = session.pop("secret", None)
    return render_template("user.html", shown=shown, roles=ROLES, errors=errors, form=form if errors else {},
                           secret=secret, changes=accounts.account_history(svc, g.user, shown.name),
                           yourself=shown.name.lower() == g.user.name.lower()), 422 if errors else 200


@web.route("/access")
@page("read_access")
def access():
    errors, as_of = {}, None
    try:
        as_of = parse_as_of(request.args.get("as_of"), services().zone)
    except InvalidInstant:
        errors["as_of"] = _("Tanggal tidak sah.")
    answer = accounts.access_history(services(), g.user, as_of)
    return render_template("access.html", answer=answer, errors=errors,
                           as_of_text=request.args.get("as_of", "")), 422 if errors else 200


@web.route("/password", methods=["GET", "POST"])
@page("read")
def own_password():
    errors, form = {}, request.form
    if request.method == "POST":
        if form.get("new", "") != form.get("again", ""):
            errors["again"] = _("Kedua kata sandi baru tidak sama.")
        else:
            try:
                accounts.change_own_password(services(), g.user, current=form.get("current", ""),
                                             new=form.get("new", ""), address=request.remote_addr)
            except LoginRefused as refused:
                errors["current"] = wait_message(refused.locked_for) if refused.locked_for else _(
                    "Kata sandi saat ini salah.")
            except DomainError as e:
                errors = {"new" if k == "password" else k: v for k, v in domain_errors(e).items()}
            else:
                # Every session of the user ended; this one goes on with the new generation.
                session["generation"] = services().users.generation(g.user.name)
                flash(_("Kata sandi diubah. Sesi Anda di perangkat lain telah berakhir."))
                return redirect(url_for("web.own_password"))
    return render_template("password.html", errors=errors), 422 if errors else 200

"""Managing users from the server: roles, web passwords and API tokens. Every change goes
through the service layer as the operator (`system:cli`) and is recorded in the access
history with its reason (domain/accounts.py)."""
from __future__ import annotations

import secrets

import click

from domain.accounts import AccountStateConflict
from domain.exceptions import DomainError

from ..catalog import _
from ..service_layer import accounts
from ..users import ROLES, LastAdmin, UnknownUser, UserExists
from .base import OPERATOR, main, services


@main.group()
def users():
    """Manage users and their access."""


def _refused(error: DomainError):
    if isinstance(error, UnknownUser):
        return click.ClickException(_("Tidak ada pengguna dengan nama itu."))
    if isinstance(error, UserExists):
        return click.ClickException(_("Nama ini sudah dipakai (huruf besar dan kecil tidak dibedakan)."))
    if isinstance(error, LastAdmin):
        return click.ClickException(_("Ini admin aktif terakhir: jadikan pengguna lain admin lebih dahulu."))
    if isinstance(error, AccountStateConflict):
        return click.ClickException(_("Tidak ada yang berubah: akun sudah dalam keadaan itu."))
    return click.ClickException(f"{error.field + ': ' if error.field else ''}{error.message}")


REASON = click.option("--reason", required=True, help="Why (kept in the access history).")


@users.command("create")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--password", is_flag=False, flag_value="", default=None,
              help="A web password (at least 10 characters); given without a value, it is asked for.")
@click.option("--full-name", default="", help="Nama lengkap (reports and the LKjIP name the user so).")
@click.option("--nip", default="", help="NIP, 18 digits.")
@click.option("--jabatan", default="")
@click.option("--reason", default=None, help="Why (kept in the access history).")
@click.option("--token", is_flag=True, help="Also issue an API token, printed as the last line.")
@click.pass_context
def users_create(ctx, name, role, password, full_name, nip, jabatan, reason, token):
    """Create a user (names are lower-case); an API token only with --token."""
    if password == "":
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    svc = services(ctx)
    try:
        profile = accounts.profile(full_name, nip, jabatan)
        issued = svc.users.create(name, role, password=password, **profile, reason=reason, token=token,
                                  by=OPERATOR.name)
    except DomainError as e:
        raise _refused(e) from None
    click.echo(_("Pengguna %(n)s (%(r)s) dibuat, dengan kata sandi web.", n=name.lower(), r=role) if password
               else _("Pengguna %(n)s (%(r)s) dibuat.", n=name.lower(), r=role))
    if issued:
        click.echo(_("Token API (hanya ditampilkan sekali):"))
        click.echo(issued)


@users.command("password")
@click.argument("name")
@REASON
@click.password_option()
@click.pass_context
def users_password(ctx, name, reason, password):
    """Set a user's web password (asked for twice); their sessions and token end."""
    try:
        services(ctx).users.set_password(name, password, reason, by=OPERATOR.name)
    except DomainError as e:
        raise _refused(e) from None
    click.echo(_("Kata sandi %(n)s diatur; sesi dan tokennya berakhir.", n=name))


# The demo's people (fictional): reports and the LKjIP name them by these profiles.
DEMO_PROFILES = {
    "admin": ("Rudi Hartono, S.Kom", "", "Pranata Komputer"),
    "protokol": ("Ani Wulandari, S.Sos", "198903152014022001", "Kepala Sub Bagian Protokol"),
    "dokumentasi": ("Citra Dewi, S.I.Kom", "199101202015032002", "Kepala Sub Bagian Dokumentasi Pimpinan"),
    "pimpinan": ("Drs. Budi Santoso, M.Si", "197805122003121004", "Kepala Bagian Protokol dan Komunikasi Pimpinan"),
    "inspektorat": ("Dedi Kurniawan, S.E., M.Ak", "198207082008011003", "Auditor Ahli Muda, Inspektorat"),
}


@users.command("demo-logins")
@click.pass_context
def users_demo_logins(ctx):
    """On a demo database: a login per role, with fresh passwords, printed."""
    svc = services(ctx)
    if not svc.agenda.recorded_times_are_simulated:
        click.echo(_("Bukan basis data demo: buat login dengan `iku users create NAMA --role PERAN --password`."))
        return
    click.echo(_("Login demo (pengguna / kata sandi):"))
    for role in ROLES:
        password = secrets.token_urlsafe(9)
        full_name, nip, jabatan = DEMO_PROFILES[role]
        try:
            svc.users.create(role, role, password=password, full_name=full_name, nip=nip, jabatan=jabatan,
                             reason="login demo", token=False, by=OPERATOR.name)
        except UserExists:
            svc.users.set_password(role, password, "login demo baru", by=OPERATOR.name)
        click.echo(f"  {role:<12} {role} / {password}")


@users.command("token")
@click.argument("name")
@REASON
@click.pass_context
def users_token(ctx, name, reason):
    """Issue a new token for a user (the old one stops working)."""
    try:
        token = accounts.issue_token(services(ctx), OPERATOR, name, reason=reason)
    except DomainError as e:
        raise _refused(e) from None
    click.echo(_("Token baru untuk %(n)s (hanya ditampilkan sekali):", n=name))
    click.echo(token)


@users.command("list")
@click.pass_context
def users_list(ctx):
    """List users, roles and whether disabled."""
    for user in accounts.users(services(ctx), OPERATOR):
        click.echo("\t".join((user.name, user.role, _("nonaktif") if user.disabled else _("aktif"), user.full_name)))


@users.command("history")
@click.pass_context
def users_history(ctx):
    """Every recorded change of access, latest first (as the access history page)."""
    for change in accounts.access_history(services(ctx), OPERATOR).changes:
        click.echo("\t".join((change.recorded_at.isoformat(), change.name, change.type, change.role or "",
                              change.actor, change.reason or "")))


@users.command("ensure-admin")
@click.option("--name", default="admin", show_default=True)
@click.pass_context
def users_ensure_admin(ctx, name):
    """Create the admin user if missing, else issue it a fresh token; print the token."""
    svc = services(ctx)
    try:
        token = svc.users.create(name, "admin", reason="admin untuk operator", by=OPERATOR.name)
    except UserExists:
        token = svc.users.new_token(name, "token admin baru untuk operator", by=OPERATOR.name)
    click.echo(_("Token API admin %(n)s (Authorization: Bearer …):", n=name))
    click.echo(token)


def _change(change, done: str) -> None:
    """Apply a change to a user (its sessions and token end) and say so, or why not."""
    try:
        change()
    except DomainError as e:
        raise _refused(e) from None
    click.echo(done)


@users.command("role")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
@REASON
@click.pass_context
def users_role(ctx, name, role, reason):
    """Change a user's role; every session and the token of the user end."""
    _change(lambda: accounts.change_role(services(ctx), OPERATOR, name, role=role, reason=reason),
            _("Peran %(n)s kini %(r)s; sesi dan tokennya berakhir (token baru: iku users token %(n)s).",
              n=name, r=role))


@users.command("disable")
@click.argument("name")
@REASON
@click.pass_context
def users_disable(ctx, name, reason):
    """Disable a user: no login, no token, every session ends."""
    _change(lambda: accounts.set_disabled(services(ctx), OPERATOR, name, disabled=True, reason=reason),
            _("%(n)s dinonaktifkan; sesi dan tokennya berakhir.", n=name))


@users.command("enable")
@click.argument("name")
@REASON
@click.pass_context
def users_enable(ctx, name, reason):
    """Enable a disabled user (they log in again; a token: iku users token NAME)."""
    _change(lambda: accounts.set_disabled(services(ctx), OPERATOR, name, disabled=False, reason=reason),
            _("%(n)s diaktifkan kembali.", n=name))

"""Managing users from the server: roles, web passwords and API tokens. Every change goes
through the service layer as the operator (`system:cli`) and is recorded in the access
history with its reason (domain/accounts.py)."""
from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import click

from domain.accounts import AccountStateConflict
from domain.exceptions import DomainError

from ..catalog import _, _l
from ..service_layer import accounts
from ..users import ROLES, LastAdmin, UnknownUser, UserExists
from .base import OPERATOR, main, option, services


@main.group(help=_l("Kelola pengguna dan aksesnya."))
def users():
    pass  # a group: its commands follow


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


REASON = option("--reason", required=True, help=_l("Alasannya (disimpan dalam riwayat akses)."))


@users.command("create", help=_l("Buat pengguna (nama dalam huruf kecil); token API hanya dengan --token."))
@click.argument("name")
@option("--role", required=True, type=click.Choice(ROLES))
@option("--password", is_flag=False, flag_value="", default=None,
        help=_l("Kata sandi web (paling sedikit 10 karakter); bila diberikan tanpa nilai, akan "
                "ditanyakan."))
@option("--full-name", default="", help=_l("Nama lengkap (laporan dan LKjIP menyebut pengguna dengan nama ini)."))
@option("--nip", default="", help=_l("NIP, 18 angka."))
@option("--jabatan", default="")
@option("--reason", default=None, help=_l("Alasannya (disimpan dalam riwayat akses)."))
@option("--token", is_flag=True, help=_l("Terbitkan juga token API, dicetak pada baris terakhir."))
@click.pass_context
def users_create(ctx, name, role, password, full_name, nip, jabatan, reason, token):
    if password == "":
        password = click.prompt(_("Kata sandi"), hide_input=True, confirmation_prompt=True)
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


@users.command("password", help=_l(
    "Tetapkan kata sandi web pengguna (ditanyakan dua kali); sesi dan tokennya "
    "berakhir."))
@click.argument("name")
@REASON
@click.password_option(prompt=_l("Kata sandi"))
@click.pass_context
def users_password(ctx, name, reason, password):
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


@users.command("demo-logins", help=_l(
    "Pada basis data demo: satu akun per peran dengan kata sandinya, dicetak (dibuat sekali, disimpan "
    "di folder kunci)."))
@click.pass_context
def users_demo_logins(ctx):
    svc = services(ctx)
    if not svc.agenda.recorded_times_are_simulated:
        click.echo(_("Bukan basis data demo: buat login dengan `iku users create NAMA --role PERAN --password`."))
        return
    # Made once and kept beside the log's key (0600): a second `make run` prints the same
    # logins and changes nothing, so the admin's token it printed keeps working.
    kept = demo_logins_file(svc.config.signing_key)
    passwords = read_demo_logins(kept)
    click.echo(_("Login demo (pengguna / kata sandi):"))
    for role in ROLES:
        password = passwords.get(role)
        if password is None or not svc.users.has_password(role, password):
            password = passwords[role] = secrets.token_urlsafe(9)
            full_name, nip, jabatan = DEMO_PROFILES[role]
            try:
                svc.users.create(role, role, password=password, full_name=full_name, nip=nip, jabatan=jabatan,
                                 reason="login demo", token=False, by=OPERATOR.name)
            except UserExists:
                svc.users.set_password(role, password, "login demo baru", by=OPERATOR.name)
            write_demo_logins(kept, passwords)
        click.echo(f"  {role:<12} {role} / {password}")


def demo_logins_file(signing_key: Path) -> Path:
    return Path(signing_key).with_name("demo-logins.json")


def read_demo_logins(path: Path) -> dict[str, str]:
    try:
        found = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in found.items() if isinstance(k, str) and isinstance(v, str)} if isinstance(found, dict) else {}


def write_demo_logins(path: Path, passwords: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as f:
        json.dump(passwords, f)


@users.command("token", help=_l("Terbitkan token baru untuk pengguna (token lama tidak berlaku lagi)."))
@click.argument("name")
@REASON
@click.pass_context
def users_token(ctx, name, reason):
    try:
        token = accounts.issue_token(services(ctx), OPERATOR, name, reason=reason)
    except DomainError as e:
        raise _refused(e) from None
    click.echo(_("Token baru untuk %(n)s (hanya ditampilkan sekali):", n=name))
    click.echo(token)


@users.command("list", help=_l("Daftar pengguna, peran dan status nonaktif."))
@click.pass_context
def users_list(ctx):
    for user in accounts.users(services(ctx), OPERATOR):
        click.echo("\t".join((user.name, user.role, _("nonaktif") if user.disabled else _("aktif"), user.full_name)))


@users.command("history", help=_l(
    "Setiap perubahan akses yang tercatat, terbaru lebih dulu (seperti halaman "
    "riwayat akses)."))
@click.pass_context
def users_history(ctx):
    for change in accounts.access_history(services(ctx), OPERATOR).changes:
        click.echo("\t".join((change.recorded_at.isoformat(), change.name, change.type, change.role or "",
                              change.actor, change.reason or "")))


@users.command("ensure-admin", help=_l(
    "Buat pengguna admin bila belum ada, atau terbitkan token baru untuknya; cetak "
    "tokennya."))
@option("--name", default="admin", show_default=True)
@click.pass_context
def users_ensure_admin(ctx, name):
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


@users.command("role", help=_l("Ubah peran pengguna; setiap sesi dan token pengguna itu berakhir."))
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
@REASON
@click.pass_context
def users_role(ctx, name, role, reason):
    _change(lambda: accounts.change_role(services(ctx), OPERATOR, name, role=role, reason=reason),
            _("Peran %(n)s kini %(r)s; sesi dan tokennya berakhir (token baru: iku users token %(n)s).",
              n=name, r=role))


@users.command("disable", help=_l("Nonaktifkan pengguna: tidak bisa masuk, tanpa token, setiap sesi berakhir."))
@click.argument("name")
@REASON
@click.pass_context
def users_disable(ctx, name, reason):
    _change(lambda: accounts.set_disabled(services(ctx), OPERATOR, name, disabled=True, reason=reason),
            _("%(n)s dinonaktifkan; sesi dan tokennya berakhir.", n=name))


@users.command("enable", help=_l(
    "Aktifkan kembali pengguna yang nonaktif (ia bisa masuk lagi; token: iku users "
    "token NAMA)."))
@click.argument("name")
@REASON
@click.pass_context
def users_enable(ctx, name, reason):
    _change(lambda: accounts.set_disabled(services(ctx), OPERATOR, name, disabled=False, reason=reason),
            _("%(n)s diaktifkan kembali.", n=name))

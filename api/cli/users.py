"""Managing users: roles, web passwords and API tokens."""
from __future__ import annotations

import secrets

import click

from ..users import MIN_PASSWORD, ROLES, UserExists
from .base import main, services


@main.group()
def users():
    """Manage API users."""


@users.command("create")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--password", is_flag=False, flag_value="", default=None,
              help="A web password (at least 10 characters); given without a value, it is asked for.")
@click.pass_context
def users_create(ctx, name, role, password):
    """Create a user; the new API token is printed as the last line."""
    if password == "":
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if password is not None and len(password) < MIN_PASSWORD:
        raise click.ClickException(f"a password has at least {MIN_PASSWORD} characters")
    svc = services(ctx)
    try:
        token = svc.users.create(name, role)
    except (UserExists, ValueError) as e:
        raise click.ClickException(str(e)) from None
    if password is not None:
        svc.users.set_password(name, password)
    click.echo(f"Created {role} user {name!r}{' with a web password' if password else ''}. "
               "API token (shown once):")
    click.echo(token)


@users.command("password")
@click.argument("name")
@click.password_option()
@click.pass_context
def users_password(ctx, name, password):
    """Set a user's web password (asked for twice)."""
    try:
        services(ctx).users.set_password(name, password)
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"Password of {name!r} set.")


@users.command("demo-logins")
@click.pass_context
def users_demo_logins(ctx):
    """On a demo database: a login per role, with fresh passwords, printed."""
    svc = services(ctx)
    if not svc.agenda.recorded_times_are_simulated:
        click.echo("Not a demo database: create logins with `iku users create NAME --role ROLE --password`.")
        return
    click.echo("Demo logins (user / password):")
    for role in ROLES:
        password = secrets.token_urlsafe(9)
        try:
            svc.users.create(role, role)
        except UserExists:
            pass
        svc.users.set_password(role, password)
        click.echo(f"  {role:<12} {role} / {password}")


@users.command("token")
@click.argument("name")
@click.pass_context
def users_token(ctx, name):
    """Issue a new token for a user (the old one stops working)."""
    token = services(ctx).users.new_token(name)
    if token is None:
        raise click.ClickException(f"no user {name!r}")
    click.echo(f"New token for {name!r} (shown once):")
    click.echo(token)


@users.command("list")
@click.pass_context
def users_list(ctx):
    """List users and roles."""
    for user in services(ctx).users.all():
        click.echo(f"{user.name}\t{user.role}")


@users.command("ensure-admin")
@click.option("--name", default="admin", show_default=True)
@click.pass_context
def users_ensure_admin(ctx, name):
    """Create the admin user if missing, else issue it a fresh token; print the token."""
    svc = services(ctx)
    try:
        token = svc.users.create(name, "admin")
    except UserExists:
        token = svc.users.new_token(name)
    click.echo(f"Admin API token for {name!r} (Authorization: Bearer …):")
    click.echo(token)


def _change(ctx, change, done: str) -> None:
    """Apply a change to a user (its sessions and token end) and say so, or why not."""
    try:
        change(services(ctx).users)
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    click.echo(done)


@users.command("role")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
@click.pass_context
def users_role(ctx, name, role):
    """Change a user's role; every session and the token of the user end."""
    _change(ctx, lambda u: u.set_role(name, role),
            f"{name!r} is now {role}; their sessions and token ended (a new token: iku users token {name}).")


@users.command("disable")
@click.argument("name")
@click.pass_context
def users_disable(ctx, name):
    """Disable a user: no login, no token, every session ends."""
    _change(ctx, lambda u: u.set_disabled(name, True), f"{name!r} is disabled; their sessions and token ended.")


@users.command("enable")
@click.argument("name")
@click.pass_context
def users_enable(ctx, name):
    """Enable a disabled user (they log in again; a token: iku users token NAME)."""
    _change(ctx, lambda u: u.set_disabled(name, False), f"{name!r} is enabled.")

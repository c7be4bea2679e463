"""Backing up and restoring the database."""
from __future__ import annotations

import click

from domain.store.stores import BackupError, backup, restore

from ..config import Config
from .base import main, services


@main.command("backup")
@click.argument("file", type=click.Path(dir_okay=False))
def backup_command(file):
    """Back up the whole database, online (SQLite backup API, or pg_dump)."""
    try:
        backup(Config.from_environment().database, file)
    except BackupError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"Backed up to {file}.")


@main.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace a database that already has events.")
@click.pass_context
def restore_command(ctx, file, force):
    """Restore a backup into the configured database, then verify the hash chain."""
    try:
        restore(file, Config.from_environment().database, force=force)
    except BackupError as e:
        raise click.ClickException(str(e)) from None
    result = services(ctx).verify()
    if not result.ok:
        raise click.ClickException(f"restored, but verification fails at {result.first_bad_position}: {result.reason}")
    click.echo(f"Restored {file}: {result.checked} events verified, tree size {result.head_position}.")



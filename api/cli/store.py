"""Backing up and restoring the database and the evidence store."""
from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import click

from domain.store.stores import BackupError, backup, restore

from ..config import Config, evidence_folder
from ..evidence import EvidenceStore
from .base import main, services


@main.command("backup")
@click.argument("file", type=click.Path(dir_okay=False))
def backup_command(file):
    """Back up the whole database, online (SQLite backup API, or pg_dump), and the
    evidence store's files into FILE.evidence/ beside it (after the database: every file
    the backed-up log names is there)."""
    config = Config.from_environment()
    try:
        backup(config.database, file)
    except BackupError as e:
        raise click.ClickException(str(e)) from None
    copied, bad = evidence_store(config).copy_to(evidence_backup(file))
    for sha256 in bad:
        click.echo(f"warning: the evidence file {sha256} does not have the bytes its name says: not copied", err=True)
    click.echo(f"Backed up to {file}, and {copied} evidence files to {evidence_backup(file)}.")


def evidence_store(config: Config) -> EvidenceStore:
    return EvidenceStore(evidence_folder(config), ZoneInfo(config.timezone), config.evidence_max_bytes)


def evidence_backup(file: str) -> Path:
    return Path(f"{file}.evidence")


@main.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace a database that already has events.")
@click.pass_context
def restore_command(ctx, file, force):
    """Restore a backup into the configured database (and FILE.evidence/ into the evidence
    store), then verify the hash chain."""
    config = Config.from_environment()
    try:
        restore(file, config.database, force=force)
    except BackupError as e:
        raise click.ClickException(str(e)) from None
    if evidence_backup(file).is_dir():
        _, bad = EvidenceStore(evidence_backup(file), ZoneInfo(config.timezone), 0).copy_to(evidence_folder(config))
        for sha256 in bad:
            click.echo(f"warning: the backed-up evidence file {sha256} does not have the bytes its name "
                       "says: not restored", err=True)
    result = services(ctx).verify()
    if not result.ok:
        raise click.ClickException(f"restored, but verification fails at {result.first_bad_position}: {result.reason}")
    click.echo(f"Restored {file}: {result.checked} events verified, tree size {result.head_position}.")



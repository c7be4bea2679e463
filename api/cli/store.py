"""Backing up and restoring the database and the evidence store."""
from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import click

from domain.store.stores import BackupError, backup, restore

from ..catalog import _, _l
from ..config import Config, evidence_folder
from ..evidence import EvidenceStore
from .base import DATABASE_ERRORS, database_refused, main, option, os_refused, services


@main.command("backup", help=_l(
    "Cadangkan seluruh basis data secara daring (API backup SQLite, atau pg_dump), "
    "dan berkas-berkas penyimpanan bukti ke BERKAS.evidence/ di sebelahnya (sesudah "
    "basis data: setiap berkas yang disebut log yang dicadangkan ada di sana)."))
@click.argument("file", type=click.Path(dir_okay=False))
def backup_command(file):
    config = Config.from_environment()
    try:
        backup(config.database, file)
        copied, bad = evidence_store(config).copy_to(evidence_backup(file))
    except BackupError as e:
        raise click.ClickException(str(e)) from None
    except DATABASE_ERRORS as e:  # e.g. IKU_DATABASE names a file that is no SQLite database
        raise database_refused(config.database, e) from None
    except OSError as e:
        raise os_refused(e) from None
    for sha256 in bad:
        click.echo(_("peringatan: isi berkas bukti %(h)s tidak sesuai dengan namanya: tidak disalin", h=sha256),
                   err=True)
    click.echo(_("Dicadangkan ke %(f)s, dan %(n)s berkas bukti ke %(d)s.", f=file, n=copied, d=evidence_backup(file)))


def evidence_store(config: Config) -> EvidenceStore:
    return EvidenceStore(evidence_folder(config), ZoneInfo(config.timezone), config.evidence_max_bytes)


def evidence_backup(file: str) -> Path:
    return Path(f"{file}.evidence")


@main.command("restore", help=_l(
    "Pulihkan cadangan ke basis data yang dikonfigurasi (dan BERKAS.evidence/ ke "
    "penyimpanan bukti), lalu periksa rantai hash."))
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@option("--force", is_flag=True, help=_l("Ganti basis data yang sudah berisi peristiwa."))
@click.pass_context
def restore_command(ctx, file, force):
    config = Config.from_environment()
    bad = []
    try:
        restore(file, config.database, force=force)
        if evidence_backup(file).is_dir():
            _restored, bad = EvidenceStore(evidence_backup(file), ZoneInfo(config.timezone), 0).copy_to(
                evidence_folder(config))
    except BackupError as e:
        raise click.ClickException(str(e)) from None
    except DATABASE_ERRORS as e:
        raise restore_refused(file, config.database, e) from None
    except OSError as e:
        raise os_refused(e) from None
    for sha256 in bad:
        click.echo(_("peringatan: isi berkas bukti cadangan %(h)s tidak sesuai dengan namanya: tidak "
                     "dipulihkan", h=sha256), err=True)
    result = services(ctx).verify()
    if not result.ok:
        raise click.ClickException(_("dipulihkan, tetapi pemeriksaan gagal pada posisi %(p)s: %(r)s",
                                     p=result.first_bad_position, r=result.reason))
    click.echo(_("%(f)s dipulihkan: %(n)s peristiwa diperiksa, ukuran pohon %(s)s.", f=file, n=result.checked,
                 s=result.head_position))


SQLITE_HEADER = b"SQLite format 3\x00"  # the first bytes of every SQLite database file


def restore_refused(file: str, database: str, error: Exception) -> click.ClickException:
    """A backup SQLite cannot read is named as such (a random file, a text file, a dump of
    PostgreSQL's); any other failure of the database as when it cannot be opened."""
    if getattr(error, "sqlite_errorname", None) == "SQLITE_NOTADB":
        with open(file, "rb") as f:
            if f.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                return click.ClickException(_("%(file)s bukan cadangan basis data SQLite (dibuat dengan iku backup): "
                                              "tidak ada yang dipulihkan", file=file))
    return database_refused(database, error)

"""The `iku` group, how a command gets the services, and the CLI's parsing of periods and
instants (the service layer's parser)."""
from __future__ import annotations

import errno
import functools
import json
import sqlite3
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import click
import psycopg
from eventsourcing.persistence import PersistenceError

from domain.exceptions import StoreNotWritable, ZoneMismatch
from inspector.note import NoteError
from projections.periods import DEFAULT_TIMEZONE, InvalidPeriod

from .. import create_app
from ..bootstrap import Services
from ..config import Config
from ..service_layer.parsing import InvalidInstant
from ..service_layer.parsing import parse_as_of as parse_instant_or_date
from ..service_layer.parsing import parse_period as parse_words
from ..http.iku.schemas import IKUSchema
from .. import catalog
from ..catalog import _, _l
from ..documents import formats
from ..service_layer import queries
from ..users import User

# Who acts when the CLI records: an operator at the server, with the admin's permissions.
OPERATOR = User(name="system:cli", role="admin")


class Option(click.Option):
    """An option whose help is translated when it is shown: click fixes an option's help
    when the option is defined (at import), before the language is chosen."""

    def __init__(self, *args, help=None, **kwargs):
        super().__init__(*args, help=help, **kwargs)
        self.lazy_help = help

    def get_help_record(self, ctx):
        if self.lazy_help is not None:
            self.help = str(self.lazy_help)
        return super().get_help_record(ctx)


option = functools.partial(click.option, cls=Option)


def services(ctx: click.Context) -> Services:
    """The services of the app that `create_app` builds from the environment's
    configuration: the CLI is built on the same assembly as the HTTP entrypoints."""
    obj = ctx.ensure_object(dict)
    if "services" not in obj:
        config = Config.from_environment()
        zone_of(config)
        try:
            obj["services"] = create_app(config).extensions["iku"]
        except (StoreNotWritable, ZoneMismatch, NoteError) as e:  # NoteError: the signing key refused
            raise click.ClickException(str(e)) from None
        except DATABASE_ERRORS as e:
            raise database_refused(config.database, e) from None
        except OSError as e:  # e.g. the signing key or the evidence folder
            raise os_refused(e) from None
        ctx.call_on_close(obj["services"].close)
        if obj["services"].agenda.recorded_times_are_simulated:
            click.echo(_("Catatan: waktu pencatatan di basis data ini DISIMULASIKAN (data demo)."), err=True)
    return obj["services"]


# What the drivers raise when a database cannot be opened or read: a file that is no SQLite
# database, a PostgreSQL that does not answer (domain/store lets them through).
DATABASE_ERRORS = (sqlite3.DatabaseError, psycopg.Error, PersistenceError)


def shown(database: str) -> str:
    """A database's name as said to the operator: a PostgreSQL URL without its password."""
    url = urlsplit(database)
    if url.password is None:
        return database
    return urlunsplit(url._replace(netloc=url.netloc.replace(f":{url.password}@", ":***@", 1)))


def database_refused(database: str, error: Exception) -> click.ClickException:
    cause = error if getattr(error, "sqlite_errorname", None) else error.__cause__
    if getattr(cause, "sqlite_errorname", None) == "SQLITE_NOTADB":
        reason = _("berkas itu bukan basis data SQLite")
    else:
        reason = str(error).strip() or type(error).__name__
    return click.ClickException(_("basis data %(db)s tidak dapat dibuka: %(reason)s", db=shown(database),
                                  reason=reason))


def os_reason(error: OSError) -> str:
    """Why a file could not be read or written, in the catalog's language."""
    return {
        errno.ENOENT: _("berkas atau folder itu tidak ada"),
        errno.ENOTDIR: _("bagian jalurnya bukan folder"),
        errno.EISDIR: _("itu sebuah folder, bukan berkas"),
        errno.EEXIST: _("sudah ada berkas atau folder bernama itu"),
        errno.EACCES: _("izin ditolak"),
        errno.EPERM: _("izin ditolak"),
        errno.ENOSPC: _("disk penuh"),
        errno.EROFS: _("sistem berkasnya hanya-baca"),
    }.get(error.errno, error.strerror or str(error))


def os_refused(error: OSError, path=None) -> click.ClickException:
    """A file or folder that could not be read or written, named with the reason."""
    return click.ClickException(_("%(path)s: %(reason)s", path=error.filename or path, reason=os_reason(error)))


def new_output(path: str | Path) -> None:
    """An output (a file or a folder) is made in a folder that exists: refused otherwise,
    as a backup is, rather than a tree of folders made from a mistyped name."""
    parent = Path(path).parent
    if not parent.is_dir():
        raise click.ClickException(_("folder %(folder)s tidak ada (atau bukan folder): buat dahulu, atau pilih "
                                     "tempat lain untuk %(path)s", folder=parent, path=path))


def zone_of(config: Config) -> ZoneInfo:
    try:
        return ZoneInfo(config.timezone)
    except (ValueError, KeyError):  # KeyError: ZoneInfoNotFoundError
        raise click.ClickException(_("IKU_TIMEZONE: zona waktu %(zone)r tidak dikenal (misalnya Asia/Jakarta)",
                                     zone=config.timezone)) from None


def parse_period(ctx, param, value):
    if value is None:
        return None
    try:
        zone = ZoneInfo(Config.from_environment().timezone)
    except (ValueError, KeyError):  # a wrong setting is reported by the command itself
        zone = ZoneInfo(DEFAULT_TIMEZONE)
    today = datetime.now(zone).date()
    try:  # as the pages read it: 2021-Q1, "Triwulan I 2021", "Maret 2021", 30/11/2026 …
        return parse_words(value, today)
    except InvalidPeriod:
        raise click.BadParameter(_("periode %(v)r tidak dikenal. Contoh: 2021, Triwulan I 2021, Semester I 2021, "
                                   "Maret 2021, 2021-Q1, 30/11/2026, 1/12/2026 s.d. 7/12/2026.", v=value)) from None


def parse_as_of(value: str | None, zone):
    try:
        return parse_instant_or_date(value, zone)
    except InvalidInstant as e:
        hint = (_("beri offset zona waktu (misalnya +07:00)") if e.naive
                else _("instan RFC 3339 dengan offset, atau tanggal (dd/mm/yyyy)"))
        raise click.BadParameter(hint, param_hint="--as-of") from None

class Iku(click.Group):
    """The `iku` group: the language is chosen (IKU_LANGUAGE) before anything is parsed,
    so that --help and click's own errors speak it too."""

    def main(self, *args, **kwargs):
        try:
            catalog.choose(Config.from_environment().language)
        except ValueError:  # a wrong setting: Indonesian, and the command says what is wrong
            catalog.choose("id")
        return super().main(*args, **kwargs)


@click.group(cls=Iku, invoke_without_command=True, help=_l(
    "Layanan audit IKU Bagian Protokol dan Komunikasi Pimpinan, Kabupaten "
    "Jember.\n\nDengan --period, cetak IKU-1 dan IKU-2 periode itu sebagaimana "
    "diketahui pada --as-of (bawaan: sekarang). Pesan dalam Bahasa Indonesia; "
    "IKU_LANGUAGE=en untuk bahasa Inggris."))
@option("--period", callback=parse_period, help=_l("Hitung IKU: 2021, 2021-S1, 2021-Q1, 2021-03, A..B (atau \"Triwulan I 2021\")."))
@option("--as-of", "as_of", help=_l("Data per instan ini (atau akhir tanggal ini)."))
@option("--leader", type=click.Choice(["bupati", "wakil_bupati"]))
@option("--json", "as_json", is_flag=True, help=_l("Cetak jawaban JSON API."))
@click.pass_context
def main(ctx, period, as_of, leader, as_json):
    try:
        catalog.choose(Config.from_environment().language)  # Indonesian unless IKU_LANGUAGE=en
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    if ctx.invoked_subcommand is not None:
        return
    if period is None:
        click.echo(ctx.get_help())
        return
    svc = services(ctx)
    result = queries.iku(svc, OPERATOR, period, parse_as_of(as_of, svc.zone), leader)
    answer = result.answer
    if as_json:
        body = IKUSchema().dump(result)
        if svc.agenda.recorded_times_are_simulated:
            body["recorded_times"] = "simulated"
        click.echo(json.dumps(body, indent=2, ensure_ascii=False))
        return
    locale = catalog.language()
    click.echo(_("%(p)s (%(a)s s.d. %(b)s)", p=formats.period_name(period, locale),
                 a=formats.day(period.start, locale), b=formats.day(period.end, locale))
               + (_(", pimpinan: %(l)s", l=leader) if leader else ""))
    click.echo(_("Data per %(t)s", t=formats.when(answer.as_of, svc.zone, locale)))
    for figure in answer.figures:
        cancelled = _("dibatalkan: %(n)s", n=figure.cancelled)
        click.echo(f"{figure.indicator.code}  {figure.numerator}/{figure.denominator} = "
                   f"{formats.percent(figure.percent, locale)}  ({cancelled})  {figure.indicator.indikator}")
        for media, count in figure.breakdown.items():
            click.echo(f"        {media}: {count}")


@main.group(help=_l("Ekspor catatan."))
def export():
    pass  # a group: its commands follow

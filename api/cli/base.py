"""The `iku` group, how a command gets the services, and the CLI's parsing of periods and
instants (the service layer's parser)."""
from __future__ import annotations

import json

import click

from domain.exceptions import StoreNotWritable, ZoneMismatch
from projections.periods import InvalidPeriod, Period

from .. import create_app
from ..bootstrap import Services
from ..config import Config
from ..service_layer.parsing import InvalidInstant
from ..service_layer.parsing import parse_as_of as parse_instant_or_date
from ..http.iku.schemas import IKUSchema
from .. import catalog
from ..catalog import _
from ..documents import formats
from ..service_layer import queries
from ..users import User

# Who acts when the CLI records: an operator at the server, with the admin's permissions.
OPERATOR = User(name="system:cli", role="admin")


def services(ctx: click.Context) -> Services:
    """The services of the app that `create_app` builds from the environment's
    configuration: the CLI is built on the same assembly as the HTTP entrypoints."""
    obj = ctx.ensure_object(dict)
    if "services" not in obj:
        try:
            obj["services"] = create_app(Config.from_environment()).extensions["iku"]
        except (StoreNotWritable, ZoneMismatch) as e:
            raise click.ClickException(str(e)) from None
        ctx.call_on_close(obj["services"].close)
        if obj["services"].agenda.recorded_times_are_simulated:
            click.echo(_("Catatan: waktu pencatatan di basis data ini DISIMULASIKAN (data demo)."), err=True)
    return obj["services"]


def parse_period(ctx, param, value):
    if value is None:
        return None
    try:
        return Period.parse(value)
    except InvalidPeriod as e:
        raise click.BadParameter(str(e)) from None


def parse_as_of(value: str | None, zone):
    try:
        return parse_instant_or_date(value, zone)
    except InvalidInstant as e:
        hint = "give a timezone offset (e.g. +07:00)" if e.naive else "an RFC 3339 instant with offset, or a date"
        raise click.BadParameter(hint, param_hint="--as-of") from None

@click.group(invoke_without_command=True)
@click.option("--period", callback=parse_period, help="Compute the IKU: 2021, 2021-S1, 2021-Q1, 2021-03, A..B")
@click.option("--as-of", "as_of", help="As known at this instant (or the end of this date).")
@click.option("--leader", type=click.Choice(["bupati", "wakil_bupati"]))
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON answer.")
@click.pass_context
def main(ctx, period, as_of, leader, as_json):
    """IKU audit service of the Bagian Protokol dan Komunikasi Pimpinan, Kabupaten Jember.

    With --period, print IKU-1 and IKU-2 for that period as known at --as-of (default now).
    """
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


@main.group()
def export():
    """Export records."""

"""Reading records out: one activity's history, the whole log, the LKjIP; importing an
agenda."""
from __future__ import annotations

import json
from pathlib import Path

import click

from domain.exceptions import ActivityNotFound

from ..catalog import _
from ..documents import formats
from ..documents.lkjip import lkjip, signer_for, write_pdf, write_xlsx
from ..service_layer import commands, queries
from ..users import User
from ..documents.agenda_import import AgendaImportError, first_problem, read_agenda, read_table
from .base import OPERATOR, export, main, parse_as_of, services


def plain(data: dict) -> dict:
    """Event data as JSON values: instants in RFC 3339 with their own offset."""
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in data.items()}


@main.command()
@click.argument("activity_id", type=click.UUID)
@click.pass_context
def history(ctx, activity_id):
    """Print every event of one activity."""
    try:
        events = queries.history(services(ctx), OPERATOR, activity_id)
    except ActivityNotFound as e:
        raise click.ClickException(e.message) from None
    for e in events:
        click.echo(f"v{e.version}  {e.recorded_at.isoformat()}  {e.type}  by {e.actor}  "
                   f"(position {e.position})")
        click.echo(f"    {json.dumps(plain(e.data), ensure_ascii=False)}")


@export.command("events")
@click.option("--out", type=click.File("w", encoding="utf-8"), default="-")
@click.pass_context
def export_events(ctx, out):
    """The whole event log as JSON Lines, in log order."""
    agenda = services(ctx).agenda
    start = 0
    while True:
        page = agenda.recorder.select_notifications(start=start, limit=5000, inclusive_of_start=False)
        if not page:
            break
        for n in page:
            e = agenda.recorded_event(n)
            out.write(json.dumps({
                "position": e.position, "activity_id": str(e.activity_id), "version": e.version,
                "type": e.type, "recorded_at": e.recorded_at.isoformat(), "actor": e.actor,
                "data": plain(e.data),
            }, ensure_ascii=False) + "\n")
        start = page[-1].id


@main.command()
@click.option("--year", required=True, type=click.IntRange(2000, 2100))
@click.option("--format", "fmt", required=True, type=click.Choice(["xlsx", "pdf"]))
@click.option("--out", type=click.Path(dir_okay=False), help="Default: lkjip-YEAR.FORMAT")
@click.option("--as-of", "as_of", help="As known at this instant (or the end of this date).")
@click.pass_context
def report(ctx, year, fmt, out, as_of):
    """The LKjIP table of a year (target, realisasi, capaian per triwulan and year)."""
    svc = services(ctx)
    table = lkjip(svc, year, parse_as_of(as_of, svc.zone), signer_for(svc, None, year))
    out = out or f"lkjip-{year}.{fmt}"
    (write_xlsx if fmt == "xlsx" else write_pdf)(table, out)
    click.echo(_("%(f)s ditulis (data per %(t)s).", f=out, t=formats.when(table.as_of, svc.zone)))


@main.group("import")
def import_():
    """Import records."""


@import_.command("agenda")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.pass_context
def import_agenda(ctx, file):
    """Import an agenda from CSV or XLSX, as Excel saves it (see docs/CLI.md for the columns).

    Every row is checked first; a bad line is named and nothing is imported. An activity
    already recorded (the same title and start) is skipped. The events are recorded now:
    the activities' own times are their starts_at, never a recorded_at."""
    svc = services(ctx)
    try:
        lines = read_agenda(read_table(Path(file).read_bytes(), file), svc.zone)
    except AgendaImportError as e:
        raise click.ClickException(str(e)) from None
    if problem := first_problem(lines):
        raise click.ClickException(problem)
    importer = User(name=f"system:import:{Path(file).name}", role=OPERATOR.role)
    done = commands.import_activities(svc, importer, [line.row for line in lines])
    click.echo(_("%(a)s kegiatan diimpor (%(e)s peristiwa).", a=done.activities, e=done.events)
               + (" " + _("%(s)s sudah tercatat, dilewati.", s=done.skipped) if done.skipped else ""))



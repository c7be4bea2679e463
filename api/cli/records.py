"""Reading records out: one activity's history, the whole log, the LKjIP; importing an
agenda."""
from __future__ import annotations

import json
from pathlib import Path

import click

from domain.exceptions import ActivityNotFound
from domain.ucapan import UcapanNotFound

from ..catalog import _, _l
from ..documents import formats
from ..documents.lkjip import lkjip, signer_for, write_pdf, write_xlsx
from ..service_layer import commands, queries, ucapan
from ..users import User
from ..documents.agenda_import import AgendaImportError, describe, first_problem, read_agenda, read_table
from .base import OPERATOR, export, main, new_output, option, os_refused, parse_as_of, services


def plain(data: dict) -> dict:
    """Event data as JSON values: instants in RFC 3339 with their own offset."""
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in data.items()}


@main.command(help=_l("Cetak setiap peristiwa satu kegiatan (atau satu ucapan)."))
@click.argument("activity_id", type=click.UUID)
@click.pass_context
def history(ctx, activity_id):
    try:
        events = queries.history(services(ctx), OPERATOR, activity_id)
    except ActivityNotFound as e:
        try:  # an ucapan's id
            events = ucapan.ucapan_history(services(ctx), OPERATOR, activity_id)
        except UcapanNotFound:
            raise click.ClickException(e.message) from None
    for e in events:
        click.echo(_("versi %(v)s  %(t)s  %(type)s  oleh %(a)s  (posisi %(p)s)", v=e.version,
                     t=e.recorded_at.isoformat(), type=e.type, a=e.actor, p=e.position))
        click.echo(f"    {json.dumps(plain(e.data), ensure_ascii=False)}")


@export.command("events", help=_l("Seluruh log peristiwa sebagai JSON Lines, dalam urutan log."))
@option("--out", type=click.File("w", encoding="utf-8"), default="-")
@click.pass_context
def export_events(ctx, out):
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


@main.command(help=_l("Tabel LKjIP satu tahun (target, realisasi, capaian per triwulan dan tahun)."))
@option("--year", required=True, type=click.IntRange(2000, 2100))
@option("--format", "fmt", required=True, type=click.Choice(["xlsx", "pdf"]))
@option("--out", type=click.Path(dir_okay=False), help=_l("Bawaan: lkjip-TAHUN.FORMAT"))
@option("--as-of", "as_of", help=_l("Data per instan ini (atau akhir tanggal ini)."))
@click.pass_context
def report(ctx, year, fmt, out, as_of):
    out = out or f"lkjip-{year}.{fmt}"
    new_output(out)
    svc = services(ctx)
    table = lkjip(svc, year, parse_as_of(as_of, svc.zone), signer_for(svc, None, year))
    try:  # a document made again: an earlier file of the name is replaced
        (write_xlsx if fmt == "xlsx" else write_pdf)(table, out)
    except OSError as e:
        raise os_refused(e, out) from None
    click.echo(_("%(f)s ditulis (data per %(t)s).", f=out, t=formats.when(table.as_of, svc.zone)))


@main.group("import", help=_l("Impor catatan."))
def import_():
    pass  # a group: its commands follow


@import_.command("agenda", help=_l(
    "Impor agenda dari CSV atau XLSX, sebagaimana disimpan Excel (kolomnya di "
    "docs/CLI.md).\n\nSetiap baris diperiksa lebih dulu; baris yang salah disebutkan "
    "dan tidak ada yang diimpor. Kegiatan yang sudah tercatat (judul dan mulai yang "
    "sama) dilewati. Peristiwanya dicatat sekarang: waktu kegiatan adalah "
    "starts_at-nya, tidak pernah recorded_at."))
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.pass_context
def import_agenda(ctx, file):
    svc = services(ctx)
    try:
        lines = read_agenda(read_table(Path(file).read_bytes(), file), svc.zone)
    except AgendaImportError as e:
        raise click.ClickException(describe(e, _)) from None
    except OSError as e:  # e.g. a file its owner alone may read
        raise os_refused(e, file) from None
    if problem := first_problem(lines):
        raise click.ClickException(problem)
    importer = User(name=f"system:import:{Path(file).name}", role=OPERATOR.role)
    done = commands.import_activities(svc, importer, [line.row for line in lines])
    click.echo(_("%(a)s kegiatan diimpor (%(e)s peristiwa).", a=done.activities, e=done.events)
               + (" " + _("%(s)s sudah tercatat, dilewati.", s=done.skipped) if done.skipped else ""))



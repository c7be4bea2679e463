"""The `iku` command line: the same application as the HTTP API (SPEC §7)."""
from __future__ import annotations

import csv
import json
import os
import sys
from datetime import date, datetime

import click

from domain.context import acting_as
from projections.periods import InvalidPeriod, Period, end_of_local_day

CLI_ACTOR = "system:cli"


def services(ctx: click.Context):
    obj = ctx.ensure_object(dict)
    if "services" not in obj:
        from domain.exceptions import StoreNotWritable

        from .services import Services

        try:
            obj["services"] = Services()
        except StoreNotWritable as e:
            raise click.ClickException(str(e)) from None
        ctx.call_on_close(obj["services"].close)
        if obj["services"].agenda.recorded_times_are_simulated:
            click.echo("Catatan: recorded times in this database are SIMULATED (demo data).",
                       err=True)
    return obj["services"]


def parse_period(ctx, param, value):
    if value is None:
        return None
    try:
        return Period.parse(value)
    except InvalidPeriod as e:
        raise click.BadParameter(str(e)) from None


def parse_as_of(value: str | None, zone):
    if value is None:
        return None
    text = value.strip().replace(" ", "+")
    try:
        if len(text) == 10:
            return end_of_local_day(date.fromisoformat(text), zone)
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter("an RFC 3339 instant with offset, or a date", param_hint="--as-of") from None
    if instant.utcoffset() is None:
        raise click.BadParameter("give a timezone offset (e.g. +07:00)", param_hint="--as-of")
    return instant


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
    if ctx.invoked_subcommand is not None:
        return
    if period is None:
        click.echo(ctx.get_help())
        return
    svc = services(ctx)
    answer = svc.calculator.compute(period, parse_as_of(as_of, svc.zone), leader)
    if as_json:
        from .iku.resources import iku_json
        from .iku.schemas import IKUSchema

        body = IKUSchema().dump(iku_json(svc, answer))
        if svc.agenda.recorded_times_are_simulated:
            body["recorded_times"] = "simulated"
        click.echo(json.dumps(body, indent=2, ensure_ascii=False))
        return
    click.echo(f"Periode {period.label} ({period.start} s.d. {period.end})"
               f"{', pimpinan: ' + leader if leader else ''}")
    click.echo(f"As of {answer.as_of.isoformat()} (log position {answer.position})")
    for figure in answer.figures:
        shown = "—" if figure.percent is None else f"{figure.percent:.2f}%"
        click.echo(f"{figure.indicator.code}  {figure.numerator}/{figure.denominator} = {shown}"
                   f"  (cancelled: {figure.cancelled})  {figure.indicator.indikator}")
        for media, count in figure.breakdown.items():
            click.echo(f"        {media}: {count}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@click.pass_context
def serve(ctx, host, port, workers):
    """Run the HTTP server (gunicorn)."""
    import os

    from gunicorn.app.base import BaseApplication

    # Create the tables once, before the workers start (concurrent first creation races).
    svc = services(ctx)
    svc.projector.catch_up()
    svc.close()
    ctx.obj.pop("services")
    os.environ["IKU_CREATE_TABLE"] = "no"

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("accesslog", "-")

        def load(self):
            from . import create_app

            return create_app()

    click.echo(f"IKU audit service: http://{host}:{port}/  (API: http://{host}:{port}/api/v1/openapi.json)")
    Server().run()


@main.command()
@click.option("--if-empty", is_flag=True, help="Do nothing (successfully) when the database has events.")
@click.option("--year", default=2021, show_default=True, type=int)
@click.option("--seed", default=2021, show_default=True, type=int)
@click.option("--per-day", default=5.4, show_default=True, type=float, help="Mean activities per working day.")
@click.pass_context
def demo(ctx, if_empty, year, seed, per_day):
    """Load a realistic demo year, recorded on a simulated clock (a new database only)."""
    from tqdm import tqdm

    from .demo import plan_year, run_demo

    svc = services(ctx)
    if not svc.agenda.mark_as_demo():
        if svc.agenda.recorded_times_are_simulated or if_empty:
            click.echo("The database already has events: demo not loaded.")
            if if_empty:
                return
        raise click.ClickException(
            "the demo needs an empty database: its recorded times are simulated, which a "
            "database of real records must never contain"
        )
    from projections.periods import Period as _Period

    from .reports.resources import submit_period

    def submit_report(label, at):
        with acting_as("pimpinan"):
            submit_period(svc, _Period.parse(label), at)

    total = len(plan_year(year, svc.zone, seed, per_day))
    with tqdm(total=total, desc="demo events", unit="ev", file=sys.stderr) as bar:
        run_demo(svc.agenda, svc.zone, year, seed, bar.update, per_day, submit_report)
    svc.projector.catch_up()
    count = svc.agenda.recorder.max_notification_id()
    click.echo(f"Loaded {count} events of {year}; recorded times are simulated (demo).")


@main.command()
@click.pass_context
def rebuild(ctx):
    """Rebuild the activity view from position 0 of the log."""
    from tqdm import tqdm

    svc = services(ctx)
    total = svc.agenda.recorder.max_notification_id() or 0
    with tqdm(total=total, desc="rebuild", unit="ev", file=sys.stderr) as bar:
        position = svc.projector.rebuild(progress=bar.update)
    click.echo(f"Rebuilt the activity view up to position {position}.")


@main.command()
@click.argument("activity_id", type=click.UUID)
@click.pass_context
def history(ctx, activity_id):
    """Print every event of one activity."""
    from domain.exceptions import ActivityNotFound

    from .activities.resources import plain

    try:
        events = services(ctx).agenda.history(activity_id)
    except ActivityNotFound as e:
        raise click.ClickException(e.message) from None
    for e in events:
        click.echo(f"v{e.version}  {e.recorded_at.isoformat()}  {e.type}  by {e.actor}  "
                   f"(position {e.position})")
        click.echo(f"    {json.dumps(plain(e.data), ensure_ascii=False)}")


@main.group()
def export():
    """Export records."""


@export.command("events")
@click.option("--out", type=click.File("w", encoding="utf-8"), default="-")
@click.pass_context
def export_events(ctx, out):
    """The whole event log as JSON Lines, in log order."""
    from .activities.resources import plain

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


@export.command("audit")
@click.option("--period", required=True, callback=parse_period, help="The period whose figures to include.")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="An empty or new folder.")
@click.pass_context
def export_audit_command(ctx, period, out):
    """An audit export: every leaf up to a checkpoint signed now, the checkpoints, the figures."""
    from projections.audit.checkpoints import CheckpointRefused
    from projections.audit.export import ExportError, export_audit

    try:
        manifest = export_audit(services(ctx), period, out, sign=True)
    except (ExportError, CheckpointRefused) as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"Exported {manifest['tree_size']} events and the {period.label} figures to {out}, "
               f"up to the checkpoint of size {manifest['tree_size']} of {manifest['origin']}.")


@main.command()
@click.option("--year", required=True, type=click.IntRange(2000, 2100))
@click.option("--format", "fmt", required=True, type=click.Choice(["xlsx", "pdf"]))
@click.option("--out", type=click.Path(dir_okay=False), help="Default: lkjip-YEAR.FORMAT")
@click.option("--as-of", "as_of", help="As known at this instant (or the end of this date).")
@click.pass_context
def report(ctx, year, fmt, out, as_of):
    """The LKjIP table of a year (target, realisasi, capaian per triwulan and year)."""
    from .reports.lkjip import lkjip, write_pdf, write_xlsx

    svc = services(ctx)
    table = lkjip(svc, year, parse_as_of(as_of, svc.zone))
    out = out or f"lkjip-{year}.{fmt}"
    (write_xlsx if fmt == "xlsx" else write_pdf)(table, out)
    click.echo(f"Wrote {out} (as known at {table.as_of.isoformat()}).")


@main.command("backup")
@click.argument("file", type=click.Path(dir_okay=False))
def backup_command(file):
    """Back up the whole database, online (SQLite backup API, or pg_dump)."""
    from domain.store.config import database_from_environment

    from domain.store.backup import BackupError, backup

    try:
        backup(database_from_environment(), file)
    except BackupError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"Backed up to {file}.")


@main.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace a database that already has events.")
@click.pass_context
def restore_command(ctx, file, force):
    """Restore a backup into the configured database, then verify the hash chain."""
    from domain.store.config import database_from_environment

    from domain.store.backup import BackupError, restore

    try:
        restore(file, database_from_environment(), force=force)
    except BackupError as e:
        raise click.ClickException(str(e)) from None
    result = services(ctx).verify()
    if not result.ok:
        raise click.ClickException(f"restored, but verification fails at {result.first_bad_position}: {result.reason}")
    click.echo(f"Restored {file}: {result.checked} events verified, tree size {result.head_position}.")


@main.command()
@click.option("--key", "keys", multiple=True, help="A trusted log verifier key (or a file of them); "
              "default IKU_LOG_KEYS, else the signing key's own.")
@click.option("--witness", "witnesses", multiple=True, help="A witness's verifier key (or a file); "
              "default IKU_WITNESS_KEYS.")
def verify(keys, witnesses):
    """Recompute every leaf, node and root from the log and check every checkpoint (read-only)."""
    from inspector.__main__ import keys as parse_keys
    from inspector.note import NoteError

    from .services import audit_checkpoints, readonly_agenda, verify_audit

    try:
        log_keys, witness_keys = parse_keys(list(keys)) or None, parse_keys(list(witnesses)) or None
    except (NoteError, OSError) as e:
        raise click.ClickException(str(e)) from None
    if log_keys is None and not os.environ.get("IKU_LOG_KEYS"):
        from inspector.note import Signer
        from projections.audit.checkpoints import origin_from_environment, signing_key_path

        try:  # the signing key's own verifier, when no trusted keys are configured
            log_keys = [Signer.from_file(origin_from_environment(), signing_key_path()).verifier]
        except NoteError as e:
            raise click.ClickException(f"{e}: give the log's verifier key with --key") from None
    agenda = readonly_agenda()
    try:
        checkpoints = audit_checkpoints(agenda, "", sign=False, log_keys=log_keys,
                                        witness_keys=witness_keys)
        result = verify_audit(agenda, checkpoints)
    except NoteError as e:  # e.g. the key's record of its last head cannot be read
        raise click.ClickException(str(e)) from None
    finally:
        agenda.close()
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    if not result.ok:
        where = f" at position {result.first_bad_position}" if result.first_bad_position else ""
        click.echo(f"FAILED{where}: {result.reason} ({result.checked} events verified before it)")
        sys.exit(1)
    cosigned = ", ".join(f"{name} ({n})" for name, n in sorted(result.witnesses.items())) or "none configured"
    click.echo(f"ok: {result.checked} events, tree size {result.head_position}, root {result.head_hash}; "
               f"{result.checkpoints} checkpoints verified; witnesses: {cosigned}")


@main.command()
@click.pass_context
def checkpoint(ctx):
    """Sign a checkpoint of the log's head now and print it (a C2SP signed note)."""
    from projections.audit.checkpoints import CheckpointRefused

    try:
        signed = services(ctx).checkpoints.sign()
    except CheckpointRefused as e:
        raise click.ClickException(str(e)) from None
    if signed is None:
        raise click.ClickException("the log is empty: nothing to sign")
    click.echo(signed.text, nl=False)


@main.command("public-key")
@click.option("--pem", is_flag=True, help="The key as PEM instead of a C2SP verifier key.")
@click.pass_context
def public_key(ctx, pem):
    """Print the log's verifier key (C2SP vkey), to give to inspectors and witnesses."""
    checkpoints = services(ctx).checkpoints
    if pem:
        click.echo(checkpoints.public_pem(), nl=False)
    else:
        click.echo(checkpoints.signer.verifier.vkey)


@main.command("verify-export")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--key", "keys", multiple=True, required=True, help="The log's verifier key (or a file).")
@click.option("--witness", "witnesses", multiple=True, help="A witness's verifier key (or a file).")
@click.option("--previous", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="A checkpoint you kept: the export must extend it.")
@click.option("--origin", help="The log's origin, if it is to be checked.")
def verify_export_command(folder, keys, witnesses, previous, origin):
    """Verify an audit export offline (no database, no server): signatures, root, figures."""
    from inspector.__main__ import run_verify_export

    sys.exit(run_verify_export(folder, list(keys), list(witnesses), list(previous), origin,
                               say=lambda text, file=None: click.echo(text, err=file is not None)))


@main.command("verify-receipt")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--key", "keys", multiple=True, required=True, help="The log's verifier key (or a file).")
@click.option("--witness", "witnesses", multiple=True, help="A witness's verifier key (or a file).")
@click.option("--export", type=click.Path(exists=True, file_okay=False), help="An export taken later.")
def verify_receipt_command(file, keys, witnesses, export):
    """Check a receipt (.tlog-proof) of an event offline, optionally against a later export."""
    from inspector.__main__ import run_verify_receipt

    sys.exit(run_verify_receipt(file, list(keys), list(witnesses), export,
                                say=lambda text, file=None: click.echo(text, err=file is not None)))


@main.command("witness")
@click.argument("url", required=False)
@click.option("--key", required=True, type=click.Path(dir_okay=False), help="The witness's key (PEM).")
@click.option("--state", type=click.Path(dir_okay=False), help="The witness's state file.")
@click.option("--log-key", "log_keys", multiple=True, help="The log's verifier key (first run).")
@click.option("--name", default="inspektorat.jemberkab.go.id/witness", help="The witness's name.")
@click.option("--print-vkey", is_flag=True, help="Print the witness's verifier key.")
def witness_command(url, key, state, log_keys, name, print_vkey):
    """The inspectorate's witness: check the log only grew, recompute the IKU, cosign (IKU_TOKEN)."""
    from inspector.__main__ import run_witness

    sys.exit(run_witness(url, key, state, list(log_keys), name, print_vkey,
                         say=lambda text, file=None: click.echo(text, err=file is not None)))


@main.group("import")
def import_():
    """Import records."""


@import_.command("agenda")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.pass_context
def import_agenda(ctx, file):
    """Import a historical agenda from CSV (see docs/CLI.md for the columns).

    Every row is checked first; a bad line is named and nothing is imported. The events are
    recorded now: the activities' own times are their starts_at, never a recorded_at."""
    from .agenda_import import AgendaImportError, read_agenda

    svc = services(ctx)
    try:
        with open(file, newline="", encoding="utf-8-sig") as f:
            rows = read_agenda(csv.reader(f), svc.zone)
    except AgendaImportError as e:
        raise click.ClickException(str(e)) from None
    with acting_as(f"system:import:{file.rsplit('/', 1)[-1]}"):
        written = svc.agenda.import_activities(rows)
    click.echo(f"Imported {len(rows)} activities ({len(written)} events).")


@main.group()
def users():
    """Manage API users."""


@users.command("create")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(["admin", "protokol", "dokumentasi", "pimpinan", "inspektorat"]))
@click.option("--password", is_flag=False, flag_value="", default=None,
              help="A web password (at least 10 characters); given without a value, it is asked for.")
@click.pass_context
def users_create(ctx, name, role, password):
    """Create a user; the new API token is printed as the last line."""
    from .users import MIN_PASSWORD, UserExists

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
    import secrets

    from .users import ROLES, UserExists

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
    from .users import UserExists

    svc = services(ctx)
    try:
        token = svc.users.create(name, "admin")
    except UserExists:
        token = svc.users.new_token(name)
    click.echo(f"Admin API token for {name!r} (Authorization: Bearer …):")
    click.echo(token)

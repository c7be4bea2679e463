"""The audit log from the command line: export, verify, checkpoint, keys; and the
inspector's offline tools (the same as `python -m inspector`)."""
from __future__ import annotations

import sys

import click

from inspector.__main__ import keys as parse_keys
from inspector.__main__ import run_verify_export, run_verify_receipt, run_witness
from inspector.note import NoteError, Signer
from projections.audit.checkpoints import CheckpointRefused
from projections.audit.export import ExportError, export_audit

from ..bootstrap import audit_checkpoints, readonly_agenda, verify_audit
from ..catalog import _
from ..config import Config
from .base import export, main, parse_period, services


@export.command("audit")
@click.option("--period", required=True, callback=parse_period, help="The period whose figures to include.")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="An empty or new folder.")
@click.option("--with-evidence", is_flag=True, help="Include the evidence files (photos, videos), not only their inventory.")
@click.pass_context
def export_audit_command(ctx, period, out, with_evidence):
    """An audit export: every leaf up to a checkpoint signed now, the checkpoints, the
    figures, the inventory of evidence files (and, if asked, the files)."""
    try:
        manifest = export_audit(services(ctx), period, out, sign=True, with_evidence=with_evidence)
    except (ExportError, CheckpointRefused) as e:
        raise click.ClickException(str(e)) from None
    click.echo(_("%(n)s peristiwa dan angka %(p)s diekspor ke %(o)s, sampai titik periksa berukuran %(n)s "
                 "dari %(g)s.", n=manifest["tree_size"], p=period.label, o=out, g=manifest["origin"]))


@main.command()
@click.option("--key", "keys", multiple=True, help="A trusted log verifier key (or a file of them); "
              "default IKU_LOG_KEYS, else the signing key's own.")
@click.option("--witness", "witnesses", multiple=True, help="A witness's verifier key (or a file); "
              "default IKU_WITNESS_KEYS.")
def verify(keys, witnesses):
    """Recompute every leaf, node and root from the log and check every checkpoint (read-only)."""
    config = Config.from_environment()
    try:
        log_keys, witness_keys = parse_keys(list(keys)) or None, parse_keys(list(witnesses)) or None
    except (NoteError, OSError) as e:
        raise click.ClickException(str(e)) from None
    if log_keys is None and not config.log_keys:
        try:  # the signing key's own verifier, when no trusted keys are configured
            log_keys = [Signer.from_file(config.log_origin, config.signing_key).verifier]
        except NoteError as e:
            raise click.ClickException(_("%(e)s: berikan kunci verifikasi log dengan --key", e=e)) from None
    agenda = readonly_agenda(config.database)
    try:
        checkpoints = audit_checkpoints(agenda, config, sign=False, log_keys=log_keys,
                                        witness_keys=witness_keys)
        result = verify_audit(agenda, checkpoints, config)
    except NoteError as e:  # e.g. the key's record of its last head cannot be read
        raise click.ClickException(str(e)) from None
    finally:
        agenda.close()
    for warning in result.warnings:
        click.echo(_("peringatan: %(w)s", w=warning), err=True)
    if not result.ok:
        failed = (_("GAGAL pada posisi %(p)s", p=result.first_bad_position) if result.first_bad_position
                  else _("GAGAL"))
        click.echo(_("%(f)s: %(r)s (%(n)s peristiwa diperiksa sebelumnya)", f=failed, r=result.reason,
                     n=result.checked))
        sys.exit(1)
    cosigned = (", ".join(f"{name} ({n})" for name, n in sorted(result.witnesses.items()))
                or _("tidak ada yang dikonfigurasi"))
    click.echo(_("utuh: %(n)s peristiwa, ukuran pohon %(s)s, akar %(r)s; %(c)s titik periksa cocok; saksi: %(w)s",
                 n=result.checked, s=result.head_position, r=result.head_hash, c=result.checkpoints, w=cosigned))


@main.command()
@click.pass_context
def checkpoint(ctx):
    """Sign a checkpoint of the log's head now and print it (a C2SP signed note)."""
    try:
        signed = services(ctx).checkpoints.sign()
    except CheckpointRefused as e:
        raise click.ClickException(str(e)) from None
    if signed is None:
        raise click.ClickException(_("log masih kosong: tidak ada yang ditandatangani"))
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
    sys.exit(run_verify_export(folder, list(keys), list(witnesses), list(previous), origin,
                               say=lambda text, file=None: click.echo(text, err=file is not None)))


@main.command("verify-receipt")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--key", "keys", multiple=True, required=True, help="The log's verifier key (or a file).")
@click.option("--witness", "witnesses", multiple=True, help="A witness's verifier key (or a file).")
@click.option("--export", type=click.Path(exists=True, file_okay=False), help="An export taken later.")
def verify_receipt_command(file, keys, witnesses, export):
    """Check a receipt (.tlog-proof) of an event offline, optionally against a later export."""
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
    sys.exit(run_witness(url, key, state, list(log_keys), name, print_vkey,
                         say=lambda text, file=None: click.echo(text, err=file is not None)))



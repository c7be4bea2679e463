"""The audit log from the command line: export, verify, checkpoint, keys; and the
inspector's offline tools (the same as `python -m inspector`)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from domain.store.stores import store_for
from inspector.__main__ import keys as parse_keys
from inspector.__main__ import run_verify_export, run_verify_receipt, run_witness
from inspector.note import NoteError, Signer
from projections.audit.checkpoints import CheckpointRefused
from projections.audit.export import ExportError, export_audit

from ..bootstrap import audit_checkpoints, readonly_agenda, verify_audit
from ..catalog import _, _l
from ..config import Config
from .base import (DATABASE_ERRORS, database_refused, export, main, new_output, option, os_refused, parse_period,
                   services)


@export.command("audit", help=_l(
    "Ekspor audit: setiap daun sampai titik periksa yang ditandatangani sekarang, "
    "titik-titik periksa, angka-angka, daftar berkas bukti (dan, bila diminta, "
    "berkasnya)."))
@option("--period", required=True, callback=parse_period, help=_l("Periode yang angkanya disertakan."))
@option("--out", required=True, type=click.Path(file_okay=False), help=_l("Folder kosong atau baru."))
@option("--with-evidence", is_flag=True, help=_l("Sertakan berkas bukti (foto, video), bukan hanya daftarnya."))
@click.pass_context
def export_audit_command(ctx, period, out, with_evidence):
    new_output(out)
    try:
        manifest = export_audit(services(ctx), period, out, sign=True, with_evidence=with_evidence)
    except (ExportError, CheckpointRefused, NoteError) as e:
        raise click.ClickException(str(e)) from None
    except OSError as e:  # the folder or a file in it cannot be written
        raise os_refused(e, out) from None
    click.echo(_("%(n)s peristiwa dan angka %(p)s diekspor ke %(o)s, sampai titik periksa berukuran %(n)s "
                 "dari %(g)s.", n=manifest["tree_size"], p=period.label, o=out, g=manifest["origin"]))


@main.command(help=_l(
    "Hitung ulang setiap daun, simpul dan akar dari log dan periksa setiap titik "
    "periksa (hanya membaca)."))
@option("--key", "keys", multiple=True, help=_l("Kunci verifikasi log tepercaya (atau berkas berisi kunci); bawaan IKU_LOG_KEYS, "
                                                "atau kunci penanda tangan sendiri."))
@option("--witness", "witnesses", multiple=True, help=_l("Kunci verifikasi seorang saksi (atau berkasnya); bawaan IKU_WITNESS_KEYS."))
def verify(keys, witnesses):
    config = Config.from_environment()
    database = config.database
    if store_for(database).name == "sqlite" and "mode=memory" not in database and not Path(database).is_file():
        raise click.ClickException(_("tidak ada basis data di %(path)s", path=database))
    try:
        agenda = readonly_agenda(database)
    except DATABASE_ERRORS as e:
        raise database_refused(database, e) from None
    try:
        log_keys, witness_keys = verifying_keys(config, keys, witnesses)
        checkpoints = audit_checkpoints(agenda, config, sign=False, log_keys=log_keys,
                                        witness_keys=witness_keys)
        result = verify_audit(agenda, checkpoints, config)
    except NoteError as e:  # e.g. the key's record of its last head cannot be read
        raise click.ClickException(str(e)) from None
    except DATABASE_ERRORS as e:  # e.g. a file that is no SQLite database
        raise database_refused(database, e) from None
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


def verifying_keys(config: Config, keys, witnesses) -> tuple:
    try:
        log_keys, witness_keys = parse_keys(list(keys)) or None, parse_keys(list(witnesses)) or None
    except (NoteError, OSError) as e:
        raise click.ClickException(str(e)) from None
    if log_keys is None and not config.log_keys:
        try:  # the signing key's own verifier, when no trusted keys are configured
            log_keys = [Signer.from_file(config.log_origin, config.signing_key).verifier]
        except NoteError as e:
            raise click.ClickException(_("%(e)s: berikan kunci verifikasi log dengan --key", e=e)) from None
    return log_keys, witness_keys


@main.command(help=_l("Tandatangani titik periksa ujung log sekarang dan cetak (signed note C2SP)."))
@click.pass_context
def checkpoint(ctx):
    try:
        signed = services(ctx).checkpoints.sign()
    except (CheckpointRefused, NoteError) as e:  # NoteError: e.g. the key's record of its last head
        raise click.ClickException(str(e)) from None
    if signed is None:
        raise click.ClickException(_("log masih kosong: tidak ada yang ditandatangani"))
    click.echo(signed.text, nl=False)


@main.command("public-key", help=_l(
    "Cetak kunci verifikasi log (vkey C2SP), untuk diberikan kepada pemeriksa dan "
    "saksi."))
@option("--pem", is_flag=True, help=_l("Kunci dalam format PEM, bukan kunci verifikasi C2SP."))
@click.pass_context
def public_key(ctx, pem):
    checkpoints = services(ctx).checkpoints
    if pem:
        click.echo(checkpoints.public_pem(), nl=False)
    else:
        click.echo(checkpoints.signer.verifier.vkey)


@main.command("verify-export", help=_l(
    "Periksa ekspor audit secara luring (tanpa basis data, tanpa menghubungi layanan): "
    "tanda tangan, akar, angka."))
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@option("--key", "keys", multiple=True, required=True, help=_l("Kunci verifikasi log (atau berkasnya)."))
@option("--witness", "witnesses", multiple=True, help=_l("Kunci verifikasi seorang saksi (atau berkasnya)."))
@option("--previous", multiple=True, type=click.Path(exists=True, dir_okay=False),
        help=_l("Titik periksa yang Anda simpan: ekspor harus melanjutkannya."))
@option("--origin", help=_l("Origin log, bila ingin diperiksa."))
@option("--tujuan", help=_l("Indikator yang dijumlahkan TUJUAN-1, dipisah koma (bawaan IKU-1,IKU-2,PENDUKUNG-1)."))
def verify_export_command(folder, keys, witnesses, previous, origin, tujuan):
    sys.exit(run_verify_export(folder, list(keys), list(witnesses), list(previous), origin,
                               say=lambda text, file=None: click.echo(text, err=file is not None), goal=tujuan))


@main.command("verify-receipt", help=_l(
    "Periksa tanda terima (.tlog-proof) sebuah peristiwa secara luring, bila perlu "
    "terhadap ekspor yang diambil kemudian."))
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@option("--key", "keys", multiple=True, required=True, help=_l("Kunci verifikasi log (atau berkasnya)."))
@option("--witness", "witnesses", multiple=True, help=_l("Kunci verifikasi seorang saksi (atau berkasnya)."))
@option("--export", type=click.Path(exists=True, file_okay=False), help=_l("Ekspor yang diambil kemudian."))
def verify_receipt_command(file, keys, witnesses, export):
    sys.exit(run_verify_receipt(file, list(keys), list(witnesses), export,
                                say=lambda text, file=None: click.echo(text, err=file is not None)))


@main.command("witness", help=_l(
    "Saksi Inspektorat: periksa bahwa log hanya bertambah, hitung ulang IKU, "
    "tandatangani bersama (IKU_TOKEN)."))
@click.argument("url", required=False)
@option("--key", required=True, type=click.Path(dir_okay=False), help=_l("Kunci privat saksi (PEM)."))
@option("--state", type=click.Path(dir_okay=False), help=_l("Berkas keadaan saksi."))
@option("--log-key", "log_keys", multiple=True, help=_l("Kunci verifikasi log (pemakaian pertama)."))
@option("--name", default="inspektorat.jemberkab.go.id/witness", help=_l("Nama saksi."))
@option("--print-vkey", is_flag=True, help=_l("Cetak kunci verifikasi saksi."))
@option("--tujuan", help=_l("Indikator yang dijumlahkan TUJUAN-1, dipisah koma (bawaan IKU-1,IKU-2,PENDUKUNG-1)."))
def witness_command(url, key, state, log_keys, name, print_vkey, tujuan):
    sys.exit(run_witness(url, key, state, list(log_keys), name, print_vkey,
                         say=lambda text, file=None: click.echo(text, err=file is not None), goal=tujuan))



"""python -m inspector verify-export … | verify-receipt … | witness … (docs/AUDIT.md, the inspector's procedure).

Needs Python ≥ 3.11 and `cryptography` only: copy the folder `inspector/` and run it."""
from __future__ import annotations

import argparse
import errno
import os
import sys
from pathlib import Path

from . import catalog
from .catalog import _
from .export import DEFAULT_TIMEZONE, ExportRefused, verify_export
from .note import COSIGNATURE_V1, NoteError, Signer, Verifier, parse_verifiers
from .receipt import ReceiptRefused, verify_receipt
from .recompute import GOAL_PARTS
from .witness import DEFAULT_NAME, WitnessRefused, witness


def refused(error: Exception) -> str:
    """The one line a refusal is: what failed, in the chosen language (an OS error by its
    file and kind rather than the C library's English)."""
    if isinstance(error, OSError) and not isinstance(error, UnicodeError):
        reason = _os_error(error.errno) or error.strerror or type(error).__name__
        return _("DITOLAK: %(path)s: %(reason)s", path=error.filename or "", reason=reason)
    return _("DITOLAK: %(reason)s", reason=error)


def _os_error(code: int | None) -> str | None:
    return {errno.ENOENT: _("tidak ada"), errno.EACCES: _("tidak boleh dibaca/ditulis"),
            errno.EISDIR: _("sebuah folder"), errno.ENOTDIR: _("bukan folder"),
            errno.ENOSPC: _("ruang disk habis"), errno.EROFS: _("disk hanya-baca")}.get(code)


def keys(values: list[str]) -> list[Verifier]:
    """Verifier keys given as themselves or as files holding them."""
    found: list[Verifier] = []
    for value in values or []:
        path = Path(value)
        text = path.read_text() if "+" not in value and path.exists() else value
        found.extend(parse_verifiers(text))
    return found


def witness_keys_of(values: list[str]) -> list[Verifier]:
    found = keys(values)
    if any(k.kind != COSIGNATURE_V1 for k in found):
        raise NoteError(_("sebuah kunci --witness bukan kunci tanda tangan bersama (jenis 0x04)"))
    return found


def goal_parts(goal: str | None) -> tuple[str, ...]:
    """--tujuan: the codes TUJUAN-1 sums, comma-separated (default GOAL_PARTS)."""
    return GOAL_PARTS if not goal else tuple(c.strip().upper() for c in goal.split(",") if c.strip())


def run_verify_export(folder: str, key: list[str], witness_keys: list[str], previous: list[str],
                      origin: str | None, say=print, timezone: str = DEFAULT_TIMEZONE,
                      goal: str | None = None) -> int:
    """`goal`: the codes TUJUAN-1 sums, comma-separated (default GOAL_PARTS)."""
    try:
        log_keys = keys(key)
        witnesses = witness_keys_of(witness_keys)
        held = [Path(p).read_text(encoding="utf-8") for p in previous or []]
        result = verify_export(folder, log_keys, witnesses, held, origin, timezone, goal_parts(goal))
    except (ExportRefused, NoteError, OSError, UnicodeDecodeError, ValueError) as e:
        say(refused(e), file=sys.stderr)
        return 1
    for warning in result["warnings"]:
        say(_("peringatan: %(warning)s", warning=warning), file=sys.stderr)
    say(_("UTUH: %(events)s peristiwa %(origin)s terverifikasi sampai titik periksanya (angka dalam "
          "%(timezone)s) (ukuran %(size)s, akar %(root)s); %(earlier)s titik periksa sebelumnya cocok; "
          "ditandatangani bersama oleh %(witnesses)s; angka %(period)s dan %(reports)s laporan yang "
          "disampaikan dihitung ulang dari daun-daun; %(files)s dari %(named)s berkas bukti yang disebut "
          "daun disertakan dan cocok dengan SHA-256-nya",
          events=result["events"], origin=result["origin"], timezone=result["timezone"],
          size=result["tree_size"], root=result["root"], earlier=result["earlier_checkpoints"],
          witnesses=", ".join(sorted(result["witnesses"])) or _("tidak ada saksi yang diberikan"),
          period=result["period"], reports=result["submissions_recomputed"],
          files=result["evidence_files_verified"], named=result["evidence_named"]))
    return 0


def run_verify_receipt(file: str, key: list[str], witness_keys: list[str], export: str | None,
                       say=print) -> int:
    try:
        result = verify_receipt(Path(file).read_bytes(), keys(key), witness_keys_of(witness_keys), export)
    except (ReceiptRefused, NoteError, OSError) as e:
        say(refused(e), file=sys.stderr)
        return 1
    found = _("UTUH: peristiwa pada posisi %(position)s (%(topic)s, oleh %(actor)s) ada di %(origin)s "
              "pada ukuran %(size)s", position=result["position"], topic=result["topic"].rsplit(".", 1)[-1],
              actor=result["actor"], origin=result["origin"], size=result["tree_size"])
    say(found + (_(", dan di log ekspor") if export else ""))
    return 0


def run_witness(url: str, key: str, state: str, log_key: list[str], name: str,
                print_vkey: bool, say=print, timezone: str = DEFAULT_TIMEZONE, goal: str | None = None) -> int:
    try:
        if print_vkey:
            say(Signer.from_file(name, key, COSIGNATURE_V1, create=True).verifier.vkey)
            return 0
        if not url or not state:
            raise WitnessRefused(_("beri URL layanan dan --state BERKAS"))
        witness(url, key, state, token=os.environ.get("IKU_TOKEN"), log_keys=keys(log_key),
                name=name, timezone=timezone, say=say, goal_parts=goal_parts(goal))
    except (WitnessRefused, NoteError, OSError, ValueError) as e:
        say(refused(e), file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    catalog.choose(os.environ.get("IKU_LANGUAGE", "id"))  # Bahasa Indonesia unless IKU_LANGUAGE=en
    catalog.install_for_libraries()
    parser = argparse.ArgumentParser(
        prog="python -m inspector",
        description=_("Pemeriksaan luring (offline) log audit layanan IKU: tanpa basis data, tanpa menghubungi layanan. "
                      "Pesan dalam Bahasa Indonesia; IKU_LANGUAGE=en untuk bahasa Inggris."))
    commands = parser.add_subparsers(dest="command", required=True, title=_("perintah"))
    log_key, witness_key = _("kunci verifikasi log (atau berkas berisi kunci itu)"), \
        _("kunci verifikasi seorang saksi (atau berkas berisi kunci itu)")
    zone = _("zona waktu pembacaan periode (WIB)")
    v = commands.add_parser("verify-export", help=_("periksa ekspor audit secara luring"))
    v.add_argument("folder", help=_("folder ekspor audit"))
    v.add_argument("--key", action="append", required=True, help=log_key)
    v.add_argument("--witness", action="append", default=[], help=witness_key)
    v.add_argument("--previous", action="append", default=[],
                   help=_("titik periksa yang Anda simpan (berkas): ekspor harus melanjutkannya"))
    v.add_argument("--origin", help=_("origin log, bila ingin diperiksa"))
    v.add_argument("--timezone", default=DEFAULT_TIMEZONE, help=zone)
    goal_help = _("indikator yang dijumlahkan TUJUAN-1, dipisah koma (bawaan: %(parts)s)",
                  parts=",".join(GOAL_PARTS))
    v.add_argument("--tujuan", help=goal_help)
    r = commands.add_parser("verify-receipt", help=_("periksa tanda terima (.tlog-proof) secara luring"))
    r.add_argument("file", help=_("berkas tanda terima (.tlog-proof)"))
    r.add_argument("--key", action="append", required=True, help=log_key)
    r.add_argument("--witness", action="append", default=[], help=witness_key)
    r.add_argument("--export", help=_("ekspor yang diambil kemudian: titik periksa tanda terima harus "
                                      "menjadi awal log-nya"))
    w = commands.add_parser("witness", help=_("periksa pertumbuhan log dan tandatangani bersama titik periksanya"))
    w.add_argument("url", nargs="?", help=_("URL layanan (token dari IKU_TOKEN)"))
    w.add_argument("--key", required=True, help=_("kunci privat saksi ini (PEM), dibuat pada pemakaian pertama"))
    w.add_argument("--state", help=_("berkas keadaan saksi ini"))
    w.add_argument("--log-key", action="append", default=[], help=_("kunci verifikasi log (pemakaian pertama)"))
    w.add_argument("--name", default=DEFAULT_NAME, help=_("nama saksi ini"))
    w.add_argument("--print-vkey", action="store_true", help=_("cetak kunci verifikasi saksi ini"))
    w.add_argument("--timezone", default=DEFAULT_TIMEZONE, help=zone)
    w.add_argument("--tujuan", help=goal_help)
    args = parser.parse_args(argv)

    def say(text, file=None):
        print(text, file=file or sys.stdout)

    if args.command == "verify-receipt":
        return run_verify_receipt(args.file, args.key, args.witness, args.export, say)
    if args.command == "verify-export":
        return run_verify_export(args.folder, args.key, args.witness, args.previous, args.origin, say,
                                 args.timezone, args.tujuan)
    return run_witness(args.url, args.key, args.state, args.log_key, args.name, args.print_vkey, say,
                       args.timezone, args.tujuan)


if __name__ == "__main__":
    sys.exit(main())

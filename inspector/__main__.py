"""python -m inspector verify-export … | verify-receipt … | witness … (docs/AUDIT.md, the inspector's procedure).

Needs Python ≥ 3.11 and `cryptography` only: copy the folder `inspector/` and run it."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .export import DEFAULT_TIMEZONE, ExportRefused, verify_export
from .note import COSIGNATURE_V1, NoteError, Signer, Verifier, parse_verifiers
from .receipt import ReceiptRefused, verify_receipt
from .witness import DEFAULT_NAME, WitnessRefused, witness


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
        raise NoteError("a --witness key is not a cosignature key (type 0x04)")
    return found


def run_verify_export(folder: str, key: list[str], witness_keys: list[str], previous: list[str],
                      origin: str | None, say=print, timezone: str = DEFAULT_TIMEZONE) -> int:
    try:
        log_keys = keys(key)
        witnesses = witness_keys_of(witness_keys)
        held = [Path(p).read_text(encoding="utf-8") for p in previous or []]
        result = verify_export(folder, log_keys, witnesses, held, origin, timezone)
    except (ExportRefused, NoteError, OSError, UnicodeDecodeError) as e:
        say(f"REFUSED: {e}", file=sys.stderr)
        return 1
    for warning in result["warnings"]:
        say(f"warning: {warning}", file=sys.stderr)
    say(f"ok: {result['events']} events of {result['origin']} verified up to its checkpoint "
        f"(figures in {result['timezone']}) "
        f"(size {result['tree_size']}, root {result['root']}); "
        f"{result['earlier_checkpoints']} earlier checkpoints consistent; "
        f"cosigned by {', '.join(sorted(result['witnesses'])) or 'no witness given'}; "
        f"figures of {result['period']} and {result['submissions_recomputed']} submitted reports "
        "recomputed from the leaves; "
        f"{result['evidence_files_verified']} of the {result['evidence_named']} evidence files the "
        "leaves name included and matching their SHA-256")
    return 0


def run_verify_receipt(file: str, key: list[str], witness_keys: list[str], export: str | None,
                       say=print) -> int:
    try:
        result = verify_receipt(Path(file).read_bytes(), keys(key), witness_keys_of(witness_keys), export)
    except (ReceiptRefused, NoteError, OSError) as e:
        say(f"REFUSED: {e}", file=sys.stderr)
        return 1
    say(f"ok: the event at position {result['position']} ({result['topic'].rsplit('.', 1)[-1]}, by "
        f"{result['actor']}) is in {result['origin']} at size {result['tree_size']}"
        + (", and in the export's log" if export else ""))
    return 0


def run_witness(url: str, key: str, state: str, log_key: list[str], name: str,
                print_vkey: bool, say=print, timezone: str = DEFAULT_TIMEZONE) -> int:
    try:
        if print_vkey:
            say(Signer.from_file(name, key, COSIGNATURE_V1, create=True).verifier.vkey)
            return 0
        if not url or not state:
            raise WitnessRefused("give the service's URL and --state FILE")
        witness(url, key, state, token=os.environ.get("IKU_TOKEN"), log_keys=keys(log_key),
                name=name, timezone=timezone, say=say)
    except (WitnessRefused, NoteError, OSError) as e:
        say(f"REFUSED: {e}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m inspector")
    commands = parser.add_subparsers(dest="command", required=True)
    v = commands.add_parser("verify-export", help="check an audit export offline")
    v.add_argument("folder")
    v.add_argument("--key", action="append", required=True, help="the log's verifier key (or a file)")
    v.add_argument("--witness", action="append", default=[], help="a witness's verifier key (or a file)")
    v.add_argument("--previous", action="append", default=[], help="a checkpoint you kept (a file)")
    v.add_argument("--origin", help="the log's origin, if you want it checked")
    v.add_argument("--timezone", default=DEFAULT_TIMEZONE, help="the zone periods are read in (WIB)")
    r = commands.add_parser("verify-receipt", help="check a receipt (.tlog-proof) offline")
    r.add_argument("file")
    r.add_argument("--key", action="append", required=True, help="the log's verifier key (or a file)")
    r.add_argument("--witness", action="append", default=[], help="a witness's verifier key (or a file)")
    r.add_argument("--export", help="an export taken later: the receipt's checkpoint must be a prefix of it")
    w = commands.add_parser("witness", help="check the log's growth and cosign its checkpoint")
    w.add_argument("url", nargs="?")
    w.add_argument("--key", required=True, help="this witness's private key (PEM), made on first use")
    w.add_argument("--state", help="this witness's state file")
    w.add_argument("--log-key", action="append", default=[], help="the log's verifier key (first run)")
    w.add_argument("--name", default=DEFAULT_NAME, help="this witness's name")
    w.add_argument("--print-vkey", action="store_true", help="print this witness's verifier key")
    w.add_argument("--timezone", default=DEFAULT_TIMEZONE, help="the zone periods are read in (WIB)")
    args = parser.parse_args(argv)

    def say(text, file=None):
        print(text, file=file or sys.stdout)

    if args.command == "verify-receipt":
        return run_verify_receipt(args.file, args.key, args.witness, args.export, say)
    if args.command == "verify-export":
        return run_verify_export(args.folder, args.key, args.witness, args.previous, args.origin, say,
                                 args.timezone)
    return run_witness(args.url, args.key, args.state, args.log_key, args.name, args.print_vkey, say,
                       args.timezone)


if __name__ == "__main__":
    sys.exit(main())

"""Checking a receipt (a C2SP tlog-proof) offline, years later.

The service's receipt of an event carries, as its `extra` data, the event's line (the
fields of its leaf, as in an export's leaves.jsonl). The extra data is not trusted: the
leaf hash is recomputed from it and must be included, by the inclusion proof, in the
checkpoint — which must be signed by a log key the inspector holds (and cosigned by the
witnesses given). With an export of the log taken later (`--export`), the receipt's
checkpoint must also be a prefix of that log: its root, the root of the export's leaves up
to its size.
"""
from __future__ import annotations

import json
from pathlib import Path

from . import merkle
from .catalog import _
from .leaves import LeafError, from_line, seal_of
from .seal import SealError, check
from .note import NoteError, Proof, Verifier, open_checkpoint


class ReceiptRefused(Exception):
    pass


def verify_receipt(data: str | bytes, log_keys: list[Verifier], witness_keys: list[Verifier] = (),
                   export: str | Path | None = None) -> dict:
    try:
        return _verify_receipt(data, log_keys, witness_keys, export)
    except RecursionError:
        raise ReceiptRefused(_("tanda terima atau ekspornya bersarang JSON terlalu dalam untuk dibaca")) from None


def _verify_receipt(data, log_keys, witness_keys, export) -> dict:
    try:
        proof = Proof.parse(data)
        note, checkpoint = open_checkpoint(proof.checkpoint, log_keys)
        cosigned = note.cosigned_by(list(witness_keys))
    except NoteError as e:
        raise ReceiptRefused(str(e)) from None
    for witness in witness_keys:
        if witness.name not in cosigned:
            raise ReceiptRefused(_("tidak ditandatangani bersama oleh saksi %(witness)s", witness=witness.name))
    if proof.extra is None:
        raise ReceiptRefused(_("tanda terima tidak membawa peristiwa (baris extra-nya tidak ada)"))
    try:
        line = json.loads(proof.extra)
        leaf, event, _digest = from_line(line)
    except ValueError as e:
        raise ReceiptRefused(_("peristiwa pada tanda terima tidak dapat dibaca: %(error)s", error=e)) from None
    if line["position"] != proof.index + 1:
        raise ReceiptRefused(_("peristiwa tanda terima ada di posisi %(position)s, buktinya di %(proof)s",
                               position=line["position"], proof=proof.index + 1))
    if not merkle.verify_inclusion(proof.index, checkpoint.size, merkle.leaf_hash(leaf), list(proof.hashes),
                                   checkpoint.root):
        raise ReceiptRefused(_("peristiwa tidak termasuk dalam titik periksa (buktinya tidak sah)"))
    try:  # its seal, when the service sealed it: the event is the service's own
        seal = seal_of(line)
        if seal is not None:
            check(seal, merkle.leaf_hash(leaf), checkpoint.origin, log_keys)
    except (LeafError, SealError) as e:
        raise ReceiptRefused(_("peristiwa tanda terima tidak ditulis oleh layanan: %(reason)s", reason=e)) from None
    if export is not None:
        _against_export(Path(export), checkpoint, leaf, proof.index)
    return {"position": line["position"], "topic": line["topic"], "recorded_at": line["recorded_at"],
            "actor": line["actor"], "event": event, "tree_size": checkpoint.size, "origin": checkpoint.origin,
            "witnesses": cosigned, "sealed": seal is not None}


def _against_export(folder: Path, checkpoint, leaf: bytes, index: int) -> None:
    frontier = merkle.Frontier()
    path = folder / "leaves.jsonl"
    if not path.is_file():
        raise ReceiptRefused(_("%(path)s: tidak ada", path=path))
    with open(path, "rb") as lines:
        for number, raw in enumerate(lines, start=1):
            try:
                this, _event, _digest = from_line(json.loads(raw.decode("utf-8")))
            except ValueError as e:  # UnicodeDecodeError included
                raise ReceiptRefused(_("%(path)s baris %(line)s: %(error)s", path=path, line=number, error=e)) from None
            if number == index + 1 and this != leaf:
                raise ReceiptRefused(_("peristiwa ekspor pada posisi %(position)s bukan peristiwa tanda terima",
                                       position=number))
            frontier.append(merkle.leaf_hash(this))
            if frontier.size == checkpoint.size:
                break
    if frontier.size < checkpoint.size:
        raise ReceiptRefused(_("ekspor berakhir di posisi %(end)s, sebelum titik periksa tanda terima "
                               "(%(size)s): log dipotong", end=frontier.size, size=checkpoint.size))
    if frontier.root() != checkpoint.root:
        raise ReceiptRefused(_("log ekspor bukan log yang ditandatangani titik periksa tanda terima "
                               "(riwayat ditulis ulang)"))

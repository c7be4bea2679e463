"""The audit export (v2): every leaf up to a signed checkpoint, that checkpoint with its
cosignatures, the earlier checkpoints, and the figures, for an inspector to verify offline
with `iku verify-export` or `python -m inspector verify-export` (docs/AUDIT.md).

| file | content |
|---|---|
| leaves.jsonl | one line per event, positions 1…N: exactly the fields its leaf covers |
| checkpoint.txt | the checkpoint of size N (a C2SP signed note, with cosignatures) |
| checkpoints/SIZE.txt | every earlier checkpoint |
| figures.json | the period's figures as known at the checkpoint, and as submitted |
| evidence.json | the inventory of evidence files the leaves name: hash, size, type, the positions naming it, whether the store has it |
| evidence/SHA256 | with `with_evidence`: the files themselves, each named by its SHA-256 |
| manifest.json | the format, the period and the SHA-256 of each file (not signed: a guide) |

Nothing here is to be trusted by itself: the verifier checks the signatures with keys it
was given, recomputes the root from the leaves and every figure from the leaves.

The leaves hold officers' names and notes: the folders are its owner's alone (0700) and
every file in them too (0600), whatever the umask, as backups are.
"""
from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from domain.store import to_datetime
from inspector.catalog import _
from inspector.export import sha256_file
from inspector.leaves import from_line

FORMAT = "iku-audit-export v2"


class ExportError(ValueError):
    pass


def figure_numbers(figures) -> list[dict]:
    """The numbers of an answer's figures, in the shape ReportSubmitted keeps them."""
    out = []
    for f in figures:
        item = {"code": f.indicator.code, "numerator": f.numerator, "denominator": f.denominator,
                "percent": f.percent, "cancelled": f.cancelled,
                "target": None if f.target is None else float(f.target), "capaian": f.capaian}
        if f.breakdown:
            item["by_media"] = f.breakdown
        out.append(item)
    return out


def evidence_named(line: dict) -> list[dict]:
    """The evidence files a leaf's Documented event names (none for other events)."""
    if not line["topic"].endswith(".Documented"):
        return []
    _leaf, event, _state = from_line(line)
    return [item for item in event.get("evidence") or [] if isinstance(item, dict)]


PRIVATE_FOLDER, PRIVATE_FILE = 0o700, 0o600


def private_folder(path: Path) -> None:
    """A folder of the export, its owner's alone (an empty one given is made so if ours)."""
    path.mkdir(mode=PRIVATE_FOLDER, exist_ok=True)
    if path.stat().st_uid == os.getuid():
        path.chmod(PRIVATE_FOLDER)  # mkdir's mode is masked by the umask


def private_file(path: Path, mode: str = "w"):
    """A new file of the export, its owner's alone from its first byte."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    os.fchmod(descriptor, PRIVATE_FILE)  # os.open's mode is masked by the umask
    return os.fdopen(descriptor, mode, **({} if "b" in mode else {"encoding": "utf-8"}))


def write_text(path: Path, text: str) -> None:
    with private_file(path) as f:
        f.write(text)


def write_evidence(store, named: dict[str, dict], out: Path, with_evidence: bool) -> None:
    inventory = []
    for sha256, item in sorted(named.items()):
        present = store.has(sha256)
        inventory.append({"sha256": sha256, "size": item.get("size"), "type": item.get("type"),
                          "positions": item["positions"], "in_store": present})
        if with_evidence and present:
            private_folder(out / "evidence")
            with open(store.path(sha256), "rb") as source, private_file(out / "evidence" / sha256, "wb") as copy:
                shutil.copyfileobj(source, copy)
    write_text(out / "evidence.json", json.dumps({"files": inventory, "included": with_evidence}, indent=2))


def export_audit(services, period, out: str | Path, *, sign: bool = False, with_evidence: bool = False) -> dict:
    """Write the export of `period` up to the latest checkpoint. `sign`: sign the head
    first (the command line does; a GET never signs, and exports the latest checkpoint).
    `with_evidence`: the evidence files too, beside their inventory."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise ExportError(_("%(path)s tidak kosong", path=out))
    checkpoints = services.checkpoints
    stored = checkpoints.sign() if sign else checkpoints.latest()
    if stored is None:
        raise ExportError(_("belum ada titik periksa: log masih kosong"))
    private_folder(out)  # in a folder that exists (the command line refuses others by name)
    size = stored.size
    last_recorded_at = None
    named: dict[str, dict] = {}  # evidence files the leaves name
    with private_file(out / "leaves.jsonl") as f:
        for line in services.tree.lines(size):
            f.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")
            last_recorded_at = line["recorded_at"]
            for item in evidence_named(line):
                named.setdefault(item["sha256"], {**item, "positions": []})["positions"].append(line["position"])
    write_evidence(services.evidence, named, out, with_evidence)
    write_text(out / "checkpoint.txt", stored.text)
    private_folder(out / "checkpoints")
    for earlier in checkpoints.all():
        if earlier.size < size:
            write_text(out / "checkpoints" / f"{earlier.size}.txt", earlier.text)
    at_checkpoint = services.calculator.compute(period, to_datetime(last_recorded_at))
    submitted = [{"position": e.position, "as_of": e.data["as_of"], "indicators": e.data["figures"]}
                 for e in services.agenda.report_history(period.label)
                 if e.type == "ReportSubmitted" and e.position <= size]
    write_text(out / "figures.json", json.dumps({
        "period": period.label,
        "timezone": services.zone.key,
        "tree_size": size,
        "as_known_at_checkpoint": {"as_of": at_checkpoint.as_of.isoformat(),
                                   "indicators": figure_numbers(at_checkpoint.figures)},
        "as_submitted": submitted,
    }, indent=2, ensure_ascii=False))
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    manifest = {
        "format": FORMAT,
        "service": "IKU audit service, Bagian Protokol dan Komunikasi Pimpinan, Kabupaten Jember",
        "origin": checkpoints.origin, "period": period.label, "tree_size": size,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": {name: sha256_file(out / name) for name in files},
    }
    write_text(out / "manifest.json", json.dumps(manifest, indent=2))
    return manifest

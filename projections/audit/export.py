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
"""
from __future__ import annotations

import json
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


def write_evidence(store, named: dict[str, dict], out: Path, with_evidence: bool) -> None:
    inventory = []
    for sha256, item in sorted(named.items()):
        present = store.has(sha256)
        inventory.append({"sha256": sha256, "size": item.get("size"), "type": item.get("type"),
                          "positions": item["positions"], "in_store": present})
        if with_evidence and present:
            (out / "evidence").mkdir(mode=0o700, exist_ok=True)
            shutil.copyfile(store.path(sha256), out / "evidence" / sha256)
            (out / "evidence" / sha256).chmod(0o600)
    (out / "evidence.json").write_text(json.dumps({"files": inventory, "included": with_evidence}, indent=2),
                                       encoding="utf-8")


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
    out.mkdir(parents=True, exist_ok=True)
    size = stored.size
    last_recorded_at = None
    named: dict[str, dict] = {}  # evidence files the leaves name
    with open(out / "leaves.jsonl", "w", encoding="utf-8") as f:
        for line in services.tree.lines(size):
            f.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")
            last_recorded_at = line["recorded_at"]
            for item in evidence_named(line):
                named.setdefault(item["sha256"], {**item, "positions": []})["positions"].append(line["position"])
    write_evidence(services.evidence, named, out, with_evidence)
    (out / "checkpoint.txt").write_text(stored.text, encoding="utf-8")
    (out / "checkpoints").mkdir()
    for earlier in checkpoints.all():
        if earlier.size < size:
            (out / "checkpoints" / f"{earlier.size}.txt").write_text(earlier.text, encoding="utf-8")
    at_checkpoint = services.calculator.compute(period, to_datetime(last_recorded_at))
    submitted = [{"position": e.position, "as_of": e.data["as_of"], "indicators": e.data["figures"]}
                 for e in services.agenda.report_history(period.label)
                 if e.type == "ReportSubmitted" and e.position <= size]
    (out / "figures.json").write_text(json.dumps({
        "period": period.label,
        "timezone": services.zone.key,
        "tree_size": size,
        "as_known_at_checkpoint": {"as_of": at_checkpoint.as_of.isoformat(),
                                   "indicators": figure_numbers(at_checkpoint.figures)},
        "as_submitted": submitted,
    }, indent=2, ensure_ascii=False), encoding="utf-8")
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    manifest = {
        "format": FORMAT,
        "service": "IKU audit service, Bagian Protokol dan Komunikasi Pimpinan, Kabupaten Jember",
        "origin": checkpoints.origin, "period": period.label, "tree_size": size,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": {name: sha256_file(out / name) for name in files},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest

"""The audit export: everything an inspector needs to verify the log and the figures
offline, with nothing but the export and the service's public key (docs/AUDIT.md)."""
from __future__ import annotations

import base64
import json
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from projections.audit import sha256_file
from projections.periods import Period

from ..activities.resources import plain
from ..iku.resources import answer_json
from ..iku.schemas import IKUSchema

BATCH = 5_000


class ExportError(ValueError):
    pass


def export_audit(services, period: Period, out: str | Path) -> dict:
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise ExportError(f"{out} is not empty")
    out.mkdir(parents=True, exist_ok=True)
    checkpoint = services.checkpoints.take()
    agenda = services.agenda
    with open(out / "events.jsonl", "w", encoding="utf-8") as f:
        after = 0
        while after < checkpoint.position:
            rows = agenda.recorder.select_rows(after, checkpoint.position, BATCH)
            hashes = services.chain.hashes(after, rows[-1][0])
            for position, activity_id, version, topic, state, recorded_at in rows:
                event = json.loads(state)
                f.write(json.dumps({
                    "position": position, "activity_id": activity_id, "version": version,
                    "topic": topic, "recorded_at": recorded_at, "actor": event["actor"],
                    "type": topic.rsplit(".", 1)[-1],
                    "state": base64.b64encode(state).decode(), "hash": hashes[position],
                }, ensure_ascii=False) + "\n")
            after = rows[-1][0]
    now = services.calculator.compute(period)
    (out / "figures.json").write_text(json.dumps({
        "period": period.label,
        "as_known_now": IKUSchema().dump(answer_json(now)),
        "as_submitted": [{"recorded_at": e.recorded_at.isoformat(), "submitted_by": e.actor,
                          "as_of": e.data["as_of"], "indicators": e.data["figures"],
                          "chain": {"position": e.data["chain_position"], "hash": e.data["chain_hash"]}}
                         for e in agenda.report_history(period.label) if e.type == "ReportSubmitted"],
        "recorded_times_simulated": agenda.recorded_times_are_simulated,
    }, indent=2, ensure_ascii=False))
    (out / "checkpoint.json").write_text(json.dumps(asdict(checkpoint), indent=2))
    (out / "public-key.pem").write_text(services.checkpoints.signer.public_pem())
    files = {name: sha256_file(out / name)
             for name in ("events.jsonl", "figures.json", "checkpoint.json", "public-key.pem")}
    manifest = {
        "service": "IKU audit service, Bagian Protokol dan Komunikasi Pimpinan, Kabupaten Jember",
        "format": "iku-audit-export v1", "period": period.label,
        "exported_at": datetime.now(UTC).isoformat(timespec="microseconds"),
        "checkpoint": {"position": checkpoint.position, "hash": checkpoint.hash},
        "files": files,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return manifest


__all__ = ["ExportError", "export_audit", "plain"]

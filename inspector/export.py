"""Verifying an audit export offline: no database, no server, only the export, the log's
verifier key and (optionally) the witnesses' keys and checkpoints the inspector kept.

Order of the checks (the first failure is the refusal, named):
1. the checkpoint is signed by a given log key; each given witness cosigned it;
2. leaves.jsonl: line n is the event at position n, every field covered by its leaf,
   recorded_at strictly increasing, no line beyond the checkpoint, none missing;
3. the root recomputed from all the leaves is the checkpoint's (completeness);
4. every earlier checkpoint in the export and every `--previous` one: signed by a given
   key, and its root is the root of the leaves up to its size (the log only grew);
5. every figure — as known at the checkpoint, as submitted — recomputed from the leaves by
   inspector.recompute, and every ReportSubmitted leaf's figures likewise.
What no signature or recomputation covers (the manifest, fields of figures.json that are
not numbers) is only reported, as a warning.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from . import merkle
from .leaves import LeafError, from_line
from .note import Checkpoint, Note, NoteError, Verifier, open_checkpoint
from .recompute import Recomputer, compare


DEFAULT_TIMEZONE = "Asia/Jakarta"
NUMBERS = {"code", "numerator", "denominator", "percent", "cancelled", "target", "capaian", "by_media"}


class ExportRefused(Exception):
    """A damaged or forged export: the reason names the file (and line) at fault."""


def _no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError(f"a key appears twice: {sorted(k for k in set(keys) if keys.count(k) > 1)[:3]}")
    return dict(pairs)


def _json(text: str, name: str):
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates)
    except ValueError as e:
        raise ExportRefused(f"{name}: not JSON ({e})") from None


def _indicators(value) -> bool:
    return isinstance(value, list) and all(isinstance(i, dict) and isinstance(i.get("code"), str) for i in value)


def _unchecked_fields(indicators: list[dict], where: str) -> list[str]:
    extra = sorted({k for i in indicators for k in i} - NUMBERS)
    return [f"figures.json, {where}: {', '.join(extra)} neither signed nor recomputed, ignored"] if extra else []


def _recomputed(compute, where: str) -> list[str]:
    """A recomputation; what cannot be recomputed is a refusal, never a traceback."""
    try:
        return compute()
    except (ValueError, TypeError, KeyError, LookupError, ArithmeticError) as e:
        raise ExportRefused(f"{where} cannot be recomputed ({type(e).__name__}: {str(e)[:120]})") from None


def _read(folder: Path, name: str) -> str:
    path = folder / name
    if not path.is_file():
        raise ExportRefused(f"{name}: missing")
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ExportRefused(f"{name}: cannot be read ({e})") from None


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _open(text: str, keys: list[Verifier], origin: str | None, what: str) -> tuple[Note, Checkpoint]:
    try:
        return open_checkpoint(text, keys, origin)
    except NoteError as e:
        raise ExportRefused(f"{what}: {e}") from None


def verify_export(folder, log_keys: list[Verifier], witness_keys: list[Verifier] = (),
                  previous: list[str] = (), origin: str | None = None,
                  timezone: str = DEFAULT_TIMEZONE) -> dict:
    """`timezone`: the zone the inspector reads periods in (the decree's: WIB); never the
    export's say-so, which no signature covers."""
    try:
        return _verify_export(Path(folder), log_keys, witness_keys, previous, origin, timezone)
    except RecursionError:
        raise ExportRefused("a file nests JSON too deeply to be read") from None


def _verify_export(folder: Path, log_keys, witness_keys, previous, origin, timezone) -> dict:
    warnings: list[str] = []
    if not log_keys:
        raise ExportRefused("no log key given (--key): an export is checked with a key you hold")
    # 0. The manifest only guides; it must still be whole.
    manifest = _json(_read(folder, "manifest.json"), "manifest.json")
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict) or not manifest["files"]:
        raise ExportRefused("manifest.json: names no files")
    for name, digest in manifest["files"].items():
        if Path(name).is_absolute() or ".." in Path(name).parts or "\x00" in name:
            raise ExportRefused(f"manifest.json: names a file outside the export ({name[:80]!r})")
        path = folder / name
        if not path.is_file():
            raise ExportRefused(f"{name}: named by the manifest, missing")
        if sha256_file(path) != digest:
            raise ExportRefused(f"{name}: its SHA-256 differs from the manifest's")
    for name in ("leaves.jsonl", "checkpoint.txt", "figures.json"):
        if name not in manifest["files"]:
            raise ExportRefused(f"manifest.json: does not name {name}")
    listed = set(manifest["files"]) | {"manifest.json"}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.relative_to(folder).as_posix() not in listed:
            warnings.append(f"{path.relative_to(folder).as_posix()}: not in the manifest, ignored")

    # 1. The checkpoint and its cosignatures.
    note, checkpoint = _open(_read(folder, "checkpoint.txt"), log_keys, origin, "checkpoint.txt")
    try:
        cosigned = note.cosigned_by(list(witness_keys))
    except NoteError as e:
        raise ExportRefused(f"checkpoint.txt: {e}") from None
    for witness in witness_keys:
        if witness.name not in cosigned:
            raise ExportRefused(f"checkpoint.txt: not cosigned by the witness {witness.name}")

    # Earlier checkpoints: the export's and the inspector's own.
    earlier: list[tuple[str, Checkpoint]] = []
    for path in sorted((folder / "checkpoints").glob("*.txt")) if (folder / "checkpoints").is_dir() else []:
        name = path.relative_to(folder).as_posix()
        earlier.append((name, _open(_read(folder, name), log_keys, checkpoint.origin, name)[1]))
    for i, text in enumerate(previous, start=1):
        earlier.append((f"--previous #{i}", _open(text, log_keys, checkpoint.origin, f"--previous #{i}")[1]))
    for name, c in earlier:
        if c.size > checkpoint.size:
            raise ExportRefused(f"{name}: of size {c.size}, larger than the export's checkpoint "
                                f"({checkpoint.size}): the log was truncated")
    wanted = {c.size for _, c in earlier}

    # 2-3. The leaves.
    recomputer = Recomputer()
    named: dict[str, tuple] = {}  # the evidence files the leaves name: SHA-256 → (size, type)
    frontier = merkle.Frontier()
    roots: dict[int, bytes] = {}
    last_recorded = None
    leaf_hash = merkle.leaf_hash
    decode = json.JSONDecoder(object_pairs_hook=_no_duplicates).decode
    path = folder / "leaves.jsonl"
    if not path.is_file():
        raise ExportRefused("leaves.jsonl: missing")
    with open(path, "rb") as lines:
        for number, raw in enumerate(lines, start=1):
            if number > checkpoint.size:
                raise ExportRefused(f"leaves.jsonl line {number}: beyond the checkpoint's size "
                                    f"{checkpoint.size}")
            try:
                line = decode(raw.decode("utf-8"))
                leaf, event, _ = from_line(line)
            except UnicodeDecodeError:
                raise ExportRefused(f"leaves.jsonl line {number}: not UTF-8") from None
            except ValueError as e:
                raise ExportRefused(f"leaves.jsonl line {number}: {e}") from None
            if line["position"] != number:
                raise ExportRefused(f"leaves.jsonl line {number}: holds position {line['position']}")
            if last_recorded is not None and line["recorded_at"] <= last_recorded:
                raise ExportRefused(f"leaves.jsonl line {number}: recorded_at is not after the line "
                                    "before (backdated or reordered)")
            last_recorded = line["recorded_at"]
            frontier.append(leaf_hash(leaf))
            if number in wanted:
                roots[number] = frontier.root()
            recomputer.feed(number, line["activity_id"], line["version"], line["topic"],
                            line["recorded_at"], event)
            if line["topic"].endswith(".Documented") and isinstance(event.get("evidence"), list):
                named.update((item["sha256"], (item.get("size"), item.get("type"))) for item in event["evidence"]
                             if isinstance(item, dict) and isinstance(item.get("sha256"), str))
    if frontier.size < checkpoint.size:
        raise ExportRefused(f"leaves.jsonl: ends at line {frontier.size}, before the checkpoint's "
                            f"size {checkpoint.size}")
    if frontier.root() != checkpoint.root:
        raise ExportRefused("leaves.jsonl: the root of its leaves is not the checkpoint's root "
                            "(a leaf was changed, added or removed)")
    for name, c in earlier:
        root = merkle.EMPTY_ROOT if c.size == 0 else roots[c.size]
        if root != c.root:
            raise ExportRefused(f"{name}: the log no longer matches this checkpoint of size {c.size} "
                                "(history rewritten)")

    # 5. The figures.
    figures = _json(_read(folder, "figures.json"), "figures.json")
    try:
        period, zone = figures["period"], figures.get("timezone", timezone)
        at_checkpoint = figures["as_known_at_checkpoint"]["indicators"]
        as_submitted = figures["as_submitted"]
        if not (isinstance(period, str) and isinstance(zone, str) and _indicators(at_checkpoint)
                and isinstance(as_submitted, list)
                and all(isinstance(e, dict) and type(e.get("position")) is int and _indicators(e.get("indicators"))
                        for e in as_submitted)):
            raise TypeError
    except (KeyError, TypeError):
        raise ExportRefused("figures.json: not the figures of an export") from None
    if zone != timezone:
        raise ExportRefused(f"figures.json: computed in the timezone {zone[:60]!r}, not {timezone!r} "
                            "(give --timezone if the office's is another)")
    warnings.extend(_unchecked_fields(at_checkpoint, "as known at the checkpoint"))
    problems = _recomputed(lambda: compare(at_checkpoint, recomputer.figures(period, None, zone=timezone)),
                           f"figures.json: the figures of {period[:40]!r}")
    if problems:
        raise ExportRefused("figures.json, as known at the checkpoint: " + "; ".join(problems))
    submissions = {s["position"]: s for s in recomputer.submissions()}
    for leaf in submissions.values():
        if not isinstance(leaf["period"], str):
            raise ExportRefused(f"leaves.jsonl line {leaf['position']}: a ReportSubmitted of no period "
                                "(its ReportOpened is not in the log)")
    listed = set()
    for entry in as_submitted:
        leaf = submissions.get(entry["position"])
        if leaf is None:
            raise ExportRefused(f"figures.json: a submission at position {entry['position']} "
                                "is not a ReportSubmitted leaf")
        if leaf["period"] != period or entry.get("indicators") != leaf["figures"] or entry.get("as_of") != leaf["as_of"]:
            raise ExportRefused(f"figures.json: the submission at position {leaf['position']} differs "
                                "from its ReportSubmitted leaf")
        listed.add(leaf["position"])
    for position, leaf in sorted(submissions.items()):
        if leaf["period"] == period and position not in listed:
            raise ExportRefused(f"figures.json: leaves out the submission of {period} at position {position}")
    checked = 0
    for leaf in submissions.values():
        problems = _recomputed(lambda leaf=leaf: compare(
            leaf["figures"], recomputer.figures(leaf["period"], leaf["as_of"], zone=timezone)),
            f"leaves.jsonl line {leaf['position']}: the ReportSubmitted of {str(leaf['period'])[:40]!r}")
        if problems:
            raise ExportRefused(f"leaves.jsonl line {leaf['position']}: the ReportSubmitted figures of "
                                f"{leaf['period']} are not those of the log as of {leaf['as_of']}: "
                                + "; ".join(problems))
        checked += 1
    for key in sorted(set(figures) - {"period", "timezone", "tree_size", "as_known_at_checkpoint",
                                      "as_submitted"}):
        warnings.append(f"figures.json: {key!r} is neither signed nor recomputed, ignored")
    files_checked = _check_evidence(folder, named, warnings)
    return {"ok": True, "events": frontier.size, "evidence_named": len(named),
            "evidence_files_verified": files_checked, "origin": checkpoint.origin, "tree_size": checkpoint.size,
            "timezone": timezone,
            "root": checkpoint.root.hex(), "witnesses": cosigned, "earlier_checkpoints": len(earlier),
            "submissions_recomputed": checked, "period": period, "warnings": warnings}


def _check_evidence(folder: Path, named: dict[str, tuple], warnings: list[str]) -> int:
    """The evidence files included (optional): each must have the SHA-256 a leaf names it
    by; anything else in evidence/ is reported and ignored. The inventory (evidence.json)
    is only compared with the leaves."""
    checked = 0
    included = folder / "evidence"
    for path in sorted(included.iterdir()) if included.is_dir() and not included.is_symlink() else []:
        name = path.name[:80]
        if path.name not in named:
            warnings.append(f"evidence/{name}: no leaf names it, ignored")
        elif path.is_symlink() or not path.is_file():
            warnings.append(f"evidence/{name}: not a regular file, ignored")
        elif sha256_file(path) != path.name:
            raise ExportRefused(f"evidence/{path.name}: its bytes do not have the SHA-256 its "
                                "Documented event names (the file was changed)")
        else:
            checked += 1
    inventory = None
    if (folder / "evidence.json").is_file():
        try:
            found = _json(_read(folder, "evidence.json"), "evidence.json")
            inventory = {f["sha256"]: (f.get("size"), f.get("type")) for f in found["files"]}
            if found.get("included") and checked < len(named):
                warnings.append(f"evidence/: {len(named) - checked} of the {len(named)} files the leaves "
                                "name are not included")
        except (KeyError, TypeError, AttributeError):
            inventory = {}
    if inventory is not None and inventory != named:
        warnings.append("evidence.json: its inventory is not the files the leaves name (hashes, sizes, "
                        "types), ignored")
    return checked


__all__ = ["ExportRefused", "LeafError", "verify_export"]

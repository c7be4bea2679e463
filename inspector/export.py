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

Longer than 300 lines because the order of the checks is the argument: each refusal names
the first file (and line) at fault, and an inspector reads them in one place.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from . import merkle
from .leaves import LeafError, from_line, seal_of
from .note import Checkpoint, Note, NoteError, Verifier, open_checkpoint
from .roles import Authorship
from .seal import SealedLog
from .catalog import _
from .recompute import GOAL_PARTS, Recomputer, compare


DEFAULT_TIMEZONE = "Asia/Jakarta"
NUMBERS = {"code", "numerator", "denominator", "percent", "cancelled", "target", "capaian", "by_media"}


class ExportRefused(Exception):
    """A damaged or forged export: the reason names the file (and line) at fault."""


def _no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError(_("kunci muncul dua kali: %(keys)s",
                           keys=sorted(k for k in set(keys) if keys.count(k) > 1)[:3]))
    return dict(pairs)


def _json(text: str, name: str):
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates)
    except ValueError as e:
        raise ExportRefused(_("%(name)s: bukan JSON (%(error)s)", name=name, error=e)) from None


def _indicators(value) -> bool:
    return isinstance(value, list) and all(isinstance(i, dict) and isinstance(i.get("code"), str) for i in value)


def _unchecked_fields(indicators: list[dict], where: str) -> list[str]:
    extra = sorted({k for i in indicators for k in i} - NUMBERS)
    return [_("figures.json, %(where)s: %(fields)s tidak ditandatangani dan tidak dihitung ulang, diabaikan",
              where=where, fields=", ".join(extra))] if extra else []


def _recomputed(compute, where: str) -> list[str]:
    """A recomputation; what cannot be recomputed is a refusal, never a traceback."""
    try:
        return compute()
    except (ValueError, TypeError, KeyError, LookupError, ArithmeticError) as e:
        raise ExportRefused(_("%(where)s tidak dapat dihitung ulang (%(kind)s: %(error)s)",
                              where=where, kind=type(e).__name__, error=str(e)[:120])) from None


def _read(folder: Path, name: str) -> str:
    path = folder / name
    if not path.is_file():
        raise ExportRefused(_("%(name)s: tidak ada", name=name))
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ExportRefused(_("%(name)s: tidak dapat dibaca (%(error)s)", name=name, error=e)) from None


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
                  timezone: str = DEFAULT_TIMEZONE, goal_parts: tuple[str, ...] = GOAL_PARTS) -> dict:
    """`timezone`: the zone the inspector reads periods in (the decree's: WIB); never the
    export's say-so, which no signature covers; `goal_parts` likewise: what TUJUAN-1 sums."""
    try:
        return _verify_export(Path(folder), log_keys, witness_keys, previous, origin, timezone, goal_parts)
    except RecursionError:
        raise ExportRefused(_("sebuah berkas bersarang JSON terlalu dalam untuk dibaca")) from None


def _verify_export(folder: Path, log_keys, witness_keys, previous, origin, timezone, goal_parts) -> dict:
    warnings: list[str] = []
    if not log_keys:
        raise ExportRefused(_("tidak ada kunci log (--key): ekspor diperiksa dengan kunci yang Anda pegang"))
    # 0. The manifest only guides; it must still be whole.
    manifest = _json(_read(folder, "manifest.json"), "manifest.json")
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict) or not manifest["files"]:
        raise ExportRefused(_("manifest.json: tidak menyebut satu berkas pun"))
    for name, digest in manifest["files"].items():
        if Path(name).is_absolute() or ".." in Path(name).parts or "\x00" in name:
            raise ExportRefused(_("manifest.json: menyebut berkas di luar ekspor (%(name)r)", name=name[:80]))
        path = folder / name
        if not path.is_file():
            raise ExportRefused(_("%(name)s: disebut manifest, tidak ada", name=name))
        if sha256_file(path) != digest:
            raise ExportRefused(_("%(name)s: SHA-256-nya berbeda dari yang di manifest", name=name))
    for name in ("leaves.jsonl", "checkpoint.txt", "figures.json"):
        if name not in manifest["files"]:
            raise ExportRefused(_("manifest.json: tidak menyebut %(name)s", name=name))
    listed = set(manifest["files"]) | {"manifest.json"}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.relative_to(folder).as_posix() not in listed:
            warnings.append(_("%(name)s: tidak ada di manifest, diabaikan", name=path.relative_to(folder).as_posix()))

    # 1. The checkpoint and its cosignatures.
    note, checkpoint = _open(_read(folder, "checkpoint.txt"), log_keys, origin, "checkpoint.txt")
    try:
        cosigned = note.cosigned_by(list(witness_keys))
    except NoteError as e:
        raise ExportRefused(_("%(name)s: %(error)s", name="checkpoint.txt", error=e)) from None
    for witness in witness_keys:
        if witness.name not in cosigned:
            raise ExportRefused(_("checkpoint.txt: tidak ditandatangani bersama oleh saksi %(witness)s",
                                  witness=witness.name))

    # Earlier checkpoints: the export's and the inspector's own.
    earlier: list[tuple[str, Checkpoint]] = []
    for path in sorted((folder / "checkpoints").glob("*.txt")) if (folder / "checkpoints").is_dir() else []:
        name = path.relative_to(folder).as_posix()
        earlier.append((name, _open(_read(folder, name), log_keys, checkpoint.origin, name)[1]))
    for i, text in enumerate(previous, start=1):
        earlier.append((f"--previous #{i}", _open(text, log_keys, checkpoint.origin, f"--previous #{i}")[1]))
    for name, c in earlier:
        if c.size > checkpoint.size:
            raise ExportRefused(_("%(name)s: berukuran %(size)s, lebih besar dari titik periksa ekspor "
                                  "(%(export)s): log dipotong", name=name, size=c.size, export=checkpoint.size))
    wanted = {c.size for _name, c in earlier}

    # 2-3. The leaves.
    recomputer = Recomputer(goal_parts)
    named: dict[str, tuple] = {}  # the evidence files the leaves name: SHA-256 → (size, type)
    frontier = merkle.Frontier()
    roots: dict[int, bytes] = {}
    last_recorded = None
    sealed = SealedLog(checkpoint.origin, log_keys)
    authorship = Authorship(checked_from=None)  # from the seals' boundary on, once it is seen
    decode = json.JSONDecoder(object_pairs_hook=_no_duplicates).decode
    path = folder / "leaves.jsonl"
    if not path.is_file():
        raise ExportRefused(_("%(name)s: tidak ada", name="leaves.jsonl"))
    with open(path, "rb") as lines:
        for number, raw in enumerate(lines, start=1):
            if number > checkpoint.size:
                raise ExportRefused(_("leaves.jsonl baris %(line)s: melewati ukuran titik periksa %(size)s",
                                      line=number, size=checkpoint.size))
            try:
                line = decode(raw.decode("utf-8"))
                leaf, event, _digest = from_line(line)
            except UnicodeDecodeError:
                raise ExportRefused(_("leaves.jsonl baris %(line)s: bukan UTF-8", line=number)) from None
            except ValueError as e:
                raise ExportRefused(_("leaves.jsonl baris %(line)s: %(error)s", line=number, error=e)) from None
            if line["position"] != number:
                raise ExportRefused(_("leaves.jsonl baris %(line)s: berisi posisi %(position)s",
                                      line=number, position=line["position"]))
            if last_recorded is not None and line["recorded_at"] <= last_recorded:
                raise ExportRefused(_("leaves.jsonl baris %(line)s: recorded_at tidak sesudah baris "
                                      "sebelumnya (dimundurkan atau diubah urutannya)", line=number))
            last_recorded = line["recorded_at"]
            try:
                failure = sealed.failure(number, merkle.leaf_hash(leaf), seal_of(line))
            except LeafError as e:
                failure = str(e)
            authorship.checked_from = sealed.boundary
            failure = failure or authorship.failure(number, line["activity_id"], line["version"], line["topic"],
                                                    event)
            if failure:
                raise ExportRefused(_("leaves.jsonl baris %(line)s: %(error)s", line=number, error=failure))
            frontier.append(merkle.leaf_hash(leaf))
            if number in wanted:
                roots[number] = frontier.root()
            recomputer.feed(number, line["activity_id"], line["version"], line["topic"],
                            line["recorded_at"], event)
            if line["topic"].endswith(".Documented") and isinstance(event.get("evidence"), list):
                named.update((item["sha256"], (item.get("size"), item.get("type"))) for item in event["evidence"]
                             if isinstance(item, dict) and isinstance(item.get("sha256"), str))
    if frontier.size < checkpoint.size:
        raise ExportRefused(_("leaves.jsonl: berakhir di baris %(line)s, sebelum ukuran titik periksa %(size)s",
                              line=frontier.size, size=checkpoint.size))
    if frontier.root() != checkpoint.root:
        raise ExportRefused(_("leaves.jsonl: akar daun-daunnya bukan akar titik periksa "
                              "(ada daun yang diubah, ditambah atau dihapus)"))
    for name, c in earlier:
        root = merkle.EMPTY_ROOT if c.size == 0 else roots[c.size]
        if root != c.root:
            raise ExportRefused(_("%(name)s: log tidak lagi cocok dengan titik periksa berukuran %(size)s ini "
                                  "(riwayat ditulis ulang)", name=name, size=c.size))

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
        raise ExportRefused(_("figures.json: bukan angka-angka sebuah ekspor")) from None
    if zone != timezone:
        raise ExportRefused(_("figures.json: dihitung dalam zona waktu %(zone)r, bukan %(timezone)r "
                              "(beri --timezone bila zona kantor lain)", zone=zone[:60], timezone=timezone))
    warnings.extend(_unchecked_fields(at_checkpoint, _("sebagaimana diketahui pada titik periksa")))
    problems = _recomputed(lambda: compare(at_checkpoint, recomputer.figures(period, None, zone=timezone)),
                           _("figures.json: angka-angka %(period)r", period=period[:40]))
    if problems:
        raise ExportRefused(_("figures.json, sebagaimana diketahui pada titik periksa: %(problems)s",
                              problems="; ".join(problems)))
    submissions = {s["position"]: s for s in recomputer.submissions()}
    for leaf in submissions.values():
        if not isinstance(leaf["period"], str):
            raise ExportRefused(_("leaves.jsonl baris %(line)s: ReportSubmitted tanpa periode "
                                  "(ReportOpened-nya tidak ada di log)", line=leaf["position"]))
    listed = set()
    for entry in as_submitted:
        leaf = submissions.get(entry["position"])
        if leaf is None:
            raise ExportRefused(_("figures.json: penyampaian pada posisi %(position)s bukan daun ReportSubmitted",
                                  position=entry["position"]))
        if leaf["period"] != period or entry.get("indicators") != leaf["figures"] or entry.get("as_of") != leaf["as_of"]:
            raise ExportRefused(_("figures.json: penyampaian pada posisi %(position)s berbeda dari daun "
                                  "ReportSubmitted-nya", position=leaf["position"]))
        listed.add(leaf["position"])
    for position, leaf in sorted(submissions.items()):
        if leaf["period"] == period and position not in listed:
            raise ExportRefused(_("figures.json: melewatkan penyampaian %(period)s pada posisi %(position)s",
                                  period=period, position=position))
    checked = 0
    for leaf in submissions.values():
        problems = _recomputed(lambda leaf=leaf: compare(
            leaf["figures"], recomputer.figures(leaf["period"], leaf["as_of"], zone=timezone)),
            _("leaves.jsonl baris %(line)s: ReportSubmitted %(period)r", line=leaf["position"],
              period=str(leaf["period"])[:40]))
        if problems:
            raise ExportRefused(_("leaves.jsonl baris %(line)s: angka ReportSubmitted %(period)s bukan angka "
                                  "log per %(as_of)s: %(problems)s", line=leaf["position"], period=leaf["period"],
                                  as_of=leaf["as_of"], problems="; ".join(problems)))
        checked += 1
    for key in sorted(set(figures) - {"period", "timezone", "tree_size", "as_known_at_checkpoint",
                                      "as_submitted"}):
        warnings.append(_("figures.json: %(key)r tidak ditandatangani dan tidak dihitung ulang, diabaikan", key=key))
    files_checked = _check_evidence(folder, named, warnings)
    if sealed.unsealed:
        warnings.append(_("%(n)s peristiwa pertama ditulis sebelum segel (penulisnya tidak diautentikasi; "
                          "hanya titik periksa masa itu yang mengikatnya)", n=sealed.unsealed))
    return {"ok": True, "events": frontier.size, "sealed": sealed.sealed, "sealed_from": sealed.boundary,
            "roles_checked": authorship.checked, "evidence_named": len(named),
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
            warnings.append(_("evidence/%(name)s: tidak disebut daun mana pun, diabaikan", name=name))
        elif path.is_symlink() or not path.is_file():
            warnings.append(_("evidence/%(name)s: bukan berkas biasa, diabaikan", name=name))
        elif sha256_file(path) != path.name:
            raise ExportRefused(_("evidence/%(name)s: isinya tidak ber-SHA-256 yang disebut peristiwa "
                                  "Documented-nya (berkas diubah)", name=path.name))
        else:
            checked += 1
    inventory = None
    if (folder / "evidence.json").is_file():
        try:
            found = _json(_read(folder, "evidence.json"), "evidence.json")
            inventory = {f["sha256"]: (f.get("size"), f.get("type")) for f in found["files"]}
            if found.get("included") and checked < len(named):
                warnings.append(_("evidence/: %(missing)s dari %(named)s berkas yang disebut daun tidak disertakan",
                                  missing=len(named) - checked, named=len(named)))
        except (KeyError, TypeError, AttributeError):
            inventory = {}
    if inventory is not None and inventory != named:
        warnings.append(_("evidence.json: daftarnya bukan berkas-berkas yang disebut daun (hash, ukuran, "
                          "jenis), diabaikan"))
    return checked


__all__ = ["ExportRefused", "LeafError", "verify_export"]

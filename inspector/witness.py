"""The inspectorate's witness (C2SP tlog-witness semantics, run as a client).

Run on the inspectorate's own machine, with its own Ed25519 key and its own state:

    IKU_TOKEN=… python -m inspector witness https://iku.example --key witness.pem \\
        --state witness.json [--log-key VKEY]

1. Fetch the log's latest checkpoint; it must be signed by the log key (given the first
   time with --log-key, then pinned in the state).
2. Against the state (the last size and root it cosigned): a smaller size is a truncated
   log, the same size with another root a split view; a larger size must come with a
   consistency proof from the old size that verifies, else history was rewritten.
3. Fetch the new leaves, check each and recompute the root from all of them (the state
   keeps the tree's frontier, STATE.leaves.jsonl the leaves): it must be the checkpoint's.
4. Recompute every ReportSubmitted's figures from the leaves (inspector.recompute): the
   additional statement of this witness is "I also recomputed the IKU from the leaves up
   to this size".
5. Only then: save the state, sign a cosignature/v1 and post it (role inspektorat).
It refuses, says why and exits non-zero on any failure; it exits 0 only once its
cosignature is stored by the service.
"""
from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from .catalog import _

from . import merkle
from .leaves import from_line, seal_of
from .note import COSIGNATURE_V1, NoteError, Signer, Verifier, open_checkpoint
from .roles import Authorship
from .seal import SealedLog
from .recompute import GOAL_PARTS, Recomputer, compare

PAGE = 1000
DEFAULT_NAME = "inspektorat.jemberkab.go.id/witness"


class WitnessRefused(Exception):
    """The log misbehaved (or could not be checked): no cosignature."""


class Client:
    def __init__(self, url: str, token: str | None, timeout: float = 30):
        self.url, self.token, self.timeout = url.rstrip("/"), token, timeout

    def _open(self, path: str, data: bytes | None = None):
        request = urllib.request.Request(self.url + path, data=data)
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()
        except (urllib.error.URLError, OSError) as e:
            raise WitnessRefused(_("tidak dapat menghubungi %(url)s: %(error)s", url=self.url, error=e)) from None

    def get(self, path: str, what: str) -> bytes:
        status, body = self._open(path)
        if status != 200:
            raise WitnessRefused(_("%(what)s: layanan menjawab %(status)s: %(body)r", what=what, status=status,
                                   body=body[:200]))
        return body

    def get_json(self, path: str, what: str) -> dict:
        try:
            return json.loads(self.get(path, what))
        except ValueError:
            raise WitnessRefused(_("%(what)s: bukan JSON", what=what)) from None

    def post_json(self, path: str, body: dict) -> tuple[int, bytes]:
        return self._open(path, json.dumps(body).encode())


def load_state(path: Path) -> dict | None:
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text())
    except ValueError:
        raise WitnessRefused(_("berkas keadaan %(path)s rusak: pulihkan dari cadangan", path=path)) from None


def save_state(path: Path, state: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as f:
        json.dump(state, f, indent=2)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def witness(url: str, key_file: str, state_file: str, *, token: str | None,
            log_keys: list[Verifier] = (), name: str = DEFAULT_NAME, timezone: str = "Asia/Jakarta",
            say=print, goal_parts: tuple[str, ...] = GOAL_PARTS) -> dict:
    """`goal_parts`: what TUJUAN-1 sums, as the inspectorate holds the office to."""
    try:
        return _witness(url, key_file, state_file, token=token, log_keys=log_keys, name=name,
                        timezone=timezone, say=say, goal_parts=goal_parts)
    except RecursionError:
        raise WitnessRefused(_("layanan mengirim JSON yang bersarang terlalu dalam untuk dibaca")) from None


def _witness(url, key_file, state_file, *, token, log_keys, name, timezone, say, goal_parts) -> dict:
    signer = Signer.from_file(name, key_file, COSIGNATURE_V1, create=True)
    state_path = Path(state_file)
    leaves_path = state_path.with_name(state_path.name + ".leaves.jsonl")
    state = load_state(state_path)
    pinned = [Verifier.parse(k) for k in (state or {}).get("log_keys", [])]
    keys = pinned + [k for k in log_keys if k not in pinned]
    if not keys:
        raise WitnessRefused(_("tidak ada kunci log: pada kali pertama beri kunci verifikasi log dengan --log-key"))
    client = Client(url, token)

    # 1. The checkpoint.
    text = client.get("/api/v1/audit/checkpoint", _("titik periksa")).decode("utf-8", "replace")
    try:
        note, checkpoint = open_checkpoint(text, keys, (state or {}).get("origin"))
    except NoteError as e:
        raise WitnessRefused(_("titik periksa: %(error)s", error=e)) from None
    if checkpoint.extensions:
        raise WitnessRefused(_("titik periksa memiliki baris tambahan yang tidak dikenal saksi ini: "
                               "saksi hanya menandatangani apa yang telah diperiksanya"))
    old_size = state["size"] if state else 0
    old_root = base64.b64decode(state["root"]) if state else merkle.EMPTY_ROOT
    frontier = merkle.Frontier(old_size, [base64.b64decode(h) for h in state["frontier"]]) if state \
        else merkle.Frontier()

    # 2. Consistency with what was cosigned before.
    if checkpoint.size < old_size:
        raise WitnessRefused(_("log dipotong: titik periksanya memiliki %(size)s daun, kurang dari %(old)s "
                               "yang telah ditandatangani saksi ini", size=checkpoint.size, old=old_size))
    if checkpoint.size == old_size and checkpoint.root != old_root:
        raise WitnessRefused(_("pandangan terbelah (split view): titik periksa berukuran %(size)s dengan akar lain "
                               "dari yang ditandatangani saksi ini", size=old_size))
    if checkpoint.size > old_size and old_size > 0:
        proof = client.get_json(f"/api/v1/audit/proofs/consistency?from={old_size}&to={checkpoint.size}",
                                _("bukti konsistensi"))
        try:
            hashes = [base64.b64decode(h, validate=True) for h in proof["hashes"]]
        except (KeyError, TypeError, ValueError):
            raise WitnessRefused(_("bukti konsistensi tidak dapat dibaca")) from None
        if not merkle.verify_consistency(old_size, checkpoint.size, old_root, checkpoint.root, hashes):
            raise WitnessRefused(_("riwayat ditulis ulang: log berukuran %(size)s tidak melanjutkan log berukuran "
                                   "%(old)s yang ditandatangani saksi ini", size=checkpoint.size, old=old_size))

    # 3. The new leaves, into the mirror and the frontier; each sealed by the service from
    # the log's seal boundary on (kept in the state once seen: no one can move it after).
    sealed = SealedLog(checkpoint.origin, keys, boundary=(state or {}).get("sealed_from"))
    new_lines: list[str] = []
    start = old_size
    while start < checkpoint.size:
        end = min(start + PAGE, checkpoint.size)
        page = client.get_json(f"/api/v1/audit/leaves?start={start}&end={end}", _("daun-daun"))
        lines = page.get("leaves") if isinstance(page, dict) else None
        if not lines:
            raise WitnessRefused(_("layanan tidak memberi daun mulai %(start)s", start=start))
        for line in lines:
            try:
                leaf, _event, _digest = from_line(line)
                seal = seal_of(line)
            except ValueError as e:
                raise WitnessRefused(_("daun %(position)s: %(error)s", position=start, error=e)) from None
            if line["position"] != start + 1:
                raise WitnessRefused(_("daun %(position)s: layanan memberi posisi %(given)s", position=start,
                                       given=line["position"]))
            failure = sealed.failure(start + 1, merkle.leaf_hash(leaf), seal)
            if failure:
                raise WitnessRefused(failure)
            frontier.append(merkle.leaf_hash(leaf))
            new_lines.append(json.dumps(line, separators=(",", ":")))
            start += 1
            if start == checkpoint.size:
                break
    if frontier.root() != checkpoint.root:
        raise WitnessRefused(_("daun-daun yang diberikan tidak berakar sama dengan titik periksa"))

    # 4. The IKU recomputed from every leaf up to this size.
    recomputer = Recomputer(goal_parts)
    authorship = Authorship(checked_from=sealed.boundary)  # each event's actor held its role then
    previous_recorded = None
    mirrored = leaves_path.read_text().splitlines() if leaves_path.exists() and old_size else []
    if len(mirrored) != old_size:
        raise WitnessRefused(_("%(path)s berisi %(count)s daun, bukan %(old)s yang ditandatangani: "
                               "pulihkan dari cadangan", path=leaves_path, count=len(mirrored), old=old_size))
    for text_line in (*mirrored, *new_lines):
        try:
            line = json.loads(text_line)
            _leaf, event, _digest = from_line(line)
        except ValueError as e:
            raise WitnessRefused(_("salinan daun tidak dapat dibaca (%(error)s): pulihkan dari cadangan",
                                   error=e)) from None
        if previous_recorded is not None and line["recorded_at"] <= previous_recorded:
            raise WitnessRefused(_("daun %(position)s: recorded_at tidak sesudah daun sebelumnya",
                                   position=line["position"] - 1))
        previous_recorded = line["recorded_at"]
        failure = authorship.failure(line["position"], line["activity_id"], line["version"], line["topic"], event)
        if failure:
            raise WitnessRefused(failure)
        recomputer.feed(line["position"], line["activity_id"], line["version"], line["topic"],
                        line["recorded_at"], event)
    submissions = recomputer.submissions()
    for s in submissions:
        if s["period"] is None:
            raise WitnessRefused(_("ReportSubmitted pada posisi %(position)s tanpa periode "
                                   "(ReportOpened-nya tidak ada di log)", position=s["position"]))
        try:
            problems = compare(s["figures"], recomputer.figures(s["period"], s["as_of"], zone=timezone))
        except (ValueError, TypeError, KeyError, LookupError, ArithmeticError) as e:
            raise WitnessRefused(_("laporan yang disampaikan pada posisi %(position)s tidak dapat dihitung ulang "
                                   "(%(kind)s: %(error)s)", position=s["position"], kind=type(e).__name__,
                                   error=str(e)[:120])) from None
        if problems:
            raise WitnessRefused(_("laporan %(period)s yang disampaikan pada posisi %(position)s menyatakan angka "
                                   "yang tidak diberikan log: %(problems)s", period=s["period"],
                                   position=s["position"], problems="; ".join(problems)))

    # 5. Save, cosign, post.
    if new_lines:
        with open(leaves_path, "a", encoding="utf-8") as f:
            f.write("".join(line + "\n" for line in new_lines))
        os.chmod(leaves_path, 0o600)
    save_state(state_path, {
        "origin": checkpoint.origin, "log_keys": [k.vkey for k in keys],
        "size": checkpoint.size, "root": base64.b64encode(checkpoint.root).decode(),
        "frontier": [base64.b64encode(h).decode() for h in frontier.hashes],
        **({"sealed_from": sealed.boundary} if sealed.boundary is not None else {}),
    })
    line = signer.cosign(checkpoint.body)
    status, body = client.post_json("/api/v1/audit/cosignatures",
                                    {"size": checkpoint.size, "cosignature": line})
    if status not in (200, 201):
        raise WitnessRefused(_("layanan tidak menyimpan tanda tangan bersama: %(status)s %(body)r",
                               status=status, body=body[:300]))
    say(_("ditandatangani bersama: %(origin)s pada ukuran %(size)s, akar %(root)s; %(reports)s laporan yang "
          "disampaikan dihitung ulang", origin=checkpoint.origin, size=checkpoint.size,
          root=base64.b64encode(checkpoint.root).decode(), reports=len(submissions)))
    return {"size": checkpoint.size, "root": checkpoint.root, "cosignature": line,
            "submissions_recomputed": len(submissions)}

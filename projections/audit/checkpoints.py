"""Checkpoints of the log as C2SP signed notes (tlog-checkpoint, signed-note), the key that
signs them, and the witnesses' cosignatures (tlog-cosignature) kept with them.

A checkpoint is signed whenever the log has grown, at most every IKU_CHECKPOINT_INTERVAL
seconds (a timer started by the write that finds the last one too recent), and at every
report submission and audit export from the command line. Never by a GET: reads only
read what was signed.

Longer than 300 lines because a checkpoint's whole life is here: the signed head kept
beside the key, signing (and refusing to sign a tree that does not extend that head), the
timer, and the witnesses' cosignatures; split, each part would need the others' locks.
"""
from __future__ import annotations

import base64
import fcntl
import json
import logging
import os
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from inspector.catalog import _
from inspector.note import (
    COSIGNATURE_V1,
    Checkpoint,
    Note,
    NoteError,
    Signature,
    Signer,
    Verifier,
    parse_verifiers,
)

from inspector.merkle import EMPTY_ROOT
from inspector.seal import SealedLog

from .seals import SealsRefused, check_range
from .tree import Tree

log = logging.getLogger(__name__)

DEFAULT_ORIGIN = "jemberkab.go.id/prokopim/iku"
DEFAULT_INTERVAL = 5.0  # seconds
REFUSED = "checkpoint_refused"  # iku_meta: why signing stopped, until it signs again


@dataclass(frozen=True)
class StoredCheckpoint:
    size: int
    root: bytes
    note: str  # the log's signed note (without cosignatures)
    signed_at: int  # µs
    cosignatures: tuple[str, ...] = ()  # signature lines of witnesses

    @property
    def text(self) -> str:
        """The note with the witnesses' cosignatures, as served."""
        return self.note + "".join(self.cosignatures)

    @property
    def checkpoint(self) -> Checkpoint:
        return Checkpoint.parse(Note.parse(self.note).text)


def cosigned_timestamp(signature: Signature) -> int:
    return int.from_bytes(signature.signature[:8], "big") if len(signature.signature) >= 8 else -1


class CheckpointRefused(NoteError):
    """The tree does not extend the last checkpoint this key signed: it is not signed."""


class SignedHead:
    """The last (size, root) this signing key signed, kept beside the key, outside the
    database: the service never signs a tree that does not extend it, so an insider who
    rewrites the database — tree included — without the key gets nothing signed, and
    `iku verify` on this host names the rewrite. One file per host; it only moves forward."""

    def __init__(self, key_path: Path, origin: str | None = None):
        self.path = Path(key_path).with_suffix(".head")
        self.origin = origin

    def read(self, origin: str | None = None) -> tuple[int, bytes] | None:
        try:
            if os.name == "posix" and self.path.stat().st_mode & 0o077:
                raise ValueError(_("dapat dibaca atau diubah selain pemiliknya (mode %(mode)s): chmod 600",
                                   mode=f"{self.path.stat().st_mode & 0o777:04o}"))
            data = json.loads(self.path.read_text())
            size, root = data["size"], base64.b64decode(data["root"], validate=True)
            if type(size) is not int or size < 0 or len(root) != 32:
                raise ValueError(_("bukan ukuran pohon dan akar 32 bita"))
            if origin is not None and data.get("origin") != origin:
                raise ValueError(_("milik log %(origin)r, bukan %(ours)r",
                                   origin=str(data.get("origin"))[:60], ours=origin))
            return size, root
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
            raise CheckpointRefused(_(
                "%(path)s tidak dapat dibaca (%(error)s): pulihkan berkas itu, atau pindahkan bila "
                "host ini belum pernah menandatangani", path=self.path, error=e)) from None

    @contextmanager
    def locked(self):
        """The head, held against other processes of this host while a checkpoint is signed."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor = os.open(self.path.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield self.read(self.origin)
        finally:
            os.close(descriptor)  # releases the lock

    def write(self, origin: str, size: int, root: bytes) -> None:
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as f:
            json.dump({"origin": origin, "size": size, "root": base64.b64encode(root).decode()}, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)


def keys_from_setting(value: str | None) -> list[Verifier]:
    """A setting holding verifier keys, or the path of a file of them."""
    if not value:
        return []
    if "+" not in value and Path(value).exists():
        value = Path(value).read_text()
    return parse_verifiers(value)


class Checkpoints:
    def __init__(self, recorder, signer: Signer | None, origin: str, *,
                 interval: float = DEFAULT_INTERVAL, log_keys: list[Verifier] | None = None,
                 witness_keys: list[Verifier] | None = None, head: SignedHead | None = None):
        """`signer` None: a reader only (verification on a read-only copy). `head`: the
        last head the key signed (required to sign)."""
        self.recorder = recorder
        self.head = head
        self.tree = Tree(recorder)
        self.signer = signer
        self.origin = origin
        self.interval = interval
        # The keys checkpoints are verified with: configured, never read from the database.
        self.log_keys = list(log_keys or ([signer.verifier] if signer else []))
        self.witness_keys = [k for k in (witness_keys or []) if k.kind == COSIGNATURE_V1]
        self._timer: threading.Timer | None = None
        self._refused_at = float("-inf")
        self._timer_lock = threading.Lock()
        self.sealer = None  # the recorder's (seals.attach): the key that seals the events

    # Signing -------------------------------------------------------------------------

    def sign(self) -> StoredCheckpoint | None:
        """Sign the tree's head if no checkpoint covers it yet; the latest checkpoint.
        Refused (CheckpointRefused) if the tree does not extend the last head this key
        signed."""
        if self.signer is None or self.head is None:
            raise NoteError(_("tidak ada kunci tanda tangan: proses ini hanya membaca"))
        with self.head.locked() as signed:
            size = self.tree.size()
            latest = self.latest()
            if signed is not None and signed[0] > size:
                raise CheckpointRefused(_(
                    "log berisi %(n)s peristiwa, lebih sedikit dari titik periksa berukuran "
                    "%(size)s yang ditandatangani kunci ini: log dipotong; tidak ada yang "
                    "ditandatangani (jalankan iku verify)", n=size, size=signed[0]))
            if signed is None and latest is not None:  # a host's first signature: from the latest
                signed = (latest.size, latest.root)
            if latest is not None and latest.size >= size:
                # Nothing new to sign: still, the log must be the one the latest checkpoint signed.
                if latest.size > size or self.tree.root(size) != latest.root:
                    raise CheckpointRefused(_(
                        "log berisi %(n)s peristiwa bukan log yang ditandatangani titik periksa "
                        "berukuran %(size)s (dipotong atau ditulis ulang); tidak ada yang "
                        "ditandatangani (jalankan iku verify)", n=size, size=latest.size))
                if signed is None or signed[0] >= latest.size:
                    return latest
            if size == 0:
                return latest
            last_size, last_root = signed if signed is not None else (0, EMPTY_ROOT)
            if self.tree.root(last_size) != last_root:
                raise CheckpointRefused(_(
                    "log tidak lagi melanjutkan titik periksa berukuran %(size)s yang "
                    "ditandatangani kunci ini: riwayat ditulis ulang; tidak ada yang "
                    "ditandatangani (jalankan iku verify)", size=last_size))
            root = self._checked_root(last_size, size)
            body = Checkpoint(self.origin, size, root).body
            note = body + "\n" + self.signer.sign_note(body)
            with self.recorder.datastore.transaction(commit=True) as c:
                # Another process may have signed this size (the same note: nothing changes); a
                # row planted beneath the service at this size is replaced by the genuine one.
                c.execute(self.recorder.sql(
                    "INSERT INTO iku_tree_checkpoints (size, root, note, signed_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (size) DO UPDATE SET root = excluded.root, note = excluded.note, "
                    "signed_at = excluded.signed_at WHERE iku_tree_checkpoints.note <> excluded.note"),
                    (size, root, note, int(time.time() * 1e6)))
            self.head.write(self.origin, size, root)
        if self.refusal() is not None:
            self.recorder.put_state(REFUSED, None)
        return self.latest()

    def refusal(self) -> str | None:
        """Why signing stopped, if it did (kept in the database, so that every process and
        host says the same in health and metrics): until a checkpoint is signed again."""
        return self.recorder.get_mark(REFUSED)

    def _refused(self, reason: str) -> None:
        self._refused_at = time.monotonic()
        try:
            self.recorder.put_state(REFUSED, reason[:1000])
        except Exception:  # noqa: BLE001 - the store may be what failed; the log line says it
            log.exception("the refusal to sign could not be recorded")

    def _checked_root(self, signed_size: int, size: int) -> bytes:
        """The root of the tree of `size` leaves, recomputed from the events after the tree
        already signed, each of which must be the service's own (sealed) and match its leaf;
        and the stored tree must agree. Refused (nothing signed) otherwise."""
        sealer = self.sealer
        if sealer is None:
            raise CheckpointRefused(_("batas segel log ini tidak diketahui: tidak ada yang ditandatangani"))
        sealed = SealedLog(self.origin, self.log_keys, boundary=sealer.sealed_from, own=sealer)
        try:
            frontier = check_range(self.recorder, self.tree.frontier(signed_size), size, sealed)
        except SealsRefused as e:
            raise CheckpointRefused(_("%(reason)s; tidak ada yang ditandatangani (jalankan iku verify)",
                                      reason=e)) from None
        root = frontier.root()
        if self.tree.root(size) != root:
            raise CheckpointRefused(_(
                "simpul pohon yang tersimpan tidak berakar sama dengan peristiwa-peristiwanya (pohon "
                "diubah); tidak ada yang ditandatangani (jalankan iku verify)"))
        return root

    def sign_or_log(self) -> StoredCheckpoint | None:
        """Sign after a committed write: a refusal is logged (the metrics show the lag),
        never turned into the write's failure."""
        try:
            return self.sign()
        except CheckpointRefused as e:
            log.error("no checkpoint signed: %s", e)
            self._refused(str(e))
        except Exception as e:  # noqa: BLE001 - the write is committed: its answer must say so
            log.exception("no checkpoint signed")
            self._refused(f"{type(e).__name__}: {e}")
        return None

    def after_write(self) -> None:
        """Called after events are committed: sign now, or when the interval has passed."""
        if self.signer is None:
            return
        if self.interval <= 0:
            self.sign_or_log()
            return
        if time.monotonic() - self._refused_at < self.interval:
            return  # refused moments ago: not again at every write
        latest = self.latest()
        wait = 0.0 if latest is None else latest.signed_at / 1e6 + self.interval - time.time()
        if wait <= 0:
            self.sign_or_log()
            return
        with self._timer_lock:
            if self._timer is None or not self._timer.is_alive():
                self._timer = threading.Timer(wait, self._sign_later)
                self._timer.daemon = True
                self._timer.start()

    def _sign_later(self) -> None:
        self.sign_or_log()  # a timer has nobody to report to: logged, and the next write retries

    def close(self) -> None:
        """A checkpoint still due is signed now (a command that wrote, such as `iku demo`,
        leaves its writes signed)."""
        with self._timer_lock:
            pending = self._timer is not None and self._timer.is_alive()
            if self._timer is not None:
                self._timer.cancel()
        if pending:
            try:
                self.sign_or_log()
            except Exception:  # noqa: BLE001 - closing: the store may be gone; the next write signs
                log.exception("signing the due checkpoint at close failed")

    def public_pem(self) -> str:
        """The signing key's public half as PEM (SubjectPublicKeyInfo)."""
        return self.signer.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()

    # Reading ---------------------------------------------------------------------------

    def _read(self, where: str = "", params=(), order: str = "DESC", limit: int | None = 1
              ) -> list[StoredCheckpoint]:
        statement = f"SELECT size, root, note, signed_at FROM iku_tree_checkpoints {where} ORDER BY size {order}"
        if limit is not None:
            statement += f" LIMIT {int(limit)}"
        with self.recorder.read() as c:
            self.recorder.tuple_rows(c)
            c.execute(self.recorder.sql(statement), params)
            rows = c.fetchall()
            found = []
            for size, root, note, signed_at in rows:
                c.execute(self.recorder.sql(
                    "SELECT line FROM iku_cosignatures WHERE size = ? ORDER BY witness, key_id"), (size,))
                found.append(StoredCheckpoint(size, bytes(root), note, signed_at,
                                              tuple(r[0] for r in c.fetchall())))
        return found

    def latest(self) -> StoredCheckpoint | None:
        """The largest checkpoint whose note verifies with the log's keys (a row planted
        beneath the service is passed over)."""
        below = None
        while True:
            batch = self._read("" if below is None else "WHERE size < ?", () if below is None else (below,),
                               limit=50)
            for stored in batch:
                if self._genuine(stored):
                    return stored
            if len(batch) < 50:
                return None
            below = batch[-1].size

    def _genuine(self, stored: StoredCheckpoint) -> bool:
        try:
            note = Note.parse(stored.note)
            checkpoint = Checkpoint.parse(note.text)
            return (bool(note.verified_by(self.log_keys)) and checkpoint.size == stored.size
                    and checkpoint.root == stored.root and checkpoint.origin == self.origin)
        except NoteError:
            return False

    def covering(self, size: int) -> StoredCheckpoint | None:
        """The latest checkpoint, if it covers a tree of `size` leaves."""
        latest = self.latest()
        return latest if latest is not None and latest.size >= size else None

    def at(self, size: int) -> StoredCheckpoint | None:
        found = self._read("WHERE size = ?", (size,))
        return found[0] if found and self._genuine(found[0]) else None

    def all(self) -> list[StoredCheckpoint]:
        return self._read(order="ASC", limit=None)

    # Cosignatures ------------------------------------------------------------------------

    def add_cosignature(self, size: int, line: str) -> str:
        """Keep a witness's cosignature of the checkpoint of `size`, once it verifies with
        a configured witness key. Returns the witness's name."""
        stored = self.at(size)
        if stored is None:
            raise NoteError(_("tidak ada titik periksa berukuran %(size)s", size=size))
        added = Signature.parse(line.rstrip("\n"))
        note = Note(Note.parse(stored.note).text, (added,))
        cosigned = note.cosigned_by(self.witness_keys)  # raises if a known witness's fails
        if added.name not in cosigned or not any(
                k.name == added.name and k.key_id == added.key_id for k in self.witness_keys):
            raise NoteError(_("tanda tangan bersama ini bukan oleh kunci saksi yang dikonfigurasi "
                              "(IKU_WITNESS_KEYS)"))
        kept = [s for s in Note.parse(stored.text).signatures
                if s.name == added.name and s.key_id == added.key_id]
        if kept and cosigned_timestamp(kept[0]) >= cosigned[added.name]:
            return added.name  # the one kept is as recent: a cosignature never goes back in time
        with self.recorder.datastore.transaction(commit=True) as c:
            c.execute(self.recorder.sql(
                "INSERT INTO iku_cosignatures (size, witness, key_id, line, received_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (size, witness, key_id) DO UPDATE "
                "SET line = excluded.line, received_at = excluded.received_at"),
                (size, added.name, added.key_id.hex(), added.line, int(time.time() * 1e6)))
        return added.name

    def witnesses_of(self, stored: StoredCheckpoint) -> dict[str, int]:
        """The configured witnesses whose cosignature of this checkpoint verifies."""
        try:
            return Note.parse(stored.text).cosigned_by(self.witness_keys)
        except NoteError:
            return {}

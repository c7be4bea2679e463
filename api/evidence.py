"""The evidence store: photos and videos of activities, kept by their content.

A file is stored once under its SHA-256 (`sha256/ab/abcdef…`), so an upload sent again
(a retry on a weak connection, a second officer with the same photo) stores nothing new,
and a `Documented` event names its files by hash: the log's tree covers them. Beside each
image a thumbnail (`thumbs/ab/abcdef….jpg`) is made when it is stored. The folder is
`IKU_EVIDENCE_DIR` (a shared mount when several hosts serve), readable by its owner only;
`iku backup` copies it and the audit export lists it (docs/OPERATIONS.md, docs/AUDIT.md).

A file is what its bytes say it is (JPEG, PNG, WebP, HEIC, GIF, MP4, QuickTime, 3GP,
WebM), never what its name or the browser says, and is kept only when it decodes whole as
that (api/media.py); anything else is refused. A file that no event names is removed once
it was last uploaded or named longer ago than a limit (`sweep`), never one an event names.

Longer than 300 lines because the store's guarantees (idempotent writes, regular files
only, checked copies, bounded image decoding, sweeps that never race a command) live
beside the operations they guard.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import re
import stat
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image, ImageOps

from .media import MAX_PIXELS, MAX_TOTAL_PIXELS, Refused, check, media_type

THUMB_PIXELS = 480
_HASH = re.compile(r"[0-9a-f]{64}", re.ASCII)
FIRST_CAPTURE_YEAR, LAST_CAPTURE_YEAR = 1990, 2100  # a camera's clock outside them is broken
_CHUNK = 1 << 20
log = logging.getLogger(__name__)


class EvidenceError(ValueError):
    """A file refused: `reason` is 'type', 'decode' (not whole as its type), 'pixels' (an
    image too large to decode), 'size', 'hash' or 'missing'."""

    def __init__(self, message: str, reason: str, kind: str | None = None):
        super().__init__(message)
        self.reason = reason
        self.kind = kind  # 'decode', 'pixels': the media type it was read as


@dataclass(frozen=True)
class Swept:
    """What a sweep did (`EvidenceStore.sweep`), and what it left."""

    swept_at: float  # seconds since the epoch
    older_than_hours: float
    unclaimed_files: int  # named by no event yet, younger than the limit: they stay
    unclaimed_bytes: int
    removed: int
    removed_bytes: int
    removed_total: int  # by every sweep of this store
    removed_bytes_total: int


@dataclass(frozen=True)
class Evidence:
    """One stored file as a `Documented` event names it."""

    sha256: str
    size: int
    type: str  # its media type, from its bytes
    captured_at: datetime | None = None  # when the photo was taken (EXIF), if it says
    stored: bool = field(default=False, compare=False)  # new to the store (an upload's answer)

    def as_event_data(self) -> dict:
        return {"sha256": self.sha256, "size": self.size, "type": self.type,
                "captured_at": None if self.captured_at is None else self.captured_at.isoformat()}


def is_sha256(text: str) -> bool:
    return isinstance(text, str) and bool(_HASH.fullmatch(text))


class EvidenceStore:
    def __init__(self, root: str | Path, zone: ZoneInfo, max_bytes: int):
        self.root = Path(root)
        self.zone = zone  # a camera's clock without an offset is read as the office's (WIB)
        self.max_bytes = max_bytes

    # Writing -------------------------------------------------------------------------

    def put(self, stream, expected: str | None = None) -> Evidence:
        """Store the bytes of `stream` (at most max_bytes) under their SHA-256; `expected`:
        the hash the client says they have (refused if they do not). Idempotent: the
        answer's `stored` says whether these bytes were new to the store."""
        incoming = self._folder(self.root / "incoming")
        digest, size, head = hashlib.sha256(), 0, b""
        with tempfile.NamedTemporaryFile(dir=incoming, delete=False) as temporary:
            try:
                while chunk := stream.read(_CHUNK):
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise EvidenceError(f"larger than {self.max_bytes} bytes", "size")
                    if len(head) < 16:
                        head += chunk[:16 - len(head)]
                    digest.update(chunk)
                    temporary.write(chunk)
                kind = media_type(head)
                if kind is None:
                    raise EvidenceError("not a photo or a video", "type")
                sha256 = digest.hexdigest()
                if expected is not None and expected != sha256:
                    raise EvidenceError("the bytes do not have the SHA-256 named", "hash")
                temporary.flush()
                try:
                    check(Path(temporary.name), kind)
                except Refused as e:
                    raise EvidenceError(str(e), e.reason, e.kind) from None
                os.fsync(temporary.fileno())
                os.chmod(temporary.name, 0o600)
                found = Evidence(sha256, size, kind, self._captured_at(Path(temporary.name), kind))
                target = self.path(sha256)
                self._folder(target.parent)
                stored = self._commit(Path(temporary.name), target, sha256, size)
            finally:
                temporary.close()
                Path(temporary.name).unlink(missing_ok=True)
        self._thumbnail(found)
        return replace(found, stored=stored)

    @staticmethod
    def _commit(temporary: Path, target: Path, sha256: str, size: int) -> bool:
        """Link the received file into place, unless the store already holds exactly these
        bytes (an insider's edit or a torn write is replaced). True: it was new. Sent
        again, its clock of an unclaimed file starts again (`sweep`)."""
        while True:
            try:
                os.link(temporary, target)  # atomic, and refuses to overwrite: one writer wins
                return True
            except FileExistsError:
                pass
            try:
                if _is_regular(target) and target.stat().st_size == size and _sha256_of(target) == sha256:
                    os.utime(target)
                    return False
                os.replace(temporary, target)
                return True
            except FileNotFoundError:  # a sweep took it away meanwhile: link it again
                continue

    def _thumbnail(self, found: Evidence) -> None:
        target = self.thumb_path(found.sha256)
        if not found.type.startswith("image/") or _is_regular(target):
            return
        try:
            with _image(self.path(found.sha256), found.type) as image:
                if image is None:
                    return
                image.draft("RGB", (THUMB_PIXELS * 2, THUMB_PIXELS * 2))  # JPEG: decoded small
                small = ImageOps.exif_transpose(image)
                small.thumbnail((THUMB_PIXELS, THUMB_PIXELS))
                self._folder(target.parent)
                with tempfile.NamedTemporaryFile(dir=target.parent, delete=False, suffix=".jpg") as out:
                    small.convert("RGB").save(out, "JPEG", quality=80)
                os.chmod(out.name, 0o600)
                os.replace(out.name, target)
        except Exception:  # noqa: BLE001 - a photo Pillow cannot read (HEIC) has no thumbnail
            return

    def _folder(self, path: Path) -> Path:
        """Create `path` and the folders between it and the root, each 0700."""
        chain = [path, *[p for p in path.parents if p == self.root or self.root in p.parents]]
        for folder in reversed(chain):
            if not folder.is_dir():
                folder.mkdir(parents=True, exist_ok=True)
                os.chmod(folder, 0o700)
        return path

    # Reading -------------------------------------------------------------------------

    def path(self, sha256: str) -> Path:
        if not is_sha256(sha256):
            raise EvidenceError("not a SHA-256", "hash")
        return self.root / "sha256" / sha256[:2] / sha256

    def thumb_path(self, sha256: str) -> Path:
        return self.root / "thumbs" / sha256[:2] / f"{self.path(sha256).name}.jpg"

    def has(self, sha256: str) -> bool:
        """A regular file of the store (a symlink an insider put there is not)."""
        return is_sha256(sha256) and _is_regular(self.path(sha256))

    def kind(self, sha256: str) -> str:
        """The media type of a stored file, from its first bytes (nothing decoded)."""
        with open(self.path(sha256), "rb") as f:
            return media_type(f.read(16)) or "application/octet-stream"

    def describe(self, sha256: str) -> Evidence:
        """What a stored file is: size, type and, for a photo, when it was taken. A command
        asks it before an event names the file: its clock of an unclaimed file starts
        again, so that a sweep running meanwhile leaves it (`sweep`)."""
        try:
            if not self.has(sha256):
                raise FileNotFoundError(sha256)
            path = self.path(sha256)
            os.utime(path)
            kind, size = self.kind(sha256), path.stat().st_size
        except FileNotFoundError:
            raise EvidenceError(f"no evidence {sha256[:80]} in the store", "missing") from None
        return Evidence(sha256=sha256, size=size, type=kind, captured_at=self._captured_at(path, kind))

    def _captured_at(self, path: Path, kind: str) -> datetime | None:
        """EXIF DateTimeOriginal of a JPEG (with OffsetTimeOriginal if the camera wrote
        one), if it is a believable time; None otherwise (no EXIF, a broken clock)."""
        if kind != "image/jpeg":
            return None  # phones write EXIF in their JPEGs; reading other formats decodes them
        try:
            with _image(path, kind) as image:
                exif = image.getexif().get_ifd(0x8769) if image is not None else {}
            text, offset = exif.get(0x9003), exif.get(0x9011)
            taken = datetime.strptime(str(text).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
            if not FIRST_CAPTURE_YEAR <= taken.year <= LAST_CAPTURE_YEAR:
                return None
            found = re.fullmatch(r"([+-])(\d{2}):(\d{2})", str(offset or "").strip("\x00 "))
            if found is None:
                return taken.replace(tzinfo=self.zone)
            shift = timedelta(hours=int(found[2]), minutes=int(found[3]))
            if shift > timedelta(hours=14):
                return None
            return taken.replace(tzinfo=timezone(shift if found[1] == "+" else -shift))
        except Exception:  # noqa: BLE001 - a camera's garbage: no capture time
            return None

    def stored(self) -> list[str]:
        """Every hash in the store."""
        folder = self.root / "sha256"
        return sorted(p.name for p in folder.glob("*/*") if is_sha256(p.name)) if folder.is_dir() else []

    # Unclaimed files ---------------------------------------------------------------

    def sweep(self, named: Callable[[], set[str]], older_than: timedelta, now: float | None = None) -> Swept | None:
        """Remove the files that no event names (`named()`: every hash the log names) and
        that were last uploaded or named more than `older_than` ago, each with a log line;
        count them, and the unclaimed files that stay (younger), in `sweep.json`. None: a
        sweep of another process holds the lock (nothing done).

        Safe against a command naming a file meanwhile: the file is first moved out of the
        store (a command that asks for it then is refused, "upload it first"); if its clock
        started again before the move (an upload of it, a command's `describe`), it is put
        back. The limit is hours; a request lasts minutes at most."""
        self._folder(self.root)
        descriptor = os.open(self.root / "sweep.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return None
            claimed = named()
            now = time.time() if now is None else now
            limit = now - older_than.total_seconds()
            removed, unclaimed = [], []
            for sha256 in dict.fromkeys([*self.stored(), *self._moved_out()]):
                if sha256 in claimed:
                    self._put_back(sha256)
                    continue
                outcome = self._remove(sha256, limit)
                if outcome is not None:
                    (removed if outcome[0] else unclaimed).append(outcome[1])
            before = self.swept() or {}
            summary = {"swept_at": now, "older_than_hours": older_than.total_seconds() / 3600,
                       "unclaimed_files": len(unclaimed), "unclaimed_bytes": sum(unclaimed),
                       "removed": len(removed), "removed_bytes": sum(removed),
                       "removed_total": before.get("removed_total", 0) + len(removed),
                       "removed_bytes_total": before.get("removed_bytes_total", 0) + sum(removed)}
            _write_atomically(self.root / "sweep.json", json.dumps(summary, indent=1).encode())
            return Swept(**summary)
        finally:
            os.close(descriptor)

    def swept(self) -> dict | None:
        """What the last sweep found (`sweep.json`), or None before the first."""
        try:
            return json.loads((self.root / "sweep.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def _remove(self, sha256: str, limit: float) -> tuple[bool, int] | None:
        """Remove an unnamed file last used before `limit`: (True, its size); or leave it
        (False, its size); None: there is no such file."""
        path, moved = self.path(sha256), self.root / "orphans" / sha256
        if not _is_regular(moved):
            try:
                status = os.lstat(path)
                if not stat.S_ISREG(status.st_mode):
                    return None
                if status.st_mtime > limit:
                    return False, status.st_size
                os.rename(path, self._folder(moved.parent) / sha256)
            except FileNotFoundError:  # it was never there
                return None
        status = os.stat(moved)
        if status.st_mtime > limit:  # uploaded again or named just before it was moved
            self._put_back(sha256)
            return False, status.st_size
        os.unlink(moved)
        if not self.has(sha256):  # not uploaded again meanwhile
            self.thumb_path(sha256).unlink(missing_ok=True)
        log.warning("unclaimed evidence removed: %s (%d bytes, last uploaded or named %s UTC): "
                    "no event names it", sha256, status.st_size,
                    datetime.fromtimestamp(status.st_mtime, timezone.utc).isoformat(timespec="seconds"))
        return True, status.st_size

    def _put_back(self, sha256: str) -> None:
        moved = self.root / "orphans" / sha256
        if not _is_regular(moved):
            return
        try:
            os.link(moved, self._folder(self.path(sha256).parent) / sha256)
        except FileExistsError:  # uploaded again meanwhile: the same bytes
            pass
        os.unlink(moved)

    def _moved_out(self) -> list[str]:
        """Files a sweep moved out and did not finish with (it stopped halfway)."""
        folder = self.root / "orphans"
        return sorted(p.name for p in folder.iterdir() if is_sha256(p.name)) if folder.is_dir() else []

    # Backups -------------------------------------------------------------------------

    def copy_to(self, target: str | Path) -> tuple[int, list[str]]:
        """Copy the files (and thumbnails) not yet in `target` (a backup, or the store a
        backup is restored into), each checked against its name on the way and written
        0600 before it is renamed into place. Returns (how many copied, the hashes whose
        bytes are not theirs, which are not copied)."""
        destination_store = EvidenceStore(target, self.zone, self.max_bytes)
        copied, bad = 0, []
        for sha256 in self.stored():
            source, destination = self.path(sha256), destination_store.path(sha256)
            if not _is_regular(source):
                continue
            if _is_regular(destination) and destination.stat().st_size == source.stat().st_size:
                continue
            if not _copy_checked(source, destination_store._folder(destination.parent), destination, sha256):
                bad.append(sha256)
                continue
            copied += 1
            thumbnail = self.thumb_path(sha256)
            if _is_regular(thumbnail):
                _copy_checked(thumbnail, destination_store._folder(destination_store.thumb_path(sha256).parent),
                              destination_store.thumb_path(sha256), None)
        return copied, bad

CAPTURE_MARGIN = timedelta(hours=3)  # a photo taken further from its activity is flagged


def far_from(captured_at: datetime, starts_at: datetime, ends_at: datetime | None) -> bool:
    """Whether a photo's capture time is more than CAPTURE_MARGIN before the activity's
    start or after its end (its start, without one): the inspector's first question."""
    return not starts_at - CAPTURE_MARGIN <= captured_at <= (ends_at or starts_at) + CAPTURE_MARGIN



def _is_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _write_atomically(target: Path, data: bytes) -> None:
    descriptor, name = tempfile.mkstemp(dir=target.parent)
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
        os.replace(name, target)
    finally:
        Path(name).unlink(missing_ok=True)


def _copy_checked(source: Path, folder: Path, destination: Path, sha256: str | None) -> bool:
    """Copy into a 0600 temporary file of `folder`, check the hash (if given), rename."""
    digest = hashlib.sha256()
    descriptor, name = tempfile.mkstemp(dir=folder)
    try:
        with open(source, "rb") as f, os.fdopen(descriptor, "wb") as out:
            while chunk := f.read(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if sha256 is not None and digest.hexdigest() != sha256:
            return False
        os.replace(name, destination)
        return True
    finally:
        Path(name).unlink(missing_ok=True)


@contextmanager
def _image(path: Path, kind: str):
    """The image, opened lazily (nothing decoded), or None when decoding it would cost
    more than a phone's photo should (a decompression bomb)."""
    with Image.open(path) as image:
        width, height = image.size
        most = MAX_TOTAL_PIXELS if kind == "image/jpeg" else MAX_PIXELS
        yield image if width * height <= most else None

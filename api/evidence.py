"""The evidence store: photos and videos of activities, kept by their content.

A file is stored once under its SHA-256 (`sha256/ab/abcdef…`), so an upload sent again
(a retry on a weak connection, a second officer with the same photo) stores nothing new,
and a `Documented` event names its files by hash: the log's tree covers them. Beside each
image a thumbnail (`thumbs/ab/abcdef….jpg`) is made when it is stored. The folder is
`IKU_EVIDENCE_DIR` (a shared mount when several hosts serve), readable by its owner only;
`iku backup` copies it and the audit export lists it (docs/OPERATIONS.md, docs/AUDIT.md).

A file is what its bytes say it is (JPEG, PNG, WebP, HEIC, GIF, MP4, QuickTime, 3GP,
WebM), never what its name or the browser says; anything else is refused.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

THUMB_PIXELS = 480
_HASH = re.compile(r"^[0-9a-f]{64}$", re.ASCII)
_CHUNK = 1 << 20


class EvidenceError(ValueError):
    """A file refused: `reason` is 'type', 'size', 'hash' or 'missing'."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Evidence:
    """One stored file as a `Documented` event names it."""

    sha256: str
    size: int
    type: str  # its media type, from its bytes
    captured_at: datetime | None = None  # when the photo was taken (EXIF), if it says

    def as_event_data(self) -> dict:
        return {"sha256": self.sha256, "size": self.size, "type": self.type,
                "captured_at": None if self.captured_at is None else self.captured_at.isoformat()}


def is_sha256(text: str) -> bool:
    return bool(_HASH.match(text))


def media_type(head: bytes) -> str | None:
    """The type of a file from its first bytes; None: not a photo or video we keep."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1", b"heis", b"hevc"):
            return "image/heic"
        if brand == b"qt  ":
            return "video/quicktime"
        if brand.startswith(b"3g"):
            return "video/3gpp"
        return "video/mp4"
    return None


class EvidenceStore:
    def __init__(self, root: str | Path, zone: ZoneInfo, max_bytes: int):
        self.root = Path(root)
        self.zone = zone  # a camera's clock without an offset is read as the office's (WIB)
        self.max_bytes = max_bytes

    # Writing -------------------------------------------------------------------------

    def put(self, stream, expected: str | None = None) -> Evidence:
        """Store the bytes of `stream` (at most max_bytes) under their SHA-256; `expected`:
        the hash the client says they have (refused if they do not). Idempotent."""
        self._folder(self.root / "incoming")
        digest, size = hashlib.sha256(), 0
        with tempfile.NamedTemporaryFile(dir=self.root / "incoming", delete=False) as temporary:
            try:
                head = b""
                while chunk := stream.read(_CHUNK):
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise EvidenceError(f"larger than {self.max_bytes} bytes", "size")
                    if len(head) < 16:
                        head += chunk[:16]
                    digest.update(chunk)
                    temporary.write(chunk)
                if media_type(head) is None:
                    raise EvidenceError("not a photo or a video", "type")
                sha256 = digest.hexdigest()
                if expected is not None and expected != sha256:
                    raise EvidenceError("the bytes do not have the SHA-256 named", "hash")
                temporary.flush()
                os.fsync(temporary.fileno())
            except BaseException:
                temporary.close()
                os.unlink(temporary.name)
                raise
        target = self.path(sha256)
        if target.exists():
            os.unlink(temporary.name)
        else:
            self._folder(target.parent)
            os.chmod(temporary.name, 0o600)
            os.replace(temporary.name, target)
        found = self.describe(sha256)
        self._thumbnail(found)
        return found

    def _thumbnail(self, found: Evidence) -> None:
        if not found.type.startswith("image/") or self.thumb_path(found.sha256).exists():
            return
        from PIL import Image, ImageOps

        try:
            with Image.open(self.path(found.sha256)) as image:
                small = ImageOps.exif_transpose(image)
                small.thumbnail((THUMB_PIXELS, THUMB_PIXELS))
                target = self.thumb_path(found.sha256)
                self._folder(target.parent)
                with tempfile.NamedTemporaryFile(dir=target.parent, delete=False, suffix=".jpg") as out:
                    small.convert("RGB").save(out, "JPEG", quality=80)
                os.chmod(out.name, 0o600)
                os.replace(out.name, target)
        except Exception:  # noqa: BLE001 - a photo Pillow cannot read (HEIC) has no thumbnail
            return

    @staticmethod
    def _folder(path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)

    # Reading -------------------------------------------------------------------------

    def path(self, sha256: str) -> Path:
        if not is_sha256(sha256):
            raise EvidenceError("not a SHA-256", "hash")
        return self.root / "sha256" / sha256[:2] / sha256

    def thumb_path(self, sha256: str) -> Path:
        return self.root / "thumbs" / sha256[:2] / f"{self.path(sha256).name}.jpg"

    def has(self, sha256: str) -> bool:
        return is_sha256(sha256) and self.path(sha256).is_file()

    def describe(self, sha256: str) -> Evidence:
        """What a stored file is: size, type and, for a photo, when it was taken."""
        if not self.has(sha256):
            raise EvidenceError(f"no evidence {sha256[:80]} in the store", "missing")
        path = self.path(sha256)
        with open(path, "rb") as f:
            kind = media_type(f.read(16)) or "application/octet-stream"
        return Evidence(sha256=sha256, size=path.stat().st_size, type=kind,
                        captured_at=self._captured_at(path) if kind.startswith("image/") else None)

    def _captured_at(self, path: Path) -> datetime | None:
        """EXIF DateTimeOriginal (with OffsetTimeOriginal if the camera wrote one)."""
        from PIL import Image

        try:
            with Image.open(path) as image:
                exif = image.getexif().get_ifd(0x8769)
            text, offset = exif.get(0x9003), exif.get(0x9011)
            taken = datetime.strptime(str(text).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
        except Exception:  # noqa: BLE001 - no EXIF, or a camera's garbage: no capture time
            return None
        found = re.match(r"^([+-])(\d{2}):(\d{2})$", str(offset or ""))
        if found:
            sign = 1 if found[1] == "+" else -1
            return taken.replace(tzinfo=timezone(sign * timedelta(hours=int(found[2]), minutes=int(found[3]))))
        return taken.replace(tzinfo=self.zone)

    def stored(self) -> list[str]:
        """Every hash in the store."""
        folder = self.root / "sha256"
        return sorted(p.name for p in folder.glob("*/*") if is_sha256(p.name)) if folder.is_dir() else []

    # Backups -------------------------------------------------------------------------

    def copy_to(self, target: str | Path) -> int:
        """Copy the files (and thumbnails) not yet in `target`: a backup beside the
        database's, kept by content like the store. Returns how many were copied."""
        copied = 0
        for part in ("sha256", "thumbs"):
            source = self.root / part
            for path in sorted(source.glob("*/*")) if source.is_dir() else []:
                destination = Path(target) / part / path.parent.name / path.name
                if not destination.exists():
                    self._folder(destination.parent)
                    shutil.copyfile(path, destination)
                    os.chmod(destination, 0o600)
                    copied += part == "sha256"
        return copied


CAPTURE_MARGIN = timedelta(hours=3)  # a photo taken further from its activity is flagged


def far_from(captured_at: datetime, starts_at: datetime, ends_at: datetime | None) -> bool:
    """Whether a photo's capture time is more than CAPTURE_MARGIN before the activity's
    start or after its end (its start, without one): the inspector's first question."""
    return not starts_at - CAPTURE_MARGIN <= captured_at <= (ends_at or starts_at) + CAPTURE_MARGIN


def send(path: Path, kind: str, etag: str):
    """A stored file as an HTTP answer: inline, never sniffed, revalidated by its hash."""
    from flask import send_file

    response = send_file(path, mimetype=kind, max_age=0, conditional=True, etag=etag)
    response.headers["Content-Disposition"] = "inline"
    return response

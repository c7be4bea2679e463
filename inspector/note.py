"""C2SP signed notes (signed-note.md), checkpoints (tlog-checkpoint.md), cosignatures
(tlog-cosignature.md, `cosignature/v1`) and proofs (tlog-proof.md), with Ed25519 keys.

Only `cryptography` beyond the standard library: the inspector runs this without the
service (docs/AUDIT.md).

Longer than 300 lines because the four C2SP formats build on one another (a checkpoint is
a note's text, a cosignature a note's signature, a proof carries a checkpoint), and each is
checked against its spec here, side by side.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import os
import struct
import time
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .catalog import _

ED25519 = 0x01  # a note signature (the log's)
COSIGNATURE_V1 = 0x04  # a timestamped Ed25519 witness cosignature
DASH = "\u2014"
PROOF_HEADER = "c2sp.org/tlog-proof@v1"


class NoteError(ValueError):
    """A note, key, checkpoint or proof that cannot be read or does not verify."""


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def unb64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise NoteError(_("%(what)s bukan base64", what=what)) from None


def key_id(name: str, kind: int, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([kind]) + public).digest()[:4]


def check_name(name: str) -> str:
    if not name or any(c.isspace() or c == "+" for c in name):
        raise NoteError(_("nama kunci %(name)r: tidak boleh kosong, tanpa spasi atau '+'", name=name))
    return name


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@dataclass(frozen=True)
class Verifier:
    """A verifier key: name, signature type and Ed25519 public key (a `vkey`)."""

    name: str
    kind: int
    public: bytes

    @classmethod
    def parse(cls, vkey: str) -> Verifier:
        parts = vkey.strip().split("+", 2)  # the base64 key may itself hold a "+"
        if len(parts) != 3:
            raise NoteError(_("bukan kunci verifikasi (nama+keyid+kunci): %(key)r", key=vkey.strip()[:80]))
        name, hex_id, material = parts
        check_name(name)
        raw = unb64(material, _("kunci verifikasi"))
        if len(raw) != 33 or raw[0] not in (ED25519, COSIGNATURE_V1):
            raise NoteError(_("kunci verifikasi %(name)s: bukan kunci Ed25519 jenis 0x01 atau 0x04", name=name))
        verifier = cls(name, raw[0], raw[1:])
        if hex_id.lower() != verifier.key_id.hex() or len(hex_id) != 8:
            raise NoteError(_("kunci verifikasi %(name)s: ID kuncinya tidak cocok dengan kuncinya", name=name))
        return verifier

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.kind, self.public)

    @property
    def vkey(self) -> str:
        return f"{self.name}+{self.key_id.hex()}+{b64(bytes([self.kind]) + self.public)}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public).verify(signature, message)
            return True
        except (InvalidSignature, ValueError):
            return False


def parse_verifiers(text: str) -> list[Verifier]:
    """Verifier keys separated by newlines, spaces or commas (`#` starts a comment)."""
    keys = []
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        keys.extend(Verifier.parse(k) for k in line.replace(",", " ").split())
    return keys


class Signer:
    """An Ed25519 private key (PKCS#8 PEM file) signing notes or cosignatures as `name`."""

    def __init__(self, name: str, key: Ed25519PrivateKey, kind: int = ED25519):
        self.name, self.key, self.kind = check_name(name), key, kind
        self.verifier = Verifier(name, kind, raw_public(key.public_key()))

    @classmethod
    def from_file(cls, name: str, path: str | os.PathLike, kind: int = ED25519, *,
                  create: bool = False) -> Signer:
        return cls(name, load_private_key(path, create=create), kind)

    def sign_note(self, text: str) -> str:
        """The signature line of a note text (which ends in a newline)."""
        signature = self.key.sign(text.encode())
        return f"{DASH} {self.name} {b64(self.verifier.key_id + signature)}\n"

    def cosign(self, body: str, timestamp: int | None = None) -> str:
        """A cosignature/v1 line for a checkpoint body."""
        timestamp = int(time.time()) if timestamp is None else timestamp
        signature = self.key.sign(cosigned_message(body, timestamp))
        return (f"{DASH} {self.name} "
                f"{b64(self.verifier.key_id + struct.pack('>Q', timestamp) + signature)}\n")


def load_private_key(path: str | os.PathLike, *, create: bool = False) -> Ed25519PrivateKey:
    """A PKCS#8 PEM Ed25519 key; made (mode 0600) if absent and `create`. Refused if the
    file is readable or writable by others than its owner."""
    path = Path(path)
    if not path.exists():
        if not create:
            raise NoteError(_("berkas kunci %(path)s tidak ada", path=path))
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())
        # Written whole under another name, then linked: another process starting at the
        # same time sees no key or a whole key, never half of one.
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as f:
            f.write(pem)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:  # another process made it first: use that one
            pass
        finally:
            tmp.unlink()
    if os.name == "posix" and path.stat().st_mode & 0o077:
        raise NoteError(_("berkas kunci %(path)s dapat dibaca selain pemiliknya (mode %(mode)s): chmod 600 %(path)s",
                          path=path, mode=f"{path.stat().st_mode & 0o777:04o}"))
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError) as e:
        raise NoteError(_("berkas kunci %(path)s bukan kunci privat PEM (%(error)s)", path=path, error=e)) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise NoteError(_("berkas kunci %(path)s bukan kunci Ed25519", path=path))
    return key


def cosigned_message(body: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n{body}".encode()


# Notes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signature:
    name: str
    key_id: bytes
    signature: bytes  # after the key ID
    line: str

    @classmethod
    def parse(cls, line: str) -> Signature:
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != DASH:
            raise NoteError(_("bukan baris tanda tangan: %(line)r", line=line[:80]))
        raw = unb64(parts[2], _("tanda tangan"))
        if len(raw) < 5:
            raise NoteError(_("tanda tangan terlalu pendek"))
        return cls(check_name(parts[1]), raw[:4], raw[4:], line + "\n")


@dataclass(frozen=True)
class Note:
    text: str  # including its final newline
    signatures: tuple[Signature, ...]

    @classmethod
    def parse(cls, data: str | bytes) -> Note:
        if isinstance(data, bytes):
            try:
                data = data.decode()
            except UnicodeDecodeError:
                raise NoteError(_("catatan (note) harus UTF-8")) from None
        if any(ord(c) < 0x20 and c != "\n" for c in data):
            raise NoteError(_("catatan (note) tidak boleh berisi karakter kendali"))
        split = data.rfind("\n\n")
        if split < 0 or not data.endswith("\n"):
            raise NoteError(_("catatan (note) terdiri dari teksnya, satu baris kosong dan baris-baris tanda tangannya"))
        text, lines = data[:split + 1], data[split + 2:-1].split("\n")
        if len(lines) > 64:
            raise NoteError(_("catatan (note) dengan lebih dari 64 tanda tangan"))
        return cls(text, tuple(Signature.parse(line) for line in lines))

    def __str__(self) -> str:
        return self.text + "\n" + "".join(s.line for s in self.signatures)

    def verified_by(self, verifiers: list[Verifier]) -> list[Verifier]:
        """The note-signature (0x01) verifiers whose signature is here and verifies. A
        signature by a known key that fails to verify rejects the note."""
        good = []
        for verifier in verifiers:
            if verifier.kind != ED25519:
                continue
            for s in self.signatures:
                if s.name == verifier.name and s.key_id == verifier.key_id:
                    if not verifier.verify(self.text.encode(), s.signature):
                        raise NoteError(_("tanda tangan %(name)s tidak sah", name=verifier.name))
                    good.append(verifier)
        return good

    def cosigned_by(self, witnesses: list[Verifier]) -> dict[str, int]:
        """name → timestamp of each given witness (0x04) whose cosignature is here and
        verifies; a cosignature by a known witness that fails to verify rejects the note."""
        good = {}
        for witness in witnesses:
            if witness.kind != COSIGNATURE_V1:
                continue
            for s in self.signatures:
                if s.name == witness.name and s.key_id == witness.key_id:
                    if len(s.signature) != 72:
                        raise NoteError(_("tanda tangan bersama %(name)s panjangnya salah", name=witness.name))
                    timestamp = struct.unpack(">Q", s.signature[:8])[0]
                    if not witness.verify(cosigned_message(self.text, timestamp), s.signature[8:]):
                        raise NoteError(_("tanda tangan bersama %(name)s tidak sah", name=witness.name))
                    good[witness.name] = timestamp
        return good

    def with_signatures(self, lines: list[str]) -> Note:
        known = {s.line for s in self.signatures}
        extra = tuple(Signature.parse(line.rstrip("\n")) for line in lines if line not in known)
        return Note(self.text, self.signatures + extra)


# Checkpoints ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = field(default=())

    @property
    def body(self) -> str:
        return "".join(line + "\n" for line in (
            self.origin, str(self.size), b64(self.root), *self.extensions))

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        lines = text.split("\n")
        if len(lines) < 4 or lines[-1] != "":
            raise NoteError(_("titik periksa terdiri dari origin, ukuran pohon dan hash akar, masing-masing satu baris"))
        origin, size, root = lines[0], lines[1], lines[2]
        if not origin:
            raise NoteError(_("origin titik periksa kosong"))
        if not (size.isascii() and size.isdigit()) or (size != "0" and size.startswith("0")):
            raise NoteError(_("ukuran pohon titik periksa bukan bilangan desimal: %(size)r", size=size[:30]))
        root_bytes = unb64(root, _("hash akar titik periksa"))
        if len(root_bytes) != 32:
            raise NoteError(_("hash akar titik periksa tidak 32 bita"))
        return cls(origin, int(size), root_bytes, tuple(lines[3:-1]))


def open_checkpoint(data: str | bytes, log_keys: list[Verifier], origin: str | None = None
                    ) -> tuple[Note, Checkpoint]:
    """Read a signed checkpoint; refuse it unless a trusted log key signed it."""
    note = Note.parse(data)
    if not note.verified_by(log_keys):
        raise NoteError(_("titik periksa tidak ditandatangani kunci log tepercaya"))
    checkpoint = Checkpoint.parse(note.text)
    if origin is not None and checkpoint.origin != origin:
        raise NoteError(_("titik periksa ini milik log %(origin)r, bukan %(wanted)r",
                          origin=checkpoint.origin, wanted=origin))
    return note, checkpoint


# Proofs (tlog-proof) -------------------------------------------------------------------


@dataclass(frozen=True)
class Proof:
    index: int
    hashes: tuple[bytes, ...]
    checkpoint: str  # the signed note, verbatim
    extra: bytes | None = None

    def __str__(self) -> str:
        lines = [PROOF_HEADER]
        if self.extra is not None:
            lines.append(f"extra {b64(self.extra)}")
        lines.append(f"index {self.index}")
        lines.extend(b64(h) for h in self.hashes)
        return "\n".join(lines) + "\n\n" + self.checkpoint

    @classmethod
    def parse(cls, data: str | bytes) -> Proof:
        if isinstance(data, bytes):
            try:
                data = data.decode()
            except UnicodeDecodeError:
                raise NoteError(_("bukti harus UTF-8")) from None
        head, sep, checkpoint = data.partition("\n\n")
        lines = head.split("\n")
        if not sep or lines[0] != PROOF_HEADER:
            raise NoteError(_("bukan bukti %(header)s", header=PROOF_HEADER))
        lines.pop(0)
        extra = None
        if lines and lines[0].startswith("extra "):
            extra = unb64(lines.pop(0)[6:], _("data extra bukti"))
        if not lines or not lines[0].startswith("index "):
            raise NoteError(_("bukti tidak memiliki baris index"))
        index = lines.pop(0)[6:]
        if not (index.isascii() and index.isdigit()) or (index != "0" and index.startswith("0")):
            raise NoteError(_("index bukti bukan bilangan desimal"))
        hashes = tuple(unb64(line, _("hash bukti")) for line in lines)
        if any(len(h) != 32 for h in hashes):
            raise NoteError(_("hash bukti tidak 32 bita"))
        return cls(int(index), hashes, checkpoint, extra)

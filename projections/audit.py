"""Signed checkpoints of the hash chain, and the audit export an inspector verifies offline.

A checkpoint signs, with the service's Ed25519 key, the statement

    IKU-CHECKPOINT v1
    position: <chain position>
    hash: <chain hash at that position, hex>
    signed_at: <RFC 3339 instant>

Checkpoints are taken on demand (`iku checkpoint`), with every audit export, and at least
daily while the service is used. Verification (here and offline) checks each signature
with the public key and each checkpoint's hash against the chain recomputed from the events.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .chain import GENESIS, Chain, canonical, link

CHECKPOINT_EVERY = timedelta(days=1)


def statement(position: int, chain_hash: str, signed_at: str) -> bytes:
    return (f"IKU-CHECKPOINT v1\nposition: {position}\nhash: {chain_hash}\n"
            f"signed_at: {signed_at}\n").encode()


@dataclass(frozen=True)
class Checkpoint:
    position: int
    hash: str
    signed_at: str
    signature: str  # base64 Ed25519 signature of statement(...)
    public_key: str = ""  # PEM of the key that signed it (keys may be rotated)

    def verify(self, public_key: Ed25519PublicKey) -> bool:
        try:
            public_key.verify(base64.b64decode(self.signature),
                              statement(self.position, self.hash, self.signed_at))
            return True
        except (InvalidSignature, ValueError):
            return False


class Signer:
    """The checkpoint signing key: a PEM file, made (mode 0600) on first use."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

    def private_key(self) -> Ed25519PrivateKey:
        if not self.path.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            key = Ed25519PrivateKey.generate()
            pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
            descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as f:
                f.write(pem)
        return serialization.load_pem_private_key(self.path.read_bytes(), password=None)

    def public_pem(self) -> str:
        return public_pem(self.private_key().public_key())

    def sign(self, data: bytes) -> str:
        return base64.b64encode(self.private_key().sign(data)).decode()


def public_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.PEM,
                            serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


class Checkpoints:
    def __init__(self, chain: Chain, signer: Signer):
        self.chain = chain
        self.signer = signer
        self.view = chain.view
        with self.view.write_transaction() as c:
            c.execute("CREATE TABLE IF NOT EXISTS iku_checkpoints (position BIGINT NOT NULL, "
                      "hash TEXT NOT NULL, signed_at TEXT NOT NULL, signature TEXT NOT NULL, "
                      "public_key TEXT NOT NULL)")

    def take(self) -> Checkpoint:
        self.chain.catch_up()
        position, chain_hash = self.chain.head()
        signed_at = datetime.now(UTC).isoformat(timespec="microseconds")
        checkpoint = Checkpoint(position, chain_hash, signed_at,
                                self.signer.sign(statement(position, chain_hash, signed_at)),
                                self.signer.public_pem())
        with self.view.write_transaction() as c:
            c.execute(self.view.sql("INSERT INTO iku_checkpoints VALUES (?, ?, ?, ?, ?)"),
                      (checkpoint.position, checkpoint.hash, checkpoint.signed_at, checkpoint.signature,
                       checkpoint.public_key))
        return checkpoint

    def all(self) -> list[Checkpoint]:
        with self.view.read() as c:
            c.execute("SELECT position, hash, signed_at, signature, public_key FROM iku_checkpoints "
                      "ORDER BY signed_at")
            return [Checkpoint(r["position"], r["hash"], r["signed_at"], r["signature"], r["public_key"])
                    for r in c.fetchall()]

    def latest(self) -> Checkpoint | None:
        with self.view.read() as c:
            c.execute("SELECT position, hash, signed_at, signature, public_key FROM iku_checkpoints "
                      "ORDER BY signed_at DESC LIMIT 1")
            r = c.fetchone()
        return Checkpoint(r["position"], r["hash"], r["signed_at"], r["signature"], r["public_key"]) if r else None

    def keep_daily(self) -> Checkpoint | None:
        """Take a checkpoint if the last one is a day old and the log has moved since."""
        latest = self.latest()
        position = self.chain.catch_up()
        if latest is not None and (position == latest.position or datetime.fromisoformat(
                latest.signed_at) > datetime.now(UTC) - CHECKPOINT_EVERY):
            return None
        if position == 0:
            return None
        return self.take()

    def verify(self):
        """The chain, then every checkpoint: its signature, and its hash against the chain."""
        result = self.chain.verify()
        if not result.ok:
            return result
        for checkpoint in self.all():
            # Each checkpoint is checked with the key that signed it: keys may be rotated.
            # Whether that key is trusted is for the inspector, who holds the published keys.
            try:
                key = load_public_key(checkpoint.public_key.encode())
            except ValueError:
                key = None
            if key is None or not checkpoint.verify(key):
                return type(result)(False, result.checked, 0, "", checkpoint.position,
                                    f"the checkpoint signed at {checkpoint.signed_at} has a bad signature")
            if checkpoint.position > result.head_position or (
                    checkpoint.position and self.chain.hash_at(checkpoint.position) != checkpoint.hash):
                return type(result)(False, result.checked, 0, "", checkpoint.position,
                                    f"the log no longer matches the checkpoint signed at {checkpoint.signed_at}")
        return result


# Offline verification of an export (needs no database and no server) --------------------


class ExportRefused(Exception):
    """A damaged or forged export: the reason names the file and the first bad line."""


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def verify_export(folder: str | os.PathLike, public_key_pem: bytes) -> dict:
    """Check an audit export with nothing but the export and the public key."""
    folder = Path(folder)
    try:
        checkpoint = Checkpoint(**json.loads((folder / "checkpoint.json").read_text()))
    except (OSError, ValueError, TypeError) as e:
        raise ExportRefused(f"checkpoint.json: cannot be read ({e})") from None
    if not checkpoint.verify(load_public_key(public_key_pem)):
        raise ExportRefused("checkpoint.json: the signature does not verify with this public key")
    previous, position, at_checkpoint = GENESIS, 0, None
    with open(folder / "events.jsonl", encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            try:
                e = json.loads(line)
                state = base64.b64decode(e["state"], validate=True)
                previous = link(previous, canonical(e["position"], e["activity_id"], e["version"],
                                                    e["topic"], e["recorded_at"], e["actor"], state))
            except (ValueError, KeyError, TypeError) as error:
                raise ExportRefused(f"events.jsonl line {number}: cannot be read ({error})") from None
            position += 1
            if e["position"] != position:
                raise ExportRefused(f"events.jsonl line {number}: position {e['position']}, expected {position}")
            if json.loads(state).get("actor") != e["actor"]:
                raise ExportRefused(f"events.jsonl line {number}: the actor differs from the stored event's")
            if previous.hex() != e["hash"]:
                raise ExportRefused(f"events.jsonl line {number}: the event does not match its hash")
            if position == checkpoint.position:
                at_checkpoint = previous.hex()
    if at_checkpoint is None and checkpoint.position != 0:
        raise ExportRefused(f"events.jsonl: ends before the checkpoint's position {checkpoint.position}")
    if checkpoint.position and at_checkpoint != checkpoint.hash:
        raise ExportRefused("checkpoint.json: its hash differs from the chain recomputed from events.jsonl")
    # Last, the other files: each must be the one the manifest names.
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
    except (OSError, ValueError) as e:
        raise ExportRefused(f"manifest.json: cannot be read ({e})") from None
    if manifest.get("checkpoint") != {"position": checkpoint.position, "hash": checkpoint.hash}:
        raise ExportRefused("manifest.json: names another checkpoint than checkpoint.json")
    for name, digest in manifest.get("files", {}).items():
        path = folder / name
        if not path.exists():
            raise ExportRefused(f"{name}: missing")
        if sha256_file(path) != digest:
            raise ExportRefused(f"{name}: its SHA-256 differs from the manifest's")
    return {"ok": True, "events": position, "checkpoint": asdict(checkpoint)}

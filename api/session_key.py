"""The web sessions' key: a file readable by its owner only, beside the log's signing key
(outside the database's folder), never in the database or its backups. Made once, with a
link that only one process can win, so every worker and every `iku` of a host shares it;
hosts serving one database share the file as they share the signing key."""
from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path


class SessionKeyRefused(RuntimeError):
    """The key's file may be read by others: the service does not start with it."""


def session_key(path: Path) -> str:
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        draft = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as f:
            f.write(secrets.token_urlsafe(48))
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(draft, path)  # only one process makes the key; the others read it
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        raise SessionKeyRefused(f"the session key {path} is readable by others: chmod 600 it "
                                "(or remove it: every session then ends)")
    key = path.read_text().strip()
    if len(key) < 32:
        raise SessionKeyRefused(f"the session key {path} is too short (at least 32 characters)")
    return key

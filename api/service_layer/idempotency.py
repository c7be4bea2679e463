"""Idempotency-Key (SPEC §4): one fingerprint for every entrypoint.

A repeated command with the same key from the same user returns the first acknowledgement
and appends nothing; the same key with another command or other values is 422. The key is
stored in the same transaction as the event it acknowledges (domain/store), so only
successful writes are remembered and a crash can never separate the two."""
from __future__ import annotations

import hashlib
import json

from domain.store.records import IdempotencyClaim


def claim(actor: str, key: str | None, command: str, target, values: dict,
          expected_version: int | None) -> IdempotencyClaim | None:
    """The claim of `key` for this command, or None without a key. `values` are the
    command's own (normalised) values, so the same command from the API, a page or the CLI
    has the same fingerprint."""
    if key is None:
        return None
    canonical = json.dumps(
        {"command": command, "target": None if target is None else str(target),
         "values": values, "if_match": expected_version},
        sort_keys=True, separators=(",", ":"), default=str,
    )
    return IdempotencyClaim(actor=actor, key=key,
                            fingerprint=hashlib.sha256(canonical.encode()).hexdigest())

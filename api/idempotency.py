"""Idempotency-Key: a repeated POST with the same key from the same user returns the first
response and appends nothing; the same key with another request is 422 (SPEC §4).

The key is stored in the same transaction as the event it acknowledges, so only successful
writes are remembered and a crash can never separate the two."""
from __future__ import annotations

import hashlib
import json

from flask import g, request

from domain.store.records import IdempotencyClaim


def claim_for(key: str | None, body: dict, if_match: int | None) -> IdempotencyClaim | None:
    if key is None:
        return None
    canonical = json.dumps(
        {"method": request.method, "path": request.path, "body": body, "if_match": if_match},
        sort_keys=True, separators=(",", ":"), default=str,
    )
    return IdempotencyClaim(
        actor=g.user.name, key=key, fingerprint=hashlib.sha256(canonical.encode()).hexdigest()
    )

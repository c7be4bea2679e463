"""The access a request obeys: each user's account as the log gives it (docs/AUDIT.md,
"Roles from the log"), never the users' tables, which are a cache beside it.

The account events of a user are folded with the inspector's own fold
(`inspector.roles.Accounts`, the one the witness and `verify-export` judge every event
with), each event first checked to be the service's (its seal). A process keeps each
account it folded and reads only the events recorded since: one primary-key lookup per
request. An event the service did not write stops the fold there (the account stays as the
service left it; the log line names it) — the service can never append after it on that
account, since versions are per record."""
from __future__ import annotations

import json
import logging
import threading
from uuid import UUID

from inspector.leaves import actor_of, canonical
from inspector.merkle import leaf_hash
from inspector.roles import Account, Accounts, account_id
from inspector.seal import SealedLog

log = logging.getLogger(__name__)


class AccountLedger:
    def __init__(self, recorder, origin: str, log_keys):
        self.recorder = recorder
        self.origin = origin
        self.log_keys = list(log_keys)
        self._accounts: dict[str, Account] = {}
        self._lock = threading.Lock()

    def account(self, name: str) -> Account | None:
        """The user's access as last recorded in the log (None: the log never made them)."""
        if "\x00" in name or not name.isprintable():
            return None
        aggregate = account_id(name)
        known = self._accounts.get(aggregate)
        rows = self.recorder.select_record_rows(UUID(aggregate), known.version if known else 0)
        if not rows:
            return known
        sealer = self.recorder.sealer
        sealed = SealedLog(self.origin, self.log_keys, boundary=sealer.sealed_from if sealer else None,
                           own=sealer)
        fold = Accounts()
        if known is not None:
            fold.by_id[aggregate] = known
        for position, version, topic, state, recorded_at, seal in rows:
            leaf = leaf_hash(canonical(position, aggregate, version, topic, recorded_at, actor_of(state), state))
            failure = sealed.failure(position, leaf, seal)
            if failure:
                log.error("the account of %r is not obeyed past version %d: %s", name, version - 1, failure)
                break
            try:
                event = _json(state)
            except ValueError:
                log.error("the account of %r is not obeyed past version %d: its event cannot be read",
                          name, version - 1)
                break
            fold.feed(position, aggregate, version, topic, event)
        found = fold.by_id.get(aggregate)
        if found is not None:
            with self._lock:
                cached = self._accounts.get(aggregate)
                if cached is None or cached.version < found.version:
                    self._accounts[aggregate] = found
        return found


def _json(state: bytes) -> dict:
    event = json.loads(state)
    if not isinstance(event, dict):
        raise ValueError("not an event")
    return event

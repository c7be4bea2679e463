"""How many password checks a login may cost, and whose (docs/RULES.md, "Login").

Each attempt is counted in buckets before its password is checked, in one transaction:

- a browser that has logged in as this user before (its device cookie) has a bucket of
  its own, so nobody elsewhere can lock the user out of their own browser;
- any other client is counted under the user name (known or not, the same) and under its
  address (an IPv6 /64 is one address), so that neither guessing one user's password from
  many addresses nor trying many names from one address goes fast.

A bucket is a GCRA (the Generic Cell Rate Algorithm of rate limiters): `burst` attempts at
once, then one per `interval`. An attempt takes its place before the check (so concurrent
attempts cannot all be checked) and gives it back if the password was right."""
from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass

SECOND = 1_000_000  # instants and durations are in microseconds, as recorded_at


@dataclass(frozen=True)
class Rate:
    burst: int
    interval: int  # microseconds

    def take(self, tat: int | None, now: int) -> tuple[int, int]:
        """(the bucket's next theoretical arrival time, 0) if an attempt at `now` may go
        ahead, else (tat, microseconds to wait)."""
        new_tat = max(tat or now, now) + self.interval
        over = new_tat - now - self.burst * self.interval
        return (new_tat, 0) if over <= 0 else (tat, over)

    def wait_after(self, tat: int, now: int) -> int:
        """Microseconds until the next attempt may go ahead (0: now)."""
        return max(0, tat + self.interval - now - self.burst * self.interval)


DEVICE = Rate(burst=5, interval=60 * SECOND)  # a browser this user logged in with before
USER = Rate(burst=5, interval=5 * 60 * SECOND)  # a user name, from any other client
ADDRESS = Rate(burst=20, interval=60 * SECOND)  # a client address, whatever the names


def buckets(name: str, address: str | None, device: str | None) -> dict[str, Rate]:
    """The buckets an attempt is counted in: its device's, or the name's and the address's."""
    if device:
        return {"device:" + device: DEVICE}
    return {user_bucket(name): USER, "address:" + client_network(address): ADDRESS}


def user_bucket(name: str) -> str:
    """A name of any length is one short key (a name is what a client sends, known or not),
    folded as logins compare names: 'Budi' and 'BUDI' share the bucket of 'budi'."""
    return "user:" + hashlib.sha256(name.lower().encode("utf-8", "surrogatepass")).hexdigest()


def client_network(address: str | None) -> str:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return "unknown"
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)

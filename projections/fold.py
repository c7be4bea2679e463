"""Folding an activity's events into the compact state the view keeps.

A separate, deliberately different fold from the domain aggregate's: the reference replay
calculator uses the aggregate, the view uses this, and the property test holds them equal.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from domain.store.clock import FOREVER, to_micros

from .facts import LEADER_BITS, MEDIA_BITS
from .periods import date_key


# The activity's event types the fold reads, and those it declares irrelevant to every fact
# (they only move the version). A unit test fails when the domain has an event type that is
# in neither: each new event type is decided here, once.
FOLDED = frozenset({"ActivityScheduled", "ActivityRescheduled", "ActivityCancelled",
                    "ProtocolServed", "Documented", "EntryRetracted"})
IRRELEVANT: frozenset[str] = frozenset()
# The ucapan's (fold_ucapan): the same rule for its event types.
UCAPAN_FOLDED = frozenset({"UcapanRequested", "UcapanDelivered", "UcapanCancelled", "DeliveryRetracted"})
UCAPAN_IRRELEVANT: frozenset[str] = frozenset()


def undecided(event_types, folded=None, irrelevant=None) -> set[str]:
    """The names of event types neither folded nor declared irrelevant (the activity's
    sets unless others are given)."""
    folded = FOLDED if folded is None else folded
    irrelevant = IRRELEVANT if irrelevant is None else irrelevant
    return {cls.__name__ for cls in event_types} - folded - irrelevant


def fold(state: dict | None, kind: str, event: dict, version: int) -> dict:
    """Return the new state (a fresh dict) after an event of `kind` with data `event`, the
    activity's `version`."""
    if kind == "ActivityScheduled":
        starts_at, ends_at = event["starts_at"], event["ends_at"]
        return {
            "v": version,
            "title": event["title"],
            "location": event["location"],
            "scope": event["scope"],
            "category": event["category"],
            "leaders": sum(LEADER_BITS[leader] for leader in event["leaders"]),
            "starts_at": to_micros(starts_at),
            "ends_at": None if ends_at is None else to_micros(ends_at),
            "offset": starts_at.utcoffset().total_seconds(),
            "cancelled": 0,
            "protocol": [],
            "documentation": {},
        }
    state = dict(state, v=version)
    if kind == "ActivityRescheduled":
        starts_at, ends_at = event["starts_at"], event["ends_at"]
        state["starts_at"] = to_micros(starts_at)
        state["ends_at"] = None if ends_at is None else to_micros(ends_at)
        state["offset"] = starts_at.utcoffset().total_seconds()
    elif kind == "ActivityCancelled":
        state["cancelled"] = 1
    elif kind == "ProtocolServed":
        state["protocol"] = [*state["protocol"], version]
    elif kind == "Documented":
        state["documentation"] = {**state["documentation"], str(version): MEDIA_BITS[event["media"]]}
    elif kind == "EntryRetracted":
        retracted = event["retracted_version"]
        state["protocol"] = [v for v in state["protocol"] if v != retracted]
        state["documentation"] = {
            k: m for k, m in state["documentation"].items() if k != str(retracted)
        }
    # Any other event type changes no fact: the activity only moves to its version.
    return state


def media_mask(state: dict) -> int:
    mask = 0
    for bit in state["documentation"].values():
        mask |= bit
    return mask


class LocalDates:
    """Local date keys of instants in a timezone. Every UTC offset in use today is a
    multiple of 15 minutes, so the date is the same across a 15-minute bucket: cache per
    bucket. An older offset that is not (Jakarta's +07:07:12 until 1924, +07:20 until
    1932) is computed for the instant itself."""

    BUCKET = 15 * 60 * 1_000_000

    def __init__(self, zone: ZoneInfo):
        self.zone = zone
        self._cache: dict[int, int] = {}

    def key(self, micros: int) -> int:
        bucket = micros // self.BUCKET
        found = self._cache.get(bucket)
        if found is None:
            try:
                local = datetime.fromtimestamp(bucket * self.BUCKET / 1_000_000, self.zone)
                if local.utcoffset() % timedelta(minutes=15):  # not whole buckets: this instant's own date
                    return date_key(datetime.fromtimestamp(micros / 1_000_000, self.zone).date())
                found = date_key(local.date())
            except (ValueError, OverflowError, OSError):
                # Outside what datetime can hold: before or after every period (the domain
                # refuses such dates; a log written before that rule may hold one).
                found = 0 if micros < 0 else 99_999_999
            self._cache[bucket] = found
            if len(self._cache) > 1_000_000:
                self._cache.clear()
        return found


def version_row(
    position: int, activity_id: str, state: dict, recorded_at: int, dates: LocalDates
) -> list:
    """The row of activity_versions made by the event at `position`, open in system time."""
    return [
        position,
        activity_id,
        state["v"],
        recorded_at,
        FOREVER,
        dates.key(state["starts_at"]),
        state["starts_at"],
        state["ends_at"],
        state["leaders"],
        state["cancelled"],
        1 if state["protocol"] else 0,
        media_mask(state),
        _text(state["title"]),
        _text(state["location"]),
        state["scope"],
        _text(state["category"]),
        state["offset"],
        None,  # prev_position: the row this event closed, set by the projector
        None,  # moved_late_from: the local date it left, if a reschedule recorded after the start
    ]


# The ucapan -------------------------------------------------------------------------------


def fold_ucapan(state: dict | None, kind: str, event: dict, version: int, dates: LocalDates) -> dict:
    """The ucapan's state after an event: what its row of ucapan_versions holds, and its
    live deliveries (version → the local date key of the delivery)."""
    if kind == "UcapanRequested":
        return {
            "v": version, "kind": event["kind"], "relation": event["relation"],
            "recipient": event["recipient"], "occasion": event["occasion"],
            "leaders": sum(LEADER_BITS[leader] for leader in event["leaders"]),
            "due": int(event["due_on"].replace("-", "")), "cancelled": 0, "deliveries": {},
        }
    state = dict(state, v=version)
    if kind == "UcapanDelivered":
        state["deliveries"] = {**state["deliveries"], str(version): dates.key(to_micros(event["delivered_at"]))}
    elif kind == "UcapanCancelled":
        state["cancelled"] = 1
    elif kind == "DeliveryRetracted":
        retracted = str(event["retracted_version"])
        state["deliveries"] = {k: d for k, d in state["deliveries"].items() if k != retracted}
    return state


def ucapan_row(position: int, ucapan_id: str, state: dict, recorded_at: int) -> list:
    """The row of ucapan_versions made by the event at `position`, open in system time."""
    deliveries = state["deliveries"]
    return [position, ucapan_id, state["v"], recorded_at, FOREVER, state["due"], state["leaders"],
            state["cancelled"], min(deliveries.values()) if deliveries else None, state["kind"],
            state["relation"], _text(state["recipient"]), _text(state["occasion"]),
            json.dumps(deliveries, separators=(",", ":")), None]


def _text(value: str | None) -> str | None:
    """Text as the view keeps it: a NUL (which PostgreSQL's text cannot hold, and which the
    service refuses since; a log of before may have one) shown as U+FFFD. The log keeps
    the text as it was recorded."""
    return value.replace("\x00", "\ufffd") if value and "\x00" in value else value

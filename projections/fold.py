"""Folding an activity's events into the compact state the view keeps.

A separate, deliberately different fold from the domain aggregate's: the reference replay
calculator uses the aggregate, the view uses this, and the property test holds them equal.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from domain.store.clock import FOREVER, to_micros

from .indicators import LEADER_BITS, MEDIA_BITS
from .periods import date_key


def fold(state: dict | None, event, version: int) -> dict:
    """Return the new state (a fresh dict) after `event`, the activity's `version`."""
    kind = type(event).__name__
    if kind == "ActivityScheduled":
        return {
            "v": version,
            "title": event.title,
            "location": event.location,
            "scope": event.scope,
            "category": event.category,
            "leaders": sum(LEADER_BITS[leader] for leader in event.leaders),
            "starts_at": to_micros(event.starts_at),
            "ends_at": None if event.ends_at is None else to_micros(event.ends_at),
            "offset": event.starts_at.utcoffset().total_seconds(),
            "cancelled": 0,
            "protocol": [],
            "documentation": {},
        }
    state = dict(state, v=version)
    if kind == "ActivityRescheduled":
        state["starts_at"] = to_micros(event.starts_at)
        state["ends_at"] = None if event.ends_at is None else to_micros(event.ends_at)
        state["offset"] = event.starts_at.utcoffset().total_seconds()
    elif kind == "ActivityCancelled":
        state["cancelled"] = 1
    elif kind == "ProtocolServed":
        state["protocol"] = [*state["protocol"], version]
    elif kind == "Documented":
        state["documentation"] = {**state["documentation"], str(version): MEDIA_BITS[event.media]}
    elif kind == "EntryRetracted":
        retracted = event.retracted_version
        state["protocol"] = [v for v in state["protocol"] if v != retracted]
        state["documentation"] = {
            k: m for k, m in state["documentation"].items() if k != str(retracted)
        }
    else:  # pragma: no cover - a new event type must be folded before it is recorded
        raise ValueError(f"unknown event type {kind}")
    return state


def media_mask(state: dict) -> int:
    mask = 0
    for bit in state["documentation"].values():
        mask |= bit
    return mask


def version_row(activity_id: str, state: dict, recorded_at: int, zone: ZoneInfo) -> list:
    """A row of activity_versions, open-ended in system time."""
    starts_local = datetime.fromtimestamp(state["starts_at"] / 1_000_000, zone)
    return [
        activity_id,
        state["v"],
        recorded_at,
        FOREVER,
        date_key(starts_local.date()),
        state["starts_at"],
        state["ends_at"],
        state["leaders"],
        state["cancelled"],
        1 if state["protocol"] else 0,
        media_mask(state),
        state["title"],
        state["location"],
        state["scope"],
        state["category"],
        state["offset"],
    ]

"""The facts registry: what can hold of a record (an activity, an ucapan), each defined once.

A fact is counted among the records of an indicator's denominator. Each is written
three ways, for the three readers that must agree (the property test holds them equal):

- `sql`: a predicate over a row of the bitemporal view (`activity_versions`, and the
  summed `activity_counts`; `ucapan_versions` for an ucapan's): the as-of calculator counts
  with it; `row`: the same over a row as read into Python (the listing and diff);
- `holds`: a predicate over the domain aggregate's state (its live entries): the
  reference replay counts with it, independently of the view;
- `counts`: which recorded event makes it hold (a live entry): explain and diff show it.

and `label` is how a user reads it. Indicators, explain, diff, the pages, the charts and
the schemas iterate this registry; a new fact of the same columns is a definition here.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from domain.model import MEDIA

MEDIA_BITS = {"media_luar_ruang": 1, "foto": 2, "video": 4}
LEADER_BITS = {"bupati": 1, "wakil_bupati": 2}
assert tuple(MEDIA_BITS) == tuple(MEDIA), "a medium of the domain has no bit in the view"


@dataclass(frozen=True)
class Fact:
    name: str
    label: str  # Indonesian, a msgid of the pages' catalog
    sql: str  # over a view row (columns: cancelled, leaders, served, media)
    row: Callable  # the same, over a view row read into a dict
    holds: Callable  # (live protocol versions, live media set) of an Activity → bool;
    # of an Ucapan: (the Ucapan, the configured zone) → bool
    counts: Callable  # (event type, event data) of a live entry → bool
    record: str = "activity"  # what it holds of: "activity" or "ucapan"

    def holds_for(self, activity, zone=None) -> bool:
        """Over the domain aggregate: its entries not retracted."""
        if self.record == "ucapan":
            return self.holds(activity, zone)
        protocol = [v for v in activity.protocol if v not in activity.retracted]
        media = {d["media"] for v, d in activity.documentation.items() if v not in activity.retracted}
        return self.holds(protocol, media)


def _medium(name: str, bit: int, label: str) -> Fact:
    return Fact(
        name=f"media:{name}", label=label, sql=f"(media & {bit}) <> 0",
        row=lambda r: (r["media"] & bit) != 0,
        holds=lambda protocol, media: name in media,
        counts=lambda kind, data: kind == "Documented" and data.get("media") == name)


MEDIA_LABELS = {"media_luar_ruang": "Media luar ruang", "foto": "Foto", "video": "Video"}

FACTS: dict[str, Fact] = {f.name: f for f in (
    Fact("served", "Mendapat pelayanan keprotokolan", "served <> 0", row=lambda r: r["served"] != 0,
         holds=lambda protocol, media: bool(protocol),
         counts=lambda kind, data: kind == "ProtocolServed"),
    Fact("documented", "Didokumentasikan", "media <> 0", row=lambda r: r["media"] != 0,
         holds=lambda protocol, media: bool(media),
         counts=lambda kind, data: kind == "Documented"),
    *(_medium(name, bit, MEDIA_LABELS[name]) for name, bit in MEDIA_BITS.items()),
    # Of an ucapan (a row of ucapan_versions: delivered_date is the local date of its first
    # live delivery, YYYYMMDD, or NULL; due_date the date it is due).
    Fact("delivered_on_time", "Tersampaikan tepat waktu",
         "delivered_date IS NOT NULL AND delivered_date <= due_date",
         row=lambda r: r["delivered_date"] is not None and r["delivered_date"] <= r["due_date"],
         holds=lambda ucapan, zone: ucapan.on_time(zone),
         counts=lambda kind, data: kind == "UcapanDelivered", record="ucapan"),
    Fact("delivered", "Tersampaikan", "delivered_date IS NOT NULL",
         row=lambda r: r["delivered_date"] is not None,
         holds=lambda ucapan, zone: ucapan.delivered_on(zone) is not None,
         counts=lambda kind, data: kind == "UcapanDelivered", record="ucapan"),
)}


def register(fact: Fact) -> Fact:
    """Add a fact (a test's or an office's own); its name must be new."""
    if fact.name in FACTS:
        raise ValueError(f"the fact {fact.name!r} is already defined")
    FACTS[fact.name] = fact
    return fact


def fact(name: str) -> Fact:
    return FACTS[name]

"""The ucapan (leadership communication): a condolence or a congratulation the Bupati and/or
Wakil Bupati send to a related party — the decree's function "(e) Pelaksanaan penyampaian
ucapan duka dan selamat".

Its four events follow the activity's rules: nothing is updated or deleted; a delivery
recorded in error is retracted by a later event with a reason; a request that will not be
sent is cancelled with a reason. The date it is due is a local date (YYYY-MM-DD): the
supporting indicator counts the ucapan by it, and a delivery is on time when its local
date is on or before it (docs/RULES.md, "Ucapan").
"""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from eventsourcing.domain import event

from .exceptions import DomainError, EntryNotRetractable, InvalidActivityData
from .model import FIRST_YEAR, LAST_YEAR, check_leaders
from .recorded import ActedAggregate

KINDS = ("duka", "selamat")
RELATIONS = ("instansi", "pejabat", "tokoh_masyarakat", "tokoh_agama", "organisasi", "keluarga_asn",
             "masyarakat", "lainnya")
CHANNELS = ("karangan_bunga", "surat", "kunjungan_langsung", "media_sosial", "iklan_media_cetak")


class UcapanNotFound(DomainError):
    """No ucapan with that id (or none yet at the as-of instant)."""


class UcapanStateConflict(DomainError):
    """Delivering or cancelling a cancelled ucapan; cancelling a delivered one."""


def check_due_on(value: str) -> date:
    try:
        due = date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidActivityData("Not a valid date (YYYY-MM-DD).", field="due_on") from None
    if not FIRST_YEAR <= due.year <= LAST_YEAR:
        raise InvalidActivityData(f"must be between the years {FIRST_YEAR} and {LAST_YEAR}", field="due_on")
    return due


def check_delivered_at(value: datetime) -> None:
    if value.utcoffset() is None:
        raise InvalidActivityData("must carry a timezone offset", field="delivered_at")
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise InvalidActivityData(f"must be between the years {FIRST_YEAR} and {LAST_YEAR}",
                                  field="delivered_at")


class Ucapan(ActedAggregate):
    @event("UcapanRequested")
    def __init__(self, kind: str, recipient: str, relation: str, occasion: str, leaders: list[str],
                 due_on: str, notes: str | None = None):
        self.kind = kind
        self.recipient = recipient
        self.relation = relation
        self.occasion = occasion
        self.leaders = list(leaders)
        self.due_on = due_on
        self.notes = notes
        self.cancelled = False
        self.cancel_reason: str | None = None
        self.deliveries: dict[int, dict] = {}
        self.retracted: dict[int, str] = {}

    @staticmethod
    def check_request(kind: str, relation: str, leaders: list[str], due_on: str) -> None:
        """Checked before the event is made, not in its body (which also runs on replay)."""
        if kind not in KINDS:
            raise InvalidActivityData(f"unknown kind {kind!r}", field="kind")
        if relation not in RELATIONS:
            raise InvalidActivityData(f"unknown relation {relation!r}", field="relation")
        check_leaders(leaders)
        check_due_on(due_on)

    # What holds ----------------------------------------------------------------------

    def live_deliveries(self) -> dict[int, dict]:
        return {v: d for v, d in self.deliveries.items() if v not in self.retracted}

    def same_delivery(self, values: dict) -> int | None:
        """The version of a live delivery that says what `values` say, if any: a delivery
        sent again is recognised, not recorded twice."""
        for version, delivery in sorted(self.live_deliveries().items()):
            if delivery == values:
                return version
        return None

    def delivered_on(self, zone: ZoneInfo) -> date | None:
        """The local date of its first live delivery (None: not delivered)."""
        days = [d["delivered_at"].astimezone(zone).date() for d in self.live_deliveries().values()]
        return min(days) if days else None

    def on_time(self, zone: ZoneInfo) -> bool:
        delivered = self.delivered_on(zone)
        return delivered is not None and delivered <= date.fromisoformat(self.due_on)

    # Commands ------------------------------------------------------------------------

    def _check_not_cancelled(self) -> None:
        if self.cancelled:
            raise UcapanStateConflict("the ucapan is cancelled")

    def deliver(self, *, channel: str, delivered_by: list[str], delivered_at: datetime,
                evidence: list[dict] | None = None, notes: str | None = None) -> None:
        self._check_not_cancelled()
        if channel not in CHANNELS:
            raise InvalidActivityData(f"unknown channel {channel!r}", field="channel")
        if not delivered_by or any(not isinstance(n, str) or not n.strip() for n in delivered_by):
            raise InvalidActivityData("name at least one", field="delivered_by")
        check_delivered_at(delivered_at)
        self._deliver(channel=channel, delivered_by=list(delivered_by), delivered_at=delivered_at,
                      evidence=list(evidence or []), notes=notes)

    @event("UcapanDelivered")
    def _deliver(self, channel: str, delivered_by: list[str], delivered_at: datetime,
                 evidence: list[dict], notes: str | None):
        self.deliveries[self.version + 1] = {
            "channel": channel, "delivered_by": delivered_by, "delivered_at": delivered_at,
            "evidence": evidence, "notes": notes}

    def cancel(self, reason: str) -> None:
        self._check_not_cancelled()
        if self.live_deliveries():
            raise UcapanStateConflict("the ucapan was delivered: retract the delivery first")
        self._cancel(reason=reason)

    @event("UcapanCancelled")
    def _cancel(self, reason: str):
        self.cancelled = True
        self.cancel_reason = reason

    def retract(self, version: int, reason: str) -> None:
        """A delivery recorded in error (possible on a cancelled ucapan too)."""
        if version not in self.deliveries:
            raise EntryNotRetractable(f"version {version} is not an UcapanDelivered of this ucapan")
        if version in self.retracted:
            raise EntryNotRetractable(f"version {version} is already retracted")
        self._retract(retracted_version=version, reason=reason)

    @event("DeliveryRetracted")
    def _retract(self, retracted_version: int, reason: str):
        self.retracted[retracted_version] = reason

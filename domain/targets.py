"""Targets of the Perjanjian Kinerja: the yearly target of each indicator, as events.

One aggregate per (indicator, year). Setting it the first time is TargetSet; a change is
TargetChanged and needs a reason. Targets are percentages in 0–100."""
from __future__ import annotations

from decimal import Decimal
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from .exceptions import InvalidActivityData
from .recorded import ActedAggregate


def check_target(value: Decimal) -> None:
    if not Decimal(0) <= value <= Decimal(100):
        raise InvalidActivityData("a target is a percentage from 0 to 100", field="target")


class IndicatorTarget(ActedAggregate):
    @staticmethod
    def create_id(indicator: str, year: int) -> UUID:
        return uuid5(NAMESPACE_URL, f"/iku/targets/{indicator}/{year}")

    @event("TargetSet")
    def __init__(self, indicator: str, year: int, target: str, reason: str | None = None):
        self.indicator = indicator
        self.year = year
        self.target = Decimal(target)

    def change(self, target: Decimal, reason: str) -> None:
        if not reason or not reason.strip():
            raise InvalidActivityData("a changed target needs a reason", field="reason")
        self._change(target=str(target), reason=reason)

    @event("TargetChanged")
    def _change(self, target: str, reason: str) -> None:
        self.target = Decimal(target)

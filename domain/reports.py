"""Period reports: pimpinan submits a period's figures; reopening one for correction is an
event with a reason. One aggregate per period label (e.g. 2021-Q1)."""
from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from .exceptions import DomainError, InvalidActivityData
from .recorded import ActedAggregate


class ReportStateConflict(DomainError):
    """Submitting a submitted period, or reopening one that is not submitted."""


class PeriodReport(ActedAggregate):
    @staticmethod
    def create_id(period: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"/iku/reports/{period}")

    @event("ReportOpened")
    def __init__(self, period: str):
        self.period = period
        self.submitted = False
        self.submissions: list[dict] = []

    def submit(self, *, as_of: str, figures: list[dict], chain_position: int, chain_hash: str):
        if self.submitted:
            raise ReportStateConflict(f"{self.period} is already submitted; reopen it first")
        self._submit(as_of=as_of, figures=figures, chain_position=chain_position, chain_hash=chain_hash)

    @event("ReportSubmitted")
    def _submit(self, as_of: str, figures: list[dict], chain_position: int, chain_hash: str):
        self.submitted = True
        self.submissions.append({"as_of": as_of, "figures": figures, "chain_position": chain_position,
                                 "chain_hash": chain_hash, "version": self.version + 1})

    def reopen(self, reason: str):
        if not self.submitted:
            raise ReportStateConflict(f"{self.period} is not submitted")
        if not reason or not reason.strip():
            raise InvalidActivityData("reopening needs a reason", field="reason")
        self._reopen(reason=reason)

    @event("ReportReopened")
    def _reopen(self, reason: str):
        self.submitted = False

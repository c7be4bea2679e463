"""Period reports: pimpinan submits a period's figures; reopening one for correction is an
event with a reason. One aggregate per period label (e.g. 2021-Q1)."""
from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from .exceptions import DomainError, InvalidActivityData
from .recorded import ActedAggregate


class ReportStateConflict(DomainError):
    """Submitting a submitted period, or reopening one that is not submitted."""


class AlreadySubmitted(ReportStateConflict):
    """Submitting a period whose report is submitted (reopen it first)."""


class NotSubmitted(ReportStateConflict):
    """Reopening a period whose report is not submitted."""


class PeriodNotEnded(ReportStateConflict):
    """Submitting a period before it has ended (and its grace days have passed)."""


class PeriodReport(ActedAggregate):
    @staticmethod
    def create_id(period: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"/iku/reports/{period}")

    @event("ReportOpened")
    def __init__(self, period: str):
        self.period = period
        self.submitted = False
        self.submissions: list[dict] = []

    def submit(self, *, as_of: str, figures: list[dict], chain_position: int, chain_hash: str,
               note: str | None = None):
        if self.submitted:
            raise AlreadySubmitted(f"{self.period} is already submitted; reopen it first")
        self._submit(as_of=as_of, figures=figures, chain_position=chain_position, chain_hash=chain_hash,
                     note=note)

    @event("ReportSubmitted")
    def _submit(self, as_of: str, figures: list[dict], chain_position: int, chain_hash: str,
                note: str | None = None):
        """`note`: the pimpinan's penjelasan of the period's figures (the LKjIP's analysis)."""
        self.submitted = True
        self.submissions.append({"as_of": as_of, "figures": figures, "chain_position": chain_position,
                                 "chain_hash": chain_hash, "version": self.version + 1})

    def reopen(self, reason: str):
        if not self.submitted:
            raise NotSubmitted(f"{self.period} is not submitted")
        if not reason or not reason.strip():
            raise InvalidActivityData("reopening needs a reason", field="reason")
        self._reopen(reason=reason)

    @event("ReportReopened")
    def _reopen(self, reason: str):
        self.submitted = False

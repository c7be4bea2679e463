"""Domain exceptions → HTTP statuses: one table, for the JSON API and the pages alike."""
from __future__ import annotations

from domain import exceptions as d
from domain.accounts import AccountStateConflict
from domain.reports import ReportStateConflict
from domain.ucapan import UcapanNotFound, UcapanStateConflict

from ..users import LastAdmin, UnknownUser, UserExists

STATUS: dict[type, int] = {
    d.NotPermitted: 403,
    d.ActivityNotFound: 404,
    d.ActivityIsCancelled: 409,
    d.EntryNotRetractable: 409,
    d.StaleVersion: 409,
    d.ConcurrentWrite: 409,
    d.ClockRefused: 409,
    ReportStateConflict: 409,
    UcapanNotFound: 404,
    UcapanStateConflict: 409,
    AccountStateConflict: 409,
    UserExists: 409,
    UnknownUser: 404,
    LastAdmin: 409,
    d.InvalidActivityData: 422,
    d.IdempotencyKeyReused: 422,
    d.NotSubmittable: 503,
}


def status_of(error: d.DomainError) -> int:
    for kind in type(error).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return 400

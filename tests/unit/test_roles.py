"""The inspector's role check (inspector/roles.py) knows every event the domain records: a new
event type must say which permission causes it, or the witness and verify-export could not
judge it (issue 23)."""
from eventsourcing.utils import get_topic

from domain.accounts import UserAccount
from domain.model import Activity, event_types
from domain.reports import PeriodReport
from domain.targets import IndicatorTarget
from domain.ucapan import Ucapan
from inspector.recompute import Recomputer
from inspector.roles import OWN, PERMISSION, RETRACTION, ROLE_PERMISSIONS, Authorship, account_id


def topics() -> set[str]:
    return {get_topic(cls) for record in (Activity, Ucapan, IndicatorTarget, PeriodReport, UserAccount)
            for cls in event_types(record) if cls.__module__.startswith("domain.")}


def test_every_event_type_of_the_domain_has_the_permission_that_causes_it():
    assert topics() - set(PERMISSION) - {OWN, RETRACTION} == set()
    assert set(PERMISSION) - topics() == set()  # and names no event the domain does not have


def test_every_permission_an_event_needs_is_some_roles():
    granted = set().union(*ROLE_PERMISSIONS.values())
    assert set(PERMISSION.values()) | {"retract_protocol", "retract_documentation"} <= granted


def test_the_recomputation_knows_every_topic_even_those_it_ignores():
    recomputer = Recomputer()
    assert topics() - set(recomputer._handlers) == set()


def test_a_retraction_needs_the_permission_of_the_kind_of_entry_it_retracts():
    feed = Authorship().failure
    assert feed(1, account_id("citra"), 1, "domain.accounts:UserAccount.AccountCreated",
                {"actor": "system:cli", "name": "citra", "role": "dokumentasi"}) is None
    activity = "a" * 32
    assert feed(2, activity, 1, "domain.model:Activity.ActivityScheduled", {"actor": "system:cli"}) is None
    assert feed(3, activity, 2, "domain.model:Activity.ProtocolServed", {"actor": "system:cli"}) is None
    assert feed(4, activity, 3, "domain.model:Activity.Documented", {"actor": "citra"}) is None
    assert feed(5, activity, 4, RETRACTION, {"actor": "citra", "retracted_version": 3}) is None
    refused = feed(6, activity, 5, RETRACTION, {"actor": "citra", "retracted_version": 2})
    assert refused == ("peristiwa pada posisi 6: citra berperan dokumentasi saat itu dan tidak boleh menarik "
                       "catatan pelayanan keprotokolan")
    assert feed(7, account_id("budi"), 1, OWN, {"actor": "citra"}) == (
        "peristiwa pada posisi 7: citra mengubah kata sandi akun lain")

"""The invariants of SPEC §4, on the aggregate alone (no I/O)."""
from datetime import datetime

import pytest

from domain.context import acting_as
from domain.exceptions import ActivityIsCancelled, EntryNotRetractable, InvalidActivityData
from domain.model import Activity, check_leaders, check_times
from tests.conftest import wib


def schedule(**overrides) -> Activity:
    data = dict(title="Rapat Koordinasi", leaders=["bupati"], starts_at=wib(2021, 3, 1, 9),
                location="Pendopo", scope="dalam_daerah")
    data.update(overrides)
    return Activity(**data)


@pytest.fixture(autouse=True)
def actor():
    with acting_as("petugas"):
        yield


def test_leaders_must_be_a_non_empty_subset_of_bupati_and_wakil_bupati():
    check_leaders(["bupati", "wakil_bupati"])
    for bad in ([], ["camat"], ["bupati", "bupati"]):
        with pytest.raises(InvalidActivityData) as e:
            check_leaders(bad)
        assert e.value.field == "leaders"


def test_a_naive_starts_at_is_refused():
    with pytest.raises(InvalidActivityData) as e:
        check_times(datetime(2021, 3, 1, 9), None)
    assert e.value.field == "starts_at"


def test_ends_at_before_starts_at_is_refused():
    with pytest.raises(InvalidActivityData) as e:
        check_times(wib(2021, 3, 1, 9), wib(2021, 3, 1, 8))
    assert e.value.field == "ends_at"
    activity = schedule()
    with pytest.raises(InvalidActivityData):
        activity.reschedule(starts_at=wib(2021, 3, 2, 9), ends_at=wib(2021, 3, 2, 8), reason="x")


def test_a_reschedule_replaces_starts_at_and_an_absent_ends_at_clears_it():
    activity = schedule(ends_at=wib(2021, 3, 1, 11))
    activity.reschedule(starts_at=wib(2021, 3, 2, 9), reason="Pimpinan berhalangan")
    assert activity.starts_at == wib(2021, 3, 2, 9)
    assert activity.ends_at is None


@pytest.mark.parametrize(
    "command",
    [
        lambda a: a.serve(officers=["Ani"]),
        lambda a: a.document(media="foto"),
        lambda a: a.reschedule(starts_at=wib(2021, 3, 2, 9), reason="x"),
        lambda a: a.cancel(reason="again"),
    ],
    ids=["serve", "document", "reschedule", "cancel-again"],
)
def test_a_cancelled_activity_refuses_serve_document_reschedule_and_cancel(command):
    activity = schedule()
    activity.cancel(reason="Pimpinan berhalangan")
    with pytest.raises(ActivityIsCancelled):
        command(activity)
    assert activity.version == 2


def test_a_retraction_stays_possible_on_a_cancelled_activity():
    activity = schedule()
    activity.serve(officers=["Ani"])
    activity.cancel(reason="batal")
    activity.retract(version=2, reason="salah input")
    assert activity.retracted == {2: "salah input"}


@pytest.mark.parametrize("version", [1, 3, 99], ids=["the-schedule", "a-reschedule", "unknown"])
def test_a_retraction_must_name_a_protocol_or_documentation_entry(version):
    activity = schedule()
    activity.serve(officers=["Ani"])
    activity.reschedule(starts_at=wib(2021, 3, 2, 9), reason="x")
    with pytest.raises(EntryNotRetractable):
        activity.retract(version=version, reason="x")


def test_an_entry_cannot_be_retracted_twice():
    activity = schedule()
    activity.document(media="video")
    activity.retract(version=2, reason="salah")
    with pytest.raises(EntryNotRetractable):
        activity.retract(version=2, reason="salah lagi")


def test_versions_are_per_activity_one_based_one_per_event():
    first, second = schedule(), schedule()
    first.serve(officers=["Ani"])
    first.document(media="foto")
    events = first.collect_events()
    assert [e.originator_version for e in events] == [1, 2, 3]
    assert [e.originator_version for e in second.collect_events()] == [1]


def test_every_event_carries_the_actor_of_its_context():
    activity = schedule()
    with acting_as("dokumentasi.citra"):
        activity.document(media="foto")
    assert [e.actor for e in activity.collect_events()] == ["petugas", "dokumentasi.citra"]


def test_no_event_is_made_without_an_actor():
    activity = schedule()
    with acting_as(""), pytest.raises(RuntimeError):
        activity.serve(officers=["Ani"])


def test_unknown_media_is_refused():
    with pytest.raises(InvalidActivityData) as e:
        schedule().document(media="lukisan")
    assert e.value.field == "media"


def test_protocol_service_needs_at_least_one_officer():
    with pytest.raises(InvalidActivityData):
        schedule().serve(officers=[])

"""The view decodes stored events without building event objects; whatever the mapper's
set-up (the stock JSON transcoder, or with a compressor), it reads what the domain wrote."""
from datetime import datetime, timedelta, timezone

import pytest

from domain.application import Agenda
from domain.context import acting_as
from domain.model import Activity
from domain.targets import IndicatorTarget
from projections.decoding import EventDecoder

WIB = timezone(timedelta(hours=7))


def stored(agenda: Agenda, aggregate):
    return [agenda.mapper.to_stored_event(e) for e in aggregate.collect_events()]


@pytest.mark.parametrize("settings", [{}, {"COMPRESSOR_TOPIC": "eventsourcing.compressor:ZlibCompressor"}])
def test_an_activitys_events_decode_to_their_kind_and_data(settings):
    agenda = Agenda(settings)  # in memory: only its mapper is used
    with acting_as("ani"):
        activity = Activity(title="Rapat", leaders=["bupati"], starts_at=datetime(2021, 3, 1, 9, tzinfo=WIB),
                            location="Pendopo", scope="dalam_daerah", ends_at=datetime(2021, 3, 1, 11, tzinfo=WIB))
        activity.document(media="foto")
    decoder = EventDecoder(agenda.mapper)
    assert decoder.plain_json is (not settings)
    decoded = [decoder.decode(s.originator_id.hex, s.originator_version, s.topic, s.state)
               for s in stored(agenda, activity)]
    (kind, scheduled), (documented_kind, documented) = decoded
    assert (kind, documented_kind) == ("ActivityScheduled", "Documented")
    assert scheduled["starts_at"] == datetime(2021, 3, 1, 9, tzinfo=WIB) and scheduled["leaders"] == ["bupati"]
    assert scheduled["ends_at"].utcoffset() == timedelta(hours=7)
    assert documented["media"] == "foto" and documented["actor"] == "ani"


def test_events_that_are_not_an_activitys_are_passed_over():
    agenda = Agenda()
    with acting_as("kabag"):
        target = IndicatorTarget(indicator="IKU-1", year=2021, target="90", reason=None)
    (event,) = stored(agenda, target)
    assert EventDecoder(agenda.mapper).decode(event.originator_id.hex, 1, event.topic, event.state) == (None, None)

"""The facts registry and the fold: each fact's three predicates agree, and every event
type of the domain is decided by the view's fold (folded, or declared irrelevant)."""
import gc
import itertools
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from domain.context import acting_as
from domain.model import MEDIA, Activity, event_types
from projections.facts import FACTS, MEDIA_BITS, Fact, register
from projections.fold import FOLDED, IRRELEVANT, fold, media_mask, undecided
from projections.indicators import INDICATORS, Indicator

WIB = timezone(timedelta(hours=7))


def domain_event_types() -> set[type]:
    """The domain's own (a test module may define more, as test_extending does)."""
    return {cls for cls in event_types() if cls.__module__.startswith("domain.")}


def test_every_event_type_of_the_domain_is_folded_or_declared_irrelevant():
    assert undecided(domain_event_types()) == set()
    assert {cls.__name__ for cls in domain_event_types()} == FOLDED | IRRELEVANT
    from domain.ucapan import Ucapan
    from projections.fold import UCAPAN_FOLDED, UCAPAN_IRRELEVANT

    ucapan_types = event_types(Ucapan)
    assert undecided(ucapan_types, UCAPAN_FOLDED, UCAPAN_IRRELEVANT) == set()
    assert {cls.__name__ for cls in ucapan_types} == UCAPAN_FOLDED | UCAPAN_IRRELEVANT


def test_a_new_event_type_is_caught_until_the_fold_decides_about_it():
    class Noted(Activity.Event):  # a new event type, as a later change would add one
        text: str

    try:
        assert "Noted" in undecided(event_types())
    finally:
        del Noted  # the class lives only in this test
        gc.collect()


ROWS = [{"served": served, "media": media, "cancelled": 0, "leaders": 1}
        for served, media in itertools.product((0, 1), range(8))]


def test_each_fact_counts_the_same_rows_in_sql_and_in_python():
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE v (served INTEGER, media INTEGER, cancelled INTEGER, leaders INTEGER)")
    db.executemany("INSERT INTO v VALUES (:served, :media, :cancelled, :leaders)", ROWS)
    for fact in of("activity"):
        (in_sql,) = db.execute(f"SELECT count(*) FROM v WHERE {fact.sql}").fetchone()
        assert in_sql == sum(1 for row in ROWS if fact.row(row)), fact.name


def of(record: str) -> list[Fact]:
    return [f for f in FACTS.values() if f.record == record]


UCAPAN_ROWS = [{"due_date": 20210302, "delivered_date": d, "cancelled": 0, "leaders": 1}
               for d in (None, 20210301, 20210302, 20210303)]


def test_each_ucapan_fact_counts_the_same_rows_in_sql_and_in_python():
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE v (due_date INTEGER, delivered_date INTEGER, cancelled INTEGER, leaders INTEGER)")
    db.executemany("INSERT INTO v VALUES (:due_date, :delivered_date, :cancelled, :leaders)", UCAPAN_ROWS)
    assert {f.name for f in of("ucapan")} == {"delivered_on_time", "delivered"}
    for fact in of("ucapan"):
        (in_sql,) = db.execute(f"SELECT count(*) FROM v WHERE {fact.sql}").fetchone()
        assert in_sql == sum(1 for row in UCAPAN_ROWS if fact.row(row)), fact.name


@pytest.mark.parametrize("deliveries", [[], ["2021-03-01T10:00:00+07:00"], ["2021-03-02T23:59:00+07:00"],
                                        ["2021-03-02T17:30:00Z"], ["2021-03-05T10:00:00+07:00",
                                                                   "2021-03-02T08:00:00+07:00"]])
@pytest.mark.parametrize("retract_first", [False, True])
def test_each_ucapan_fact_holds_of_an_aggregate_as_of_its_view_row(deliveries, retract_first):
    """The reference replay's predicate (over the Ucapan) and the view's (over the row
    fold_ucapan makes) agree: on time by the office's local date; a retracted delivery
    counts in neither."""
    from zoneinfo import ZoneInfo

    from domain.ucapan import Ucapan
    from projections.fold import LocalDates, fold_ucapan, ucapan_row

    zone = ZoneInfo("Asia/Jakarta")
    request = {"kind": "duka", "recipient": "R", "relation": "instansi", "occasion": "O",
               "leaders": ["bupati"], "due_on": "2021-03-02"}
    with acting_as("test"):
        ucapan = Ucapan(**request)
        state = fold_ucapan(None, "UcapanRequested", request, 1, LocalDates(zone))
        for at in deliveries:
            delivered = {"channel": "surat", "delivered_by": ["A"], "delivered_at": datetime.fromisoformat(at)}
            ucapan.deliver(**delivered)
            state = fold_ucapan(state, "UcapanDelivered", delivered, ucapan.version, LocalDates(zone))
        if retract_first and deliveries:
            ucapan.retract(version=2, reason="salah")
            state = fold_ucapan(state, "DeliveryRetracted", {"retracted_version": 2}, ucapan.version,
                                LocalDates(zone))
    row = ucapan_row(1, "u", state, 0)
    row = {"due_date": row[5], "delivered_date": row[8]}
    for fact in of("ucapan"):
        assert fact.holds_for(ucapan, zone) == fact.row(row), (fact.name, deliveries, retract_first)


def activity_with(served: bool, media: set[str], retracted: set[str] = frozenset()) -> Activity:
    with acting_as("test"):
        a = Activity(title="Rapat", leaders=["bupati"], starts_at=datetime(2021, 3, 1, 9, tzinfo=WIB),
                     location="Pendopo", scope="dalam_daerah")
        if served:
            a.serve(officers=["Ani"])
        for m in sorted(media | set(retracted)):
            a.document(media=m)
            if m in retracted:
                a.retract(version=a.version, reason="salah")
    return a


@pytest.mark.parametrize("served", [False, True])
@pytest.mark.parametrize("media", [set(), {"foto"}, {"foto", "video"}, {"media_luar_ruang"}])
def test_each_fact_holds_of_an_aggregate_as_of_its_view_row(served, media):
    """The reference replay's predicate (over the aggregate) and the view's (over the row
    the fold makes) agree; a retracted entry counts in neither."""
    activity = activity_with(served, media, retracted={"video"} - media)
    state = None
    for version, kind, data in [(1, "ActivityScheduled", {
            "title": "Rapat", "location": "Pendopo", "scope": "dalam_daerah", "category": None,
            "leaders": ["bupati"], "starts_at": datetime(2021, 3, 1, 9, tzinfo=WIB), "ends_at": None})]:
        state = fold(state, kind, data, version)
    version = 1
    if served:
        version += 1
        state = fold(state, "ProtocolServed", {}, version)
    for m in sorted(media | ({"video"} - media)):
        version += 1
        state = fold(state, "Documented", {"media": m}, version)
        if m not in media:
            version += 1
            state = fold(state, "EntryRetracted", {"retracted_version": version - 1}, version)
    row = {"served": 1 if state["protocol"] else 0, "media": media_mask(state)}
    for fact in of("activity"):
        assert fact.holds_for(activity) == fact.row(row), fact.name


def test_an_event_type_the_fold_does_not_read_only_moves_the_version():
    state = fold(None, "ActivityScheduled", {
        "title": "Rapat", "location": "Pendopo", "scope": "dalam_daerah", "category": None,
        "leaders": ["bupati"], "starts_at": datetime(2021, 3, 1, 9, tzinfo=WIB), "ends_at": None}, 1)
    after = fold(state, "SomethingNew", {"x": 1}, 2)
    assert after == {**state, "v": 2}


def test_media_bits_are_the_domains_media():
    assert tuple(MEDIA_BITS) == MEDIA and all(f"media:{m}" in FACTS for m in MEDIA)


def test_an_indicator_naming_an_unknown_fact_is_refused():
    with pytest.raises(ValueError, match="no fact"):
        Indicator(**{**INDICATORS[0].__dict__, "code": "IKU-X", "numerator_fact": "weather"})


def test_a_fact_is_defined_once():
    with pytest.raises(ValueError, match="already defined"):
        register(Fact("served", "x", "1", row=lambda r: True, holds=lambda p, m: True,
                      counts=lambda k, d: False))


def test_local_dates_of_an_old_offset_that_is_not_whole_quarter_hours_are_exact():
    """Jakarta was +07:07:12 until 1924: 16.55 UTC on 2 March 1910 is 3 March locally (the
    review of issue 14: the view said 2 March, the reference and the inspector 3 March)."""
    from zoneinfo import ZoneInfo

    from domain.store.clock import to_micros
    from projections.fold import LocalDates

    dates = LocalDates(ZoneInfo("Asia/Jakarta"))
    assert dates.key(to_micros(datetime(1910, 3, 2, 16, 55, tzinfo=timezone.utc))) == 19100303
    assert dates.key(to_micros(datetime(1910, 3, 2, 16, 50, tzinfo=timezone.utc))) == 19100302
    assert dates.key(to_micros(datetime(2021, 3, 2, 16, 55, tzinfo=timezone.utc))) == 20210302
    assert dates.key(to_micros(datetime(2021, 3, 2, 17, 0, tzinfo=timezone.utc))) == 20210303

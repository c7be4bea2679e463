"""Property: for any sequence of events, period, instant and leader filter, the as-of
calculator (indexed queries on the bitemporal view) equals the reference replay, its trend
(one grouped query) equals the replay month by month, and the
inspectorate's independent recomputation from the raw log (inspector/recompute.py) gives the
figures the service states, targets and capaian included — for the activities' IKU, the
ucapan's supporting indicator and the goal indicator summing them (issue 14)."""
import json
import os
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.service_layer.queries import figure_rows as figures_json
from api.bootstrap import Services
from domain.context import acting_as
from domain.exceptions import DomainError
from domain.store.clock import to_datetime, to_micros
from inspector.recompute import Recomputer
from projections.calculator import ReferenceCalculator
from projections.periods import Period
from tests.conftest import log_of

pytestmark = pytest.mark.slow  # real servers, processes or many examples: not in `make test-fast`


# Quarter, half-year and year boundaries at midnight WIB (17:00 UTC the day before).
BOUNDARIES = [datetime(2021, m, d, 17, tzinfo=UTC) for m, d in
              ((3, 31), (6, 30), (9, 30), (12, 31), (4, 30), (1, 31))] + [
    datetime(2020, 12, 31, 17, tzinfo=UTC)]
NUDGES = [timedelta(0), timedelta(microseconds=-1), timedelta(minutes=-1), timedelta(hours=1),
          timedelta(hours=-7), timedelta(days=-1), timedelta(days=2)]
OFFSETS = [timezone(timedelta(hours=h)) for h in (7, 0, 9, -3)] + [
    timezone(timedelta(hours=5, minutes=30))]

instants = st.builds(lambda b, n, z: (b + n).astimezone(z),
                     st.sampled_from(BOUNDARIES), st.sampled_from(NUDGES), st.sampled_from(OFFSETS))
leader_sets = st.sampled_from([["bupati"], ["wakil_bupati"], ["bupati", "wakil_bupati"]])
index = st.integers(min_value=0, max_value=5)  # few activities, many facts about each
media = st.sampled_from(["media_luar_ruang", "foto", "video"])
# Weighted so that corrections (retractions, reschedules) are common and cancellations rare;
# now and then a yearly target is set or changed (for the recomputation's target and capaian).
# Due dates on both sides of the periods' boundaries (a due date is a local date).
due_dates = st.sampled_from(["2021-03-31", "2021-04-01", "2020-12-31", "2021-01-01", "2021-06-30",
                             "2021-07-01", "2021-04-30", "2021-03-01"])
step = st.integers(min_value=0, max_value=139).flatmap(lambda roll: (
    st.tuples(st.just("schedule"), leader_sets, instants) if roll < 22 else
    st.tuples(st.just("serve"), index) if roll < 40 else
    st.tuples(st.just("document"), index, media) if roll < 62 else
    st.tuples(st.just("retract"), index, index) if roll < 82 else
    st.tuples(st.just("reschedule"), index, instants) if roll < 95 else
    st.tuples(st.just("cancel"), index) if roll < 100 else
    st.tuples(st.just("request"), leader_sets, due_dates) if roll < 112 else
    st.tuples(st.just("deliver"), index, instants) if roll < 125 else
    st.tuples(st.just("retract_delivery"), index, index) if roll < 132 else
    st.tuples(st.just("cancel_ucapan"), index) if roll < 135 else
    st.tuples(st.just("target"), st.sampled_from(["IKU-1", "IKU-2", "PENDUKUNG-1", "TUJUAN-1"]),
              st.sampled_from([2020, 2021]), st.sampled_from(["90", "85.5", "0", "100", "33.33", "66.7"]))))
steps = st.lists(step, min_size=1, max_size=30)
periods = st.sampled_from(
    ["2021", "2020", "2021-S1", "2021-S2", "2021-Q1", "2021-Q2", "2021-Q3", "2021-Q4",
     "2021-03", "2021-04", "2021-07", "2021-03-31..2021-04-01", "2021-04-01..2021-04-01",
     "2020-12-31..2021-01-01", "2021-06-30..2021-07-02"])
queries = st.lists(
    st.tuples(periods, st.integers(min_value=-1, max_value=60), st.sampled_from([-1, 0, 1]),
              st.sampled_from([None, "bupati", "wakil_bupati"])),
    min_size=1, max_size=4,
)


def apply(agenda, plan):
    ids, entries, ucapan, deliveries = [], {}, [], {}
    for step in plan:
        kind = step[0]
        try:
            if kind == "request":
                ucapan.append(agenda.request_ucapan(kind="duka", recipient="r", relation="instansi",
                                                    occasion="o", leaders=step[1], due_on=step[2]).activity_id)
                continue
            if kind in ("deliver", "retract_delivery", "cancel_ucapan"):
                if ucapan:
                    one = ucapan[step[1] % len(ucapan)]
                    if kind == "deliver":
                        deliveries.setdefault(one, []).append(agenda.deliver_ucapan(
                            one, channel="surat", delivered_by=["d"], delivered_at=step[2]).version)
                    elif kind == "cancel_ucapan":
                        agenda.cancel_ucapan(one, reason="r")
                    else:
                        versions = deliveries.get(one) or [1]
                        agenda.retract_delivery(one, version=versions[step[2] % len(versions)], reason="r")
                continue
            if kind == "target":
                agenda.set_target(indicator=step[1], year=step[2], target=Decimal(step[3]), reason="r")
                continue
            if kind == "schedule":
                ids.append(agenda.schedule(title="t", leaders=step[1], starts_at=step[2],
                                           location="l", scope="dalam_daerah").activity_id)
                continue
            if not ids:
                continue
            activity = ids[step[1] % len(ids)]
            if kind == "reschedule":
                agenda.reschedule(activity, starts_at=step[2], reason="r")
            elif kind == "cancel":
                agenda.cancel(activity, reason="r")
            elif kind == "serve":
                entries.setdefault(activity, []).append(
                    agenda.record_protocol(activity, officers=["o"]).version)
            elif kind == "document":
                entries.setdefault(activity, []).append(
                    agenda.record_documentation(activity, media=step[2]).version)
            elif kind == "retract":
                versions = entries.get(activity) or [1]
                agenda.retract(activity, version=versions[step[2] % len(versions)], reason="r")
        except DomainError:
            pass  # refused commands append nothing; the log decides


def figures(answer):
    return month_figures(answer.figures)


def month_figures(figures):
    return [(f.indicator.code, f.numerator, f.denominator, f.percent, f.cancelled, f.breakdown) for f in figures]


def stated(answer) -> str:
    """The numbers of the answer as a ReportSubmitted stores them (JSON: types count too)."""
    return json.dumps([{k: v for k, v in f.items() if k != "name"} for f in figures_json(answer.figures)])


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_database(request, tmp_path_factory):
    """Makes an empty database for each example: a new SQLite file, or the session's
    PostgreSQL database with its schema dropped and created again."""
    if request.param == "sqlite":
        return lambda: str(tmp_path_factory.mktemp("p") / "p.sqlite3")
    url = request.getfixturevalue("postgres_url")
    request.getfixturevalue("monkeypatch").setenv(
        "IKU_SIGNING_KEY", str(tmp_path_factory.mktemp("key") / "signing-key.pem"))

    def empty():
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DROP SCHEMA public CASCADE")
            conn.execute("CREATE SCHEMA public")
        return url

    return empty


@settings(max_examples=500, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(plan=steps, asked=queries, bucket_bits=st.sampled_from(["0", "1", "2", "12"]))
def test_the_as_of_calculator_equals_the_reference_replay_and_the_recomputation(
        fresh_database, plan, asked, bucket_bits):
    # Small buckets of log positions, so that a log of a few dozen events has whole buckets
    # before the one the instant falls in, as a large log has (12 is the default).
    os.environ["IKU_VIEW_BUCKET_BITS"] = bucket_bits
    try:
        services = Services(fresh_database(), "Asia/Jakarta")
    finally:
        del os.environ["IKU_VIEW_BUCKET_BITS"]
    try:
        with acting_as("property"):
            apply(services.agenda, plan)
        times = [n.recorded_at for n in log_of(services.agenda)]
        reference = ReferenceCalculator(services.agenda, services.zone)
        recomputer = Recomputer()
        recomputer.feed_rows(services.agenda.recorder.select_rows(0, 2**62, 10**6))
        assert (recomputer.unknown_topics, recomputer.anomalies) == ({}, {})
        for label, which, nudge, leader in asked:
            if which < 0 or not times:
                as_of = None  # now
            else:
                as_of = to_datetime(times[which % len(times)] + nudge)
            period = Period.parse(label)
            answer = services.calculator.compute(period, as_of, leader)
            expected = reference.compute(period, answer.as_of, leader)
            assert figures(answer) == figures(expected), (label, as_of, leader)
            recomputed = recomputer.figures(label, to_micros(answer.as_of), leader=leader)
            assert json.dumps(recomputed) == stated(answer), (label, as_of, leader)
            # The trend's months, from one grouped query, as the replay gives them month by month.
            trend = services.calculator.monthly(period, answer.as_of, leader)
            assert [(m.label, m.start, m.end, month_figures(f)) for m, f in trend] == [
                (m.label, m.start, m.end, month_figures(f)) for m, f in reference.monthly(period, answer.as_of, leader)]
            assert [f.target for _m, fs in trend for f in fs] == [
                f.target for m, _fs in trend for f in services.calculator.compute(m, answer.as_of, leader).figures]
    finally:
        services.close()

"""recorded_at is set by the store under the write lock: strictly increasing in log order,
whoever writes and whatever their clocks say (SPEC §4, §5)."""
import multiprocessing
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from domain.application import Agenda
from domain.context import acting_as
from domain.exceptions import ClockRefused
from domain.store.clock import SimulatedClock, SystemClock, to_micros
from tests.conftest import log_of, sealed, wib


def schedule_some(agenda, n, actor="writer"):
    with acting_as(actor):
        for i in range(n):
            written = agenda.schedule(title=f"Rapat {i}", leaders=["bupati"],
                                      starts_at=wib(2021, 3, 1, 9), location="Pendopo",
                                      scope="dalam_daerah")
            agenda.record_protocol(written.activity_id, officers=["Ani"])


def assert_strictly_increasing_in_log_order(agenda):
    times = [n.recorded_at for n in log_of(agenda)]
    assert times == sorted(times)
    assert len(set(times)) == len(times)


def test_recorded_at_strictly_increases_in_log_order_across_threads(agenda):
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda i: schedule_some(agenda, 25, f"w{i}"), range(6)))
    assert len(log_of(agenda)) == 300
    assert_strictly_increasing_in_log_order(agenda)


def _writer_process(database, n):
    agenda = sealed(Agenda.on(database, IKU_CREATE_TABLE="no"), create=False)
    schedule_some(agenda, n)
    agenda.close()


def test_recorded_at_strictly_increases_in_log_order_across_processes(agenda, database):
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_writer_process, args=(database, 40)) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
        assert w.exitcode == 0
    assert len(log_of(agenda)) == 4 * 40 * 2
    assert_strictly_increasing_in_log_order(agenda)


class SteppingBackClock:
    simulated = False

    def __init__(self):
        self.value = SystemClock().now() + 10_000_000

    def now(self):
        self.value -= 1_000_000  # one second earlier at every write
        return self.value


def test_a_clock_stepping_back_still_gives_increasing_recorded_at(agenda):
    agenda.recorder.clock = SteppingBackClock()
    schedule_some(agenda, 5)
    assert_strictly_increasing_in_log_order(agenda)


def test_nothing_is_recorded_at_or_before_an_instant_already_answered(agenda):
    schedule_some(agenda, 1)
    # An answer as of now fixes the horizon; a writer whose clock lags behind it still
    # records after it.
    answered, _ = agenda.fix_as_of(None)
    lagging = SystemClock()
    agenda.recorder.clock = type("Lagging", (), {"simulated": False,
                                                 "now": lambda self: lagging.now() - 60_000_000})()
    schedule_some(agenda, 1)
    assert log_of(agenda)[-1].recorded_at > to_micros(answered)


def test_an_as_of_in_the_future_is_answered_as_of_the_present(agenda):
    answered, _ = agenda.fix_as_of(wib(2999, 1, 1))
    assert answered <= datetime.now(UTC) + timedelta(seconds=1)


def test_a_database_not_marked_as_a_demo_refuses_a_simulated_clock(agenda):
    with pytest.raises(ClockRefused):
        agenda.use_clock(SimulatedClock(wib(2021, 1, 1)))


def test_only_an_empty_database_can_be_marked_as_a_demo(agenda):
    schedule_some(agenda, 1)
    assert agenda.mark_as_demo() is False
    assert agenda.recorded_times_are_simulated is False


def test_a_demo_database_records_at_the_simulated_time_and_keeps_its_mark(database):
    agenda = sealed(Agenda.on(database))
    assert agenda.mark_as_demo() is True
    clock = SimulatedClock(wib(2021, 1, 4, 8))
    agenda.use_clock(clock)
    schedule_some(agenda, 1)
    clock.set(wib(2021, 1, 4, 12))
    schedule_some(agenda, 1)
    agenda.close()
    reopened = Agenda.on(database)
    times = [n.recorded_at for n in log_of(reopened)]
    assert times[0] == to_micros(wib(2021, 1, 4, 8))
    assert times[2] == to_micros(wib(2021, 1, 4, 12))
    assert reopened.recorded_times_are_simulated
    reopened.close()

"""SPEC §5: once a query for (P, T) has been answered, the same query returns the same
numbers forever, whatever is recorded later — under concurrent writers in threads and in
other processes."""
import multiprocessing
import random
import threading
import time

import pytest

from api.bootstrap import Services
from domain.context import acting_as
from domain.store.clock import to_datetime
from projections.periods import Period
from tests.conftest import log_of, wib

pytestmark = pytest.mark.slow  # real servers, processes or many examples: not in `make test-fast`


PERIODS = [Period.parse(p) for p in ("2021-Q1", "2021-03", "2021")]


def write_facts(database, count, seed):
    svc = Services(database, "Asia/Jakarta")
    rng = random.Random(seed)
    ids = []
    with acting_as(f"writer-{seed}"):
        for n in range(count):  # each fact its own (the same fact twice is recorded once)
            if not ids or rng.random() < 0.4:
                ids.append(svc.agenda.schedule(
                    title="Rapat", leaders=rng.choice([["bupati"], ["wakil_bupati"]]),
                    starts_at=wib(2021, rng.choice((2, 3, 4)), rng.randint(1, 28), 9),
                    location="Pendopo", scope="dalam_daerah").activity_id)
            elif rng.random() < 0.5:
                svc.agenda.record_protocol(rng.choice(ids), officers=[f"Petugas {seed}-{n}"])
            else:
                svc.agenda.record_documentation(rng.choice(ids), media="foto", notes=f"foto {seed}-{n}")
    svc.close()


def figures(answer):
    return [(f.numerator, f.denominator, f.cancelled, tuple(sorted(f.breakdown.items())))
            for f in answer.figures]


def test_an_answered_as_of_query_keeps_its_answer_under_concurrent_writers(database):
    reader = Services(database, "Asia/Jakarta")
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=write_facts, args=(database, 60, seed)) for seed in (1, 2)]
    threads = [threading.Thread(target=write_facts, args=(database, 60, seed)) for seed in (3, 4)]
    for worker in processes + threads:
        worker.start()

    answered = []
    rng = random.Random(0)

    def read_until_writers_stop():
        while any(p.is_alive() for p in processes) or any(t.is_alive() for t in threads):
            period = rng.choice(PERIODS)
            leader = rng.choice([None, "bupati", "wakil_bupati"])
            times = [n.recorded_at for n in log_of(reader.agenda)[-5:]]
            # Ask as of now, and as of instants just around what has been recorded.
            as_of = None if not times or rng.random() < 0.5 else to_datetime(
                rng.choice(times) + rng.choice((-1, 0, 1)))
            answer = reader.calculator.compute(period, as_of, leader)
            answered.append((period, answer.as_of, leader, figures(answer)))

    readers = [threading.Thread(target=read_until_writers_stop) for _ in range(2)]
    for r in readers:
        r.start()
    deadline = time.monotonic() + 300
    for worker in processes:
        while worker.is_alive() and time.monotonic() < deadline:
            worker.join(timeout=1)  # again if a join returns early (seen once in a long run)
        assert worker.exitcode == 0
    for worker in threads + readers:
        worker.join(timeout=300)

    assert len(log_of(reader.agenda)) == 4 * 60
    assert len(answered) > 20
    changed = [
        (period.label, as_of, leader)
        for period, as_of, leader, before in answered
        if figures(reader.calculator.compute(period, as_of, leader)) != before
    ]
    assert changed == []
    reader.close()

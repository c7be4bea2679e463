"""Slow clients cannot keep `iku serve` from answering when no buffering proxy is in front
(finding 4 of the adversarial review: two POST bodies sent a byte a second held both sync
workers, and /api/v1/health went unanswered). Real gunicorn; api/cli/workers.py."""
import os
import signal
import subprocess
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from api.bootstrap import Services
from tests.conftest import scaffold_user
from tests.support.server import IKU, call, start_server, stop
from tests.support.slow import HEADERS, Trickle, slow_body

pytestmark = pytest.mark.slow  # real servers


def health_within(port: int, seconds: float) -> float:
    started = time.monotonic()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=seconds) as response:
        assert response.status == 200
    return time.monotonic() - started


@pytest.fixture
def env(database):
    return {**os.environ, "IKU_DATABASE": database, "IKU_TIMEZONE": "Asia/Jakarta", "IKU_CHECKPOINT_INTERVAL": "60"}


def test_slow_bodies_and_slow_headers_do_not_keep_the_health_check_from_answering(env):
    process, port = start_server(env)  # as operators start it: two workers
    try:
        clients = [slow_body(port) for _ in range(3)] + [Trickle(port, HEADERS, 0.5) for _ in range(2)]
        for client in clients:
            client.start()
        time.sleep(0.5)  # each taken by a worker
        for _ in range(4):
            assert health_within(port, 2.0) < 2.0
        assert all(client.ended is None for client in clients)  # still being read, not refused
    finally:
        stop(process, signal.SIGKILL)


def test_a_client_slower_than_the_pace_is_cut_and_its_thread_serves_the_next(env):
    process, port = start_server(env, workers=1, args=("--threads", "2", "--read-timeout", "1"))
    try:
        held = [slow_body(port, every=0.2), Trickle(port, HEADERS, 0.2)]  # both threads of the one worker
        # 12 KiB at 6 KiB a second: slower than the grace, faster than the pace (4 KiB a second)
        body = b"name=ani&password=" + b"x" * (12 * 1024 - 18)
        phone = Trickle(port, HEADERS + b"Content-Length: %d\r\n\r\n" % len(body) + body, 0.1, piece=600)
        for client in held:
            client.start()
        time.sleep(0.3)
        assert health_within(port, 3.0) < 3.0  # answered once a held thread is freed
        phone.start()
        for client in (*held, phone):
            client.join(timeout=6)
        assert all(c.ended is not None and c.ended - c.started < 2.5 for c in held), \
            [c.ended and c.ended - c.started for c in held]
        assert phone.answer.startswith(b"HTTP/1.1 302")  # answered (no CSRF token: back to the login), not cut
        assert phone.ended - phone.started > 1.5
    finally:
        stop(process, signal.SIGKILL)


def test_the_threads_of_one_worker_write_and_read_the_same_store_together(env, database):
    svc = Services(database, "Asia/Jakarta")
    token = scaffold_user(svc.users, "ani", "admin")
    svc.close()
    process, port = start_server({**env, "IKU_CHECKPOINT_INTERVAL": "0"}, workers=1, args=("--threads", "8"))
    try:
        def write(i):
            status, body = call(port, "POST", "/api/v1/activities", token, {
                "title": f"Rapat {i}", "leaders": ["bupati"], "starts_at": f"2021-02-{i % 28 + 1:02d}T09:00:00+07:00",
                "location": "Pendopo", "scope": "dalam_daerah"})
            assert status == 201
            served = call(port, "POST", f"/api/v1/activities/{body['activity_id']}/protocol", token,
                          {"officers": ["Ani"]})[1]
            return body["position"], served["position"], call(port, "GET", "/api/v1/iku?period=2021-Q1", token)[0]

        with ThreadPoolExecutor(8) as pool:
            written = list(pool.map(write, range(24)))
        positions = sorted(p for scheduled, served, _read in written for p in (scheduled, served))
        assert positions == list(range(positions[0], positions[0] + 48))  # each once, none lost
        assert {read for *_, read in written} == {200}
        _, answer = call(port, "GET", "/api/v1/iku?period=2021-Q1", token)
        assert (answer["indicators"][0]["numerator"], answer["indicators"][0]["denominator"]) == (24, 24)
        verified = subprocess.run([IKU, "verify"], env=env, capture_output=True, text=True)  # tree and checkpoints
        assert verified.returncode == 0, verified.stdout + verified.stderr
    finally:
        stop(process, signal.SIGKILL)

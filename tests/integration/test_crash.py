"""Crash test: the server (gunicorn, 3 workers) is killed with SIGKILL in the middle of
concurrent writes, then restarted. Every acknowledged (201) event is there exactly once,
nothing is half-written, the view catches up to the same figures as a rebuild, and the
audit log verifies. On both stores."""
import http.client
import os
import signal
import threading
import time
import urllib.error
import urllib.request

import pytest

from tests.support.server import call, start_server
from tests.support.server import stop as stop_server

from api.bootstrap import Services
from projections.periods import Period
from tests.conftest import scaffold_user, either_store

pytestmark = pytest.mark.slow  # real servers, processes or many examples: not in `make test-fast`


def post(port, path, token, body):
    return call(port, "POST", path, token, body)


@pytest.fixture(params=["sqlite", "postgres"])
def store(request, tmp_path, monkeypatch):
    monkeypatch.setenv("IKU_SIGNING_KEY", str(tmp_path / "key.pem"))
    return either_store(request, tmp_path)


def test_a_server_killed_mid_load_keeps_every_acknowledged_event_exactly_once(store, tmp_path):
    setup = Services(store, "Asia/Jakarta")
    token = scaffold_user(setup.users, "ani", "admin")
    setup.close()
    env = {**os.environ, "IKU_DATABASE": store, "IKU_TIMEZONE": "Asia/Jakarta",
           "IKU_SIGNING_KEY": str(tmp_path / "key.pem")}
    server, port = start_server(env, workers=3)
    acknowledged, lock, stop = [], threading.Lock(), threading.Event()

    def writer(n):
        i = 0
        while not stop.is_set() and i < 200:
            i += 1
            try:
                status, body = post(port, "/api/v1/activities", token, {
                    "title": f"Rapat {n}-{i}", "leaders": ["bupati"], "starts_at": "2021-03-01T09:00:00+07:00",
                    "location": "Pendopo", "scope": "dalam_daerah"})
                with lock:
                    acknowledged.append(body)
                status, body = post(port, f"/api/v1/activities/{body['activity_id']}/protocol", token,
                                    {"officers": ["Ani"]})
                with lock:
                    acknowledged.append(body)
            except (OSError, http.client.HTTPException, urllib.error.URLError):
                return  # the server is gone (perhaps mid-answer): this write was not acknowledged

    writers = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for w in writers:
        w.start()
    deadline = time.monotonic() + 20
    while len(acknowledged) < 40 and time.monotonic() < deadline:
        time.sleep(0.05)
    stop_server(server, signal.SIGKILL)  # mid-load
    stop.set()
    for w in writers:
        w.join(timeout=30)
    assert len(acknowledged) >= 40

    svc = Services(store, "Asia/Jakarta")
    log = list(svc.agenda.recorder.select_notifications(start=None, limit=10**9))
    positions = {(n.originator_id.hex, n.originator_version): n.id for n in log}
    assert len(positions) == len(log)  # no event twice
    for ack in acknowledged:  # every acknowledged event is there, at its position
        assert positions[(ack["activity_id"].replace("-", ""), ack["version"])] == ack["position"]
    for n in log:  # nothing half-written: every stored event reads back whole
        event = svc.agenda.mapper.to_domain_event(n)
        assert event.actor == ("system:cli" if ".accounts:" in n.topic else "ani")  # ani's account, then hers
    before = svc.calculator.compute(Period.parse("2021"))
    svc.projector.rebuild()
    assert [(f.numerator, f.denominator) for f in svc.calculator.compute(Period.parse("2021"), before.as_of).figures] == \
        [(f.numerator, f.denominator) for f in before.figures]
    assert svc.verify().ok
    svc.close()

    restarted, _ = start_server(env)  # and it serves again
    stop_server(restarted)

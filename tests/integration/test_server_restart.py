"""A restart of the server loses nothing that was acknowledged (real gunicorn, 2 workers)."""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from api.bootstrap import Services

IKU = str(Path(sys.executable).with_name("iku"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port, method, path, token=None, body=None):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                 data=None if body is None else json.dumps(body).encode())
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=10) as response:
        return response.status, json.loads(response.read())


@pytest.fixture
def server(database, tmp_path):
    env = {**os.environ, "IKU_DATABASE": database, "IKU_TIMEZONE": "Asia/Jakarta"}
    started = []

    def start():
        port = free_port()
        process = subprocess.Popen([IKU, "serve", "--port", str(port), "--workers", "2"], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True)
        started.append(process)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                request(port, "GET", "/api/v1/health")
                return process, port
            except OSError:
                time.sleep(0.1)
        raise AssertionError("the server did not start within 30 s")

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_a_killed_and_restarted_server_has_every_acknowledged_event(server, database):
    svc = Services(database, "Asia/Jakarta")
    token = svc.users.create("ani", "admin")
    svc.close()
    process, port = server()
    acknowledged = []
    for i in range(20):
        status, body = request(port, "POST", "/api/v1/activities", token, {
            "title": f"Rapat {i}", "leaders": ["bupati"], "starts_at": f"2021-02-{i + 1:02d}T09:00:00+07:00",
            "location": "Pendopo", "scope": "dalam_daerah"})
        assert status == 201
        acknowledged.append(body)
        status, body = request(port, "POST", f"/api/v1/activities/{body['activity_id']}/protocol", token,
                               {"officers": ["Ani"]})
        acknowledged.append(body)
    _, before = request(port, "GET", "/api/v1/iku?period=2021-Q1", token)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()

    _, port = server()
    for ack in acknowledged:
        _, history = request(port, "GET", f"/api/v1/activities/{ack['activity_id']}/history", token)
        recorded = {(e["version"], e["recorded_at"]) for e in history["events"]}
        assert (ack["version"], ack["recorded_at"]) in recorded
    _, after = request(port, "GET", f"/api/v1/iku?period=2021-Q1&as_of={before['as_of'].replace('+', '%2B')}", token)
    assert after["indicators"] == before["indicators"]
    assert after["indicators"][0]["numerator"] == 20

    subprocess.run([IKU, "rebuild"], env={**os.environ, "IKU_DATABASE": database}, check=True,
                   capture_output=True)
    _, rebuilt = request(port, "GET", f"/api/v1/iku?period=2021-Q1&as_of={before['as_of'].replace('+', '%2B')}", token)
    assert rebuilt["indicators"] == before["indicators"]

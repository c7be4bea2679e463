"""A restart of the server loses nothing that was acknowledged (real gunicorn, 2 workers)."""
import os
import signal
import subprocess

import pytest

from tests.conftest import scaffold_user

from tests.support.server import IKU, call, start_server, stop

from api.bootstrap import Services

pytestmark = pytest.mark.slow  # real servers, processes or many examples: not in `make test-fast`


@pytest.fixture
def server(database):
    env = {**os.environ, "IKU_DATABASE": database, "IKU_TIMEZONE": "Asia/Jakarta"}
    started = []

    def start():
        process, port = start_server(env)
        started.append(process)
        return process, port

    yield start
    for process in started:
        stop(process, signal.SIGKILL)


def test_a_killed_and_restarted_server_has_every_acknowledged_event(server, database):
    svc = Services(database, "Asia/Jakarta")
    token = scaffold_user(svc.users, "ani", "admin")
    svc.close()
    process, port = server()
    acknowledged = []
    for i in range(20):
        status, body = call(port, "POST", "/api/v1/activities", token, {
            "title": f"Rapat {i}", "leaders": ["bupati"], "starts_at": f"2021-02-{i + 1:02d}T09:00:00+07:00",
            "location": "Pendopo", "scope": "dalam_daerah"})
        assert status == 201
        acknowledged.append(body)
        status, body = call(port, "POST", f"/api/v1/activities/{body['activity_id']}/protocol", token,
                               {"officers": ["Ani"]})
        acknowledged.append(body)
    _, before = call(port, "GET", "/api/v1/iku?period=2021-Q1", token)
    stop(process, signal.SIGKILL)

    _, port = server()
    for ack in acknowledged:
        _, history = call(port, "GET", f"/api/v1/activities/{ack['activity_id']}/history", token)
        recorded = {(e["version"], e["recorded_at"]) for e in history["events"]}
        assert (ack["version"], ack["recorded_at"]) in recorded
    _, after = call(port, "GET", f"/api/v1/iku?period=2021-Q1&as_of={before['as_of'].replace('+', '%2B')}", token)
    assert after["indicators"] == before["indicators"]
    assert after["indicators"][0]["numerator"] == 20

    subprocess.run([IKU, "rebuild"], env={**os.environ, "IKU_DATABASE": database}, check=True,
                   capture_output=True)
    _, rebuilt = call(port, "GET", f"/api/v1/iku?period=2021-Q1&as_of={before['as_of'].replace('+', '%2B')}", token)
    assert rebuilt["indicators"] == before["indicators"]


def test_two_services_of_one_user_share_no_control_socket(database, tmp_path):
    """gunicorn's control socket is per user: `iku serve` makes none (issue 11)."""
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "IKU_DATABASE": database, "IKU_TIMEZONE": "Asia/Jakarta", "HOME": str(home)}
    env.pop("XDG_RUNTIME_DIR", None)
    first, _ = start_server(env)
    second, _ = start_server({**env, "IKU_DATABASE": str(tmp_path / "other.sqlite3")})
    try:
        assert not (home / ".gunicorn").exists()
    finally:
        stop(first)
        stop(second)

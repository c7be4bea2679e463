"""PostgreSQL actually stopped and started again under a running service: every request in
between is a quick 503 that appends nothing, and the service recovers by itself.

The machine's PostgreSQL is shared by the whole suite, so this test runs a server of its
own: a new cluster (initdb) in a temporary folder, on a free port, owned by the `postgres`
user. Without PostgreSQL's server programs (or, as root, without a `postgres` user) it
skips, unless IKU_REQUIRE_POSTGRES=1 (as in CI)."""
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import pytest

from tests.conftest import scaffold_user

from tests.support.server import free_port

from api import create_app

pytestmark = pytest.mark.slow  # real servers, processes or many examples: not in `make test-fast`


BIN = Path(os.environ.get("IKU_TEST_POSTGRES_BIN", "/usr/lib/postgresql/15/bin"))
BODY = {"title": "Rapat", "leaders": ["bupati"], "starts_at": "2021-03-01T09:00:00+07:00",
        "location": "Pendopo", "scope": "dalam_daerah"}


@pytest.fixture
def own_postgres(tmp_path, monkeypatch):
    """(url, pg_ctl) of a PostgreSQL server of this test's own."""
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    missing = [str(p) for p in (BIN / "initdb", BIN / "pg_ctl") if not p.exists()]
    if as_postgres and not shutil.which("runuser"):
        missing.append("runuser")
    if missing:
        if os.environ.get("IKU_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"IKU_REQUIRE_POSTGRES=1 but {', '.join(missing)} not found")
        pytest.skip(f"PostgreSQL's server programs are not here: {', '.join(missing)}")
    # Outside pytest's folders, which only root may enter.
    folder = Path(tempfile.mkdtemp(prefix="iku-test-pg-"))
    if as_postgres:
        shutil.chown(folder, "postgres", "postgres")
    data, port = folder / "data", free_port()
    subprocess.run([*as_postgres, str(BIN / "initdb"), "-D", str(data), "-U", "postgres",
                    "--auth=trust", "--no-sync"], check=True, capture_output=True)

    def pg_ctl(*args):
        subprocess.run([*as_postgres, str(BIN / "pg_ctl"), "-D", str(data), "-w", "-t", "30",
                        "-l", str(folder / "log"), *args], check=True, capture_output=True)

    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    pg_ctl("-o", options, "start")
    monkeypatch.setenv("IKU_SIGNING_KEY", str(tmp_path / "signing-key.pem"))
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    yield url, lambda action: pg_ctl("-o", options, "-m", "fast", action)
    subprocess.run([*as_postgres, str(BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                   capture_output=True)
    shutil.rmtree(folder, ignore_errors=True)


def test_postgres_stopped_gives_quick_503s_appending_nothing_and_started_again_recovers(own_postgres):
    url, pg_ctl = own_postgres
    app = create_app({"IKU_DATABASE": url, "IKU_TIMEZONE": "Asia/Jakarta"})
    client = app.test_client()
    token = scaffold_user(app.extensions["iku"].users, "ani", "protokol")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/v1/activities", headers=headers, json=BODY).status_code == 201
    before = app.extensions["iku"].agenda.recorder.max_notification_id()  # the user's account, and this

    pg_ctl("stop")
    started = time.monotonic()
    for _ in range(3):
        response = client.post("/api/v1/activities", headers=headers, json=BODY)
        assert response.status_code == 503 and response.headers["Retry-After"]
        assert client.get("/api/v1/health").status_code == 503
    assert time.monotonic() - started < 30  # quick answers, not a minute each

    pg_ctl("start")
    deadline = time.monotonic() + 15
    statuses = []
    while time.monotonic() < deadline:
        statuses.append(client.post("/api/v1/activities", headers=headers, json=BODY).status_code)
        if statuses[-1] == 201:
            break
        time.sleep(0.5)
    assert statuses[-1] == 201 and set(statuses) <= {201, 503}
    assert client.get("/api/v1/health").json["log_position"] == before + 1  # nothing from the outage
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM iku_events").fetchone()[0] == before + 1
    app.extensions["iku"].close()

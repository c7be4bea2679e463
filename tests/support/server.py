"""Starting the service as operators do (`iku serve`) and waiting until it answers: one
place for every test that needs a real server."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from werkzeug.serving import make_server

IKU = str(Path(sys.executable).with_name("iku"))
START_TIMEOUT = 30.0  # seconds


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_serving(url: str, process: subprocess.Popen | None = None, timeout: float = START_TIMEOUT) -> None:
    """Poll the health endpoint until it answers; a server that exits or never answers
    fails the test (and is killed)."""
    deadline = time.monotonic() + timeout
    pause = 0.05
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/v1/health", timeout=2).close()
            return
        except OSError:
            if process is not None and process.poll() is not None:
                raise AssertionError(f"the server exited with {process.returncode} before answering") from None
            if time.monotonic() > deadline:
                if process is not None:
                    stop(process, signal.SIGKILL)
                raise AssertionError(f"the server did not answer within {timeout:.0f} s") from None
            time.sleep(pause)
            pause = min(pause * 2, 0.1)


def start_server(env: dict, *, workers: int = 2, port: int | None = None, args=()) -> tuple[subprocess.Popen, int]:
    """`iku serve` on a free port (or `port`), in its own process group, with `args` (more
    of its options); returns once it answers."""
    port = port or free_port()
    process = subprocess.Popen([IKU, "serve", "--port", str(port), "--workers", str(workers), *args], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    wait_until_serving(f"http://127.0.0.1:{port}", process)
    return process, port


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 10) -> None:
    """Signal the server's whole process group (gunicorn's workers too) and reap it."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
    process.wait(timeout=timeout)


def call(port: int, method: str, path: str, token: str | None = None, body=None) -> tuple[int, dict]:
    """One JSON request to the server: (status, body)."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                     data=None if body is None else json.dumps(body).encode())
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read())


def serve_in_thread(app):
    """The app on a free loopback port, in this process (the in-process services stay
    reachable to the test): (server, url); `server.shutdown()` ends it."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"

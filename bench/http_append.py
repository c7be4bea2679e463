"""HTTP append through gunicorn on loopback, 1 and 8 concurrent clients, against the raw
store rate measured in the same run.

The server is `iku serve` (gunicorn, --workers) on the chosen store. Each client is a thread
that repeats: POST /api/v1/activities (an ActivityScheduled), then POST
/api/v1/activities/{id}/protocol (a ProtocolServed), with a bearer token, a new connection
per request (gunicorn's sync workers close it). Every 201 is one event appended. The raw
rate is bench/append.py's stock eventsourcing Application on the same database, one save
per event, single-threaded. Rounds alternate raw and HTTP; medians are reported.

    python -m bench.http_append [--clients 1 8] [--events 2000] [--rounds 3] [--workers 4]
                                [--store sqlite|postgres]
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from api.bootstrap import Services

from . import stores
from .append import raw_application, raw_round
from .common import Timer, machine_note, median

IKU = str(Path(sys.executable).with_name("iku"))
ACTIVITY = json.dumps({"title": "Rapat", "leaders": ["bupati"], "starts_at": "2021-03-01T09:00:00+07:00",
                       "location": "Pendopo", "scope": "dalam_daerah"})
PROTOCOL = json.dumps({"officers": ["Ani"]})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(port: int, path: str, body: str, token: str) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", path, body, {"Content-Type": "application/json",
                                          "Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


def start_server(database: str, port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "IKU_DATABASE": database, "IKU_TIMEZONE": "Asia/Jakarta"}
    process = subprocess.Popen([IKU, "serve", "--port", str(port), "--workers", str(workers)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/health")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.1)
    os.killpg(process.pid, signal.SIGKILL)
    raise RuntimeError("the server did not start")


def http_round(port: int, token: str, clients: int, events: int) -> float:
    """Events per second appended by `clients` concurrent clients, `events` in all."""
    pairs = max(1, events // (2 * clients))
    failures = []

    def client():
        for _ in range(pairs):
            status, body = post(port, "/api/v1/activities", ACTIVITY, token)
            if status != 201:
                failures.append((status, body))
                return
            status, body = post(port, f"/api/v1/activities/{body['activity_id']}/protocol", PROTOCOL, token)
            if status != 201:
                failures.append((status, body))
                return

    threads = [threading.Thread(target=client) for _ in range(clients)]
    with Timer() as t:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    if failures:
        raise RuntimeError(f"refused appends: {failures[:3]}")
    return 2 * pairs * clients / t.seconds


def run(database: str, clients: list[int], events: int, rounds: int, workers: int) -> dict:
    setup = Services(database, "Asia/Jakarta")
    token = setup.users.create("bench", "protokol")
    setup.close()
    raw = raw_application(database)
    raw_round(raw, 50)  # warm up, and create its table
    port = free_port()
    server = start_server(database, port, workers)
    try:
        for n in clients:
            http_round(port, token, n, 40 * n)  # warm up every worker
        raw_rates, http_rates = [], {n: [] for n in clients}
        for _ in range(rounds):
            raw_rates.append(raw_round(raw, events // 2))
            for n in clients:
                http_rates[n].append(http_round(port, token, n, events))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
        raw.close()
    raw_median = median(raw_rates)
    return {"raw": raw_median, "http": {n: median(r) for n, r in http_rates.items()}}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--events", type=int, default=2000, help="events per round and client count")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    stores.add_arguments(parser)
    args = parser.parse_args()
    print(machine_note(), f"store: {args.store}, gunicorn workers: {args.workers}")
    with stores.database(args, "http") as (database, _):
        r = run(database, args.clients, args.events, args.rounds, args.workers)
    print(f"raw eventsourcing append (1 thread): {r['raw']:,.0f} ev/s")
    for n, rate in r["http"].items():
        print(f"HTTP append, {n} client(s): {rate:,.0f} ev/s = {rate / r['raw']:.2f} × raw")


if __name__ == "__main__":
    main()

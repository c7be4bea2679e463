"""/api/v1/health's latency while slow clients hold connections to `iku serve` (review
finding 4; api/cli/workers.py, docs/OPERATIONS.md "Slow clients").

For each N of --clients: N connections to a real `iku serve` (--workers, its other
settings its defaults) sending, a byte every 0.5 s, either a form body (half of them) or
their headers; the health check is asked every 0.5 s for --seconds; reported: its median
and slowest answer (inf: none within 15 s), and after how long the slow clients were cut.

    python -m bench.slow_clients [--clients 4 12 24 40] [--seconds 14] [--workers 2]
"""
from __future__ import annotations

import argparse
import os
import signal
import statistics
import tempfile
import time
import urllib.request

from tests.support.server import start_server, stop
from tests.support.slow import HEADERS, Trickle, slow_body

from .common import machine_note


def probe(port: int) -> float:
    started = time.monotonic()
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=15).read()
    except OSError:
        return float("inf")
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, nargs="+", default=[4, 12, 24, 40])
    parser.add_argument("--seconds", type=float, default=14)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(machine_note(), f"workers={args.workers}")
    folder = tempfile.mkdtemp()
    env = {**os.environ, "IKU_DATABASE": f"{folder}/slow.sqlite3", "IKU_SIGNING_KEY": f"{folder}/key.pem"}
    process, port = start_server(env, workers=args.workers)
    try:
        for n in args.clients:
            clients = [slow_body(port) if i % 2 else Trickle(port, HEADERS, 0.5) for i in range(n)]
            for client in clients:
                client.start()
            time.sleep(0.5)
            waits, start = [], time.monotonic()
            while time.monotonic() - start < args.seconds:
                waits.append(probe(port))
                time.sleep(0.5)
            cut = [c.ended - c.started for c in clients if c.ended]
            print(f"{n:3} slow clients: health {statistics.median(waits) * 1000:.0f} ms median, slowest "
                  f"{max(waits) * 1000:.0f} ms, of {len(waits)}; {len(cut)} cut"
                  + (f" after {min(cut):.1f}–{max(cut):.1f} s" if cut else ""))
            for client in clients:
                client.ended = client.ended or -1.0  # stop sending
            time.sleep(1)
    finally:
        stop(process, signal.SIGKILL)


if __name__ == "__main__":
    main()

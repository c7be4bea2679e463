"""`iku serve`'s gunicorn workers: threads, and a pace that a request must keep while it
is read, so that slow clients cannot hold every worker when no buffering proxy is in front
(finding 4 of the adversarial review; docs/OPERATIONS.md, "Slow clients").

gunicorn's sync worker reads a request in the one process that answers it: two clients
sending a body a byte a second held both workers until gunicorn's timeout, and nothing
else was answered (not even /api/v1/health). The threaded worker answers with a pool of
threads and waits for a connection's first byte without a thread; but once a request has
begun, a thread reads it for as long as the client takes. So, on top of it:

- the request line and headers must have arrived `read_timeout` seconds after the
  connection's thread took it;
- the body must arrive at MIN_BODY_RATE bytes a second on average, after `read_timeout`
  seconds of grace (a phone's photos on slow mobile data send many times that); the
  application reads it at most READ_STEP bytes at a time, so a stalled body is noticed
  within `read_timeout` + READ_STEP / MIN_BODY_RATE seconds.

A request that falls behind is cut: a watchdog thread shuts its connection down, the
thread's read returns, and the thread serves the next client."""
from __future__ import annotations

import socket
import threading
import time

from gunicorn.workers.gthread import ThreadWorker

READ_TIMEOUT = 10.0  # seconds: the headers' time, and the body's grace
MIN_BODY_RATE = 4 * 1024  # bytes a second, on average over the body
READ_STEP = 64 * 1024  # bytes the application reads from the body at once, at most
WATCH_EVERY = 0.2  # seconds between the watchdog's rounds


class Deadlines:
    """The connections whose request is being read, and by when each must be in."""

    def __init__(self):
        self._by_socket: dict[socket.socket, float] = {}
        self._lock = threading.Lock()

    def until(self, sock: socket.socket, deadline: float) -> None:
        with self._lock:
            self._by_socket[sock] = deadline

    def done(self, sock: socket.socket) -> None:
        with self._lock:
            self._by_socket.pop(sock, None)

    def cut_late(self, now: float) -> int:
        """Shut down every connection past its deadline (its reader then sees the end)."""
        with self._lock:
            late = [sock for sock, deadline in self._by_socket.items() if deadline <= now]
            for sock in late:
                del self._by_socket[sock]
        for sock in late:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:  # closed meanwhile
                pass
        return len(late)

    def watch(self) -> None:
        while True:
            time.sleep(WATCH_EVERY)
            self.cut_late(time.monotonic())


class PacedBody:
    """A request's body (gunicorn's) read at the pace above; the rest as gunicorn's."""

    def __init__(self, body, length: int | None, sock: socket.socket, deadlines: Deadlines, grace: float):
        self._body, self._length, self._sock, self._deadlines = body, length, sock, deadlines
        self._start, self._grace, self._received = time.monotonic(), grace, 0

    def _step(self, read, size: int) -> bytes:
        due = size if self._length is None else min(size, max(0, self._length - self._received))  # what can come
        self._deadlines.until(self._sock, self._start + self._grace + (self._received + due) / MIN_BODY_RATE)
        try:
            data = read(size)
        finally:
            self._deadlines.done(self._sock)
        self._received += len(data)
        return data

    def read(self, size=None):
        """As gunicorn's: `size` bytes, or all of them, unless the body ends first."""
        wanted = None if size is None or size < 0 else size
        parts = []
        while wanted is None or wanted > 0:
            data = self._step(self._body.read, READ_STEP if wanted is None else min(wanted, READ_STEP))
            if not data:
                break
            parts.append(data)
            if wanted is not None:
                wanted -= len(data)
        return b"".join(parts)

    def readline(self, size=None):
        return self._step(self._body.readline, READ_STEP if size is None or size < 0 else size)

    def __iter__(self):
        return iter(self.readline, b"")

    def __getattr__(self, name):  # gunicorn's own use (failed, after a broken body)
        return getattr(self._body, name)


class PacedWorker(ThreadWorker):
    """gunicorn's threaded worker, holding each request to the pace above."""

    read_timeout = READ_TIMEOUT

    def init_process(self):
        self.deadlines = Deadlines()
        threading.Thread(target=self.deadlines.watch, name="iku-slow-clients", daemon=True).start()
        super().init_process()

    def handle(self, conn):
        self.deadlines.until(conn.sock, time.monotonic() + self.read_timeout)  # the request line and headers
        try:
            return super().handle(conn)
        finally:
            self.deadlines.done(conn.sock)

    def handle_request(self, req, conn):
        self.deadlines.done(conn.sock)  # the headers are in
        if req.body is not None:
            length = next((int(v) for name, v in req.headers if name == "CONTENT-LENGTH" and v.isdigit()), None)
            req.body = PacedBody(req.body, length, conn.sock, self.deadlines, self.read_timeout)
        return super().handle_request(req, conn)


def paced_worker(read_timeout: float) -> type[PacedWorker]:
    """The worker class with its own read timeout (`iku serve --read-timeout`)."""
    return type("PacedWorker", (PacedWorker,), {"read_timeout": read_timeout})

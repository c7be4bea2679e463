"""Slow clients of a real server (tests/integration/test_slow_clients.py, bench/slow_clients.py):
a connection that sends its request a little at a time."""
from __future__ import annotations

import select
import socket
import threading
import time

HEADERS = b"POST /login HTTP/1.1\r\nHost: iku\r\nContent-Type: application/x-www-form-urlencoded\r\n"


class Trickle(threading.Thread):
    """A client sending `data` in pieces of `piece` bytes every `every` seconds; `ended`:
    when the server answered or closed the connection (None while it waits for more)."""

    def __init__(self, port: int, data: bytes, every: float, piece: int = 1):
        super().__init__(daemon=True)
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.data, self.every, self.piece = data, every, piece
        self.started, self.ended, self.answer = time.monotonic(), None, b""

    def run(self):
        sent = 0
        try:
            while self.ended is None:
                if sent < len(self.data):
                    self.sock.sendall(self.data[sent:sent + self.piece])
                    sent += self.piece
                readable, _, _ = select.select([self.sock], [], [], self.every)
                if readable:
                    self.answer = self.sock.recv(4096)
                    self.ended = time.monotonic()
        except OSError:
            self.ended = time.monotonic()
        finally:
            self.sock.close()


def slow_body(port: int, every: float = 0.5) -> Trickle:
    """A form POST whose headers come at once and whose body then comes a byte at a time."""
    body = b"name=ani&password=" + b"x" * 82
    client = Trickle(port, HEADERS + b"Content-Length: %d\r\n\r\n" % len(body) + body, every)
    client.sock.sendall(client.data[:len(client.data) - len(body)])
    client.data = body
    return client

"""`iku serve`'s paced reading of a request (api/cli/workers.py), without a server: a body
reads as gunicorn's does, and a connection is cut only once it is late.
tests/integration/test_slow_clients.py runs it in gunicorn."""
import io
import socket

from api.cli.workers import MIN_BODY_RATE, READ_STEP, Deadlines, PacedBody


class Body(io.BytesIO):
    """As gunicorn's Body: read(size) gives `size` bytes unless the body ends first."""


def paced(data: bytes, deadlines: Deadlines, sock, length=None) -> PacedBody:
    return PacedBody(Body(data), len(data) if length is None else length, sock, deadlines, grace=10)


def test_a_paced_body_reads_as_gunicorns_whole_or_by_size_and_forgets_its_deadline():
    data = bytes(range(256)) * (3 * READ_STEP // 256) + b"\nlast line\n"
    deadlines, sock = Deadlines(), object()
    assert paced(data, deadlines, sock).read() == data
    assert paced(data, deadlines, sock).read(-1) == data
    body = paced(data, deadlines, sock)
    assert body.read(READ_STEP + 5) == data[:READ_STEP + 5] and body.read() == data[READ_STEP + 5:]
    lines = paced(b"a=1\nb=2\n", deadlines, sock)
    assert (lines.readline(), list(lines)) == (b"a=1\n", [b"b=2\n"])
    assert deadlines._by_socket == {}  # nothing is watched once a read returns


def test_a_body_is_given_its_grace_and_the_time_its_length_takes_at_the_pace():
    deadlines, sock, seen = Deadlines(), object(), []

    class Watched(Body):
        def read(self, size=-1):
            seen.append(deadlines._by_socket[sock] - body._start)
            return super().read(size)

    body = PacedBody(Watched(b"x" * 100), 100, sock, deadlines, grace=10)
    body.read(READ_STEP)  # a short body is not given a whole step's time
    assert round(seen[0], 3) == round(10 + 100 / MIN_BODY_RATE, 3)


def test_only_a_connection_past_its_deadline_is_shut_down():
    late, peer = socket.socketpair()
    early, other = socket.socketpair()
    deadlines = Deadlines()
    deadlines.until(late, 5.0)
    deadlines.until(early, 50.0)
    assert deadlines.cut_late(now=10.0) == 1
    peer.settimeout(1)
    assert peer.recv(1) == b""  # the late one's reader sees the end
    other.setblocking(False)
    early.sendall(b"!")
    assert other.recv(1) == b"!"  # the other is untouched
    for s in (late, peer, early, other):
        s.close()


def test_at_most_two_passwords_are_hashed_at_once_whatever_the_threads(monkeypatch):
    """argon2 takes 64 MiB a hash: 16 threads a worker logging in at once must not take 1 GiB."""
    import threading

    from argon2 import PasswordHasher

    from api.users import _hasher

    stored, lock, running = _hasher.hash("kata-sandi-panjang"), threading.Lock(), [0, 0]  # now, most
    verify = PasswordHasher.verify

    def counted(self, *args):
        with lock:
            running[0] += 1
            running[1] = max(running)
        try:
            return verify(self, *args)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(PasswordHasher, "verify", counted)
    threads = [threading.Thread(target=_hasher.verify, args=(stored, "kata-sandi-panjang")) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert running == [0, 2]

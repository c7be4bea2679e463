"""Instants are stored as integer microseconds since the Unix epoch (UTC).

Integers compare and index fast on both stores and have exactly the precision the
monotonic rule needs (each event is at least 1 µs after the one before it).
"""
from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
FOREVER = 2**62  # an open system-time interval ends here


def to_micros(instant: datetime) -> int:
    if instant.utcoffset() is None:
        raise ValueError("naive datetime")
    delta = instant - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def to_datetime(micros: int) -> datetime:
    return EPOCH + timedelta(microseconds=micros)


class SystemClock:
    """The real clock. Recorded times come from it unless the database is a demo."""

    simulated = False

    def now(self) -> int:
        return to_micros(datetime.now(UTC))


class SimulatedClock:
    """A clock the demo moves by hand; only a database marked as a demo accepts it."""

    simulated = True

    def __init__(self, start: datetime):
        self.current = to_micros(start)

    def now(self) -> int:
        return self.current

    def set(self, instant: datetime) -> None:
        self.current = max(self.current, to_micros(instant))

"""Values the IKU recorders hand back, the same on every store."""
from __future__ import annotations

from dataclasses import dataclass

from eventsourcing.persistence import Notification


class Position(int):
    """A notification id that also knows the recorded_at the store gave its event, so a
    write can be acknowledged without reading it back."""

    recorded_at: int

    def __new__(cls, notification_id: int, recorded_at: int):
        position = super().__new__(cls, notification_id)
        position.recorded_at = recorded_at
        return position


@dataclass(frozen=True)
class RecordedNotification(Notification):
    """A notification with its transaction time."""

    recorded_at: int = 0


@dataclass(frozen=True)
class IdempotencyClaim:
    actor: str
    key: str
    fingerprint: str

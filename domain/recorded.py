"""The base of the service's aggregates: every event carries the actor of its context."""
from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate

from .context import current_actor


class ActedAggregate(Aggregate):
    class Event(Aggregate.Event):
        """Every event carries the authenticated actor; recorded_at is set by the store."""

        actor: str

    @classmethod
    def _create(cls, event_class, *, id=None, **kwargs: Any):  # noqa: A002
        kwargs.setdefault("actor", current_actor())
        return super()._create(event_class, id=id, **kwargs)

    def trigger_event(self, event_class, **kwargs: Any) -> None:
        kwargs.setdefault("actor", current_actor())
        super().trigger_event(event_class, **kwargs)

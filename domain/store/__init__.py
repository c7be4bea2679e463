"""Event store extensions: recorded_at under the write lock, the as-of horizon, idempotency.

The store is eventsourcing's; these subclasses add what SPEC §4–§5 needs and the library
does not give. See docs/DESIGN.md ("recorded_at and repeatable as-of").
"""
from .clock import SystemClock, to_datetime, to_micros

__all__ = ["SystemClock", "to_datetime", "to_micros"]

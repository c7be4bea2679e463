"""Domain exceptions. The api maps each to one HTTP status in a single table."""

from eventsourcing.persistence import OperationalError


class DomainError(Exception):
    """A command was refused; nothing was appended."""

    field: str | None = None

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        if field is not None:
            self.field = field


class ActivityNotFound(DomainError):
    """No activity with that id (or none yet at the as-of instant)."""


class ActivityIsCancelled(DomainError):
    """Serve, document, reschedule or cancel again on a cancelled activity."""


class EntryNotRetractable(DomainError):
    """A retraction names no live ProtocolServed/Documented entry of the activity."""

    field = "version"


class NotPermitted(DomainError):
    """The actor's role may not do this (decided on the state the write appends to)."""


class InvalidActivityData(DomainError):
    """Data that no schema could catch alone, e.g. ends_at before starts_at."""


class StaleVersion(DomainError):
    """If-Match named a version the activity has moved past."""


class ConcurrentWrite(DomainError):
    """Another writer appended to the activity first; this write was not appended."""


class IdempotencyKeyReused(DomainError):
    """The same Idempotency-Key was sent earlier with a different body."""

    field = "Idempotency-Key"


class ClockRefused(DomainError):
    """A simulated clock was asked of a database that is not marked as a demo."""


class ZoneMismatch(Exception):
    """A process configured with another timezone than its database's: it does not start
    (the local dates of the activities, and so every figure, depend on the zone)."""


class StoreNotWritable(Exception):
    """The database cannot be written (a read-only file, folder or mount): the service
    cannot start, since every request may append or move a projection."""


class AuditTreeDamaged(OperationalError):
    """The Merkle tree beside the log lacks nodes that the next write needs: the database
    was changed beneath the service. Nothing is appended until `iku verify` is read."""


class EventsUnsealable(OperationalError):
    """A process without the log's key (or before the log's seal boundary is known) was
    asked to append: every event is sealed by its writer (docs/AUDIT.md, "Seals"), so
    nothing is appended."""


class NotSubmittable(DomainError):
    """The log holds an event the service did not write, or the view's figures are not the
    log's: nothing is frozen into a ReportSubmitted (docs/AUDIT.md)."""

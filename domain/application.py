"""The Agenda application: the commands of SPEC §4 and the reads that need the log itself.

Each command: get the activity, check If-Match, call the aggregate, save. Library errors are
translated into the domain's own exceptions here, at the boundary.

Longer than 300 lines because the eventsourcing Application is one class whose methods are
the commands (as in the library's examples); its reads of the log sit beside them, sharing
the translation of library errors.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import get_topic, resolve_topic

from .exceptions import (
    ActivityNotFound,
    ClockRefused,
    ConcurrentWrite,
    IdempotencyKeyReused,
    StaleVersion,
)
from .accounts import UserAccount
from .model import Activity, check_leaders, check_times
from .ucapan import Ucapan, UcapanNotFound
from .reports import NotSubmitted, PeriodReport
from .targets import IndicatorTarget, check_target
from .store import SystemClock, to_datetime, to_micros
from .store.stores import persistence_env
from .store.records import IdempotencyClaim, RecordedNotification

SIMULATED_MARK = ("recorded_times", "simulated")


FACT_RETRIES = 8  # a fact that lost the race to another write is tried again on the new state


class _AlreadyRecorded(Exception):
    def __init__(self, version: int):
        super().__init__(f"already recorded as version {version}")
        self.version = version


@dataclass(frozen=True)
class Written:
    """The acknowledgement of one appended event."""

    activity_id: UUID
    version: int
    recorded_at: datetime
    position: int
    replayed: bool = False
    already_recorded: bool = False  # the same fact was live already: nothing was appended


@dataclass(frozen=True)
class RecordedEvent:
    """One event as stored: what, who, when recorded, where in the log."""

    activity_id: UUID
    version: int
    type: str
    recorded_at: datetime
    actor: str
    position: int
    data: dict[str, Any]


_ENVELOPE = {"originator_id", "originator_version", "timestamp", "originator_topic", "actor"}


class Agenda(Application):
    name = "IKU"
    is_snapshotting_enabled = False  # as-of reads must never see a newer snapshot

    def __init__(self, env: dict | None = None):
        """`env`: eventsourcing's settings; `Agenda.on(database)` makes them from a database."""
        super().__init__(dict(env or {}))
        self.after_commit: list = []  # called with no argument after events are committed

    def _notify(self, recordings) -> None:
        super()._notify(recordings)
        if recordings:
            for listener in self.after_commit:
                listener()

    @classmethod
    def on(cls, database: str, **settings) -> Agenda:
        """The Agenda of a database (a SQLite file or a postgresql:// URL)."""
        return cls({**persistence_env(database), **settings})

    # Commands --------------------------------------------------------------------------

    def schedule(self, *, idempotency: IdempotencyClaim | None = None, **details) -> Written:
        """Schedule an activity. `details` are ActivityScheduled's: title, leaders,
        starts_at, location, scope, and optionally ends_at, category, notes."""
        activity = self._new_activity(details)
        return self._write(lambda: activity, idempotency)

    @staticmethod
    def _new_activity(details: dict[str, Any]) -> Activity:
        # Checked here, not in the event's body, which also runs when the log is replayed.
        check_leaders(details["leaders"])
        check_times(details["starts_at"], details.get("ends_at"))
        return Activity(**details)

    def reschedule(self, activity_id: UUID, *, starts_at, reason, ends_at=None, **options):
        return self._command(
            activity_id,
            lambda a: a.reschedule(starts_at=starts_at, ends_at=ends_at, reason=reason),
            **options,
        )

    def cancel(self, activity_id: UUID, *, reason: str, **options) -> Written:
        return self._command(activity_id, lambda a: a.cancel(reason=reason), **options)

    def record_protocol(self, activity_id: UUID, *, officers, notes=None, **options):
        said = {"officers": list(officers), "notes": notes}
        return self._command(
            activity_id, lambda a: a.serve(officers=officers, notes=notes),
            same=lambda a: a.same_entry("protocol", said), **options
        )

    def record_documentation(
        self, activity_id: UUID, *, media, evidence_uri=None, evidence_sha256=None,
        notes=None, evidence=None, documented_by=None, **options,
    ) -> Written:
        said = {"media": media, "evidence_uri": evidence_uri, "evidence_sha256": evidence_sha256,
                "notes": notes, "evidence": list(evidence or []), "documented_by": list(documented_by or [])}
        return self._command(activity_id, lambda a: a.document(**said),
                             same=lambda a: a.same_entry("documentation", said), **options)

    def retract(self, activity_id: UUID, *, version: int, reason: str,
                kinds=("protocol", "documentation"), **options) -> Written:
        """Retract an entry recorded in error. `kinds`: the entries the actor may retract;
        checked on the same state the retraction is appended to (a concurrent entry makes
        the save conflict, never slip past the check)."""
        return self._command(
            activity_id, lambda a: a.retract(version=version, reason=reason, kinds=kinds), **options
        )

    # The ucapan (domain/ucapan.py): the same rules, on their own aggregate.

    def request_ucapan(self, *, idempotency: IdempotencyClaim | None = None, **details) -> Written:
        """`details` are UcapanRequested's: kind, recipient, relation, occasion, leaders,
        due_on (YYYY-MM-DD), and optionally notes."""
        Ucapan.check_request(details["kind"], details["relation"], details["leaders"], details["due_on"])
        return self._write(lambda: Ucapan(**details), idempotency)

    def deliver_ucapan(self, ucapan_id: UUID, *, channel, delivered_by, delivered_at, evidence=None,
                       notes=None, **options) -> Written:
        said = {"channel": channel, "delivered_by": list(delivered_by), "delivered_at": delivered_at,
                "evidence": list(evidence or []), "notes": notes}
        return self._command(ucapan_id, lambda u: u.deliver(**said), record=Ucapan,
                             same=lambda u: u.same_delivery(said), **options)

    def cancel_ucapan(self, ucapan_id: UUID, *, reason: str, **options) -> Written:
        return self._command(ucapan_id, lambda u: u.cancel(reason=reason), record=Ucapan, **options)

    def retract_delivery(self, ucapan_id: UUID, *, version: int, reason: str, **options) -> Written:
        return self._command(ucapan_id, lambda u: u.retract(version=version, reason=reason),
                             record=Ucapan, **options)

    def import_activities(self, rows: list[dict]) -> list[Written]:
        """Schedule many activities (with their protocol and documentation facts) in one
        transaction: all are recorded, or none."""
        activities = []
        for row in rows:
            activity = self._new_activity(row["schedule"])
            if row.get("protocol"):
                activity.serve(**row["protocol"])
            for documentation in row.get("documentation", ()):
                activity.document(**documentation)
            activities.append(activity)
        return [self._written(r) for r in self.save(*activities)]

    def set_target(self, *, indicator: str, year: int, target: Decimal, reason: str | None = None,
                   idempotency: IdempotencyClaim | None = None) -> Written:
        """Set (or change, with a reason) an indicator's yearly target."""
        check_target(target)
        target_id = IndicatorTarget.create_id(indicator, year)

        def command():
            try:
                existing = self.repository.get(target_id)
            except AggregateNotFoundError:
                return IndicatorTarget(indicator=indicator, year=year, target=str(target), reason=reason)
            existing.change(target=target, reason=reason or "")
            return existing

        return self._write(command, idempotency)

    def submit_report(self, *, period: str, as_of: datetime, figures: list[dict],
                      chain_position: int, chain_hash: str, note: str | None = None) -> Written:
        """Freeze a period's figures as submitted (ReportSubmitted, by the current actor)."""

        def command():
            try:
                report = self.repository.get(PeriodReport.create_id(period))
            except AggregateNotFoundError:
                report = PeriodReport(period=period)
            report.submit(as_of=as_of.isoformat(), figures=figures, chain_position=chain_position,
                          chain_hash=chain_hash, note=note)
            return report

        return self._write(command, None)

    def reopen_report(self, *, period: str, reason: str) -> Written:
        def command():
            try:
                report = self.repository.get(PeriodReport.create_id(period))
            except AggregateNotFoundError:
                raise NotSubmitted(f"{period} is not submitted") from None
            report.reopen(reason=reason)
            return report

        return self._write(command, None)

    def change_account(self, name: str, change, also=()) -> Written:
        """Append what `change(account or None)` does to a user's account (it returns the
        account), and run `also` (the users' tables) in the same transaction. A creation
        that loses the race to another one is a ConcurrentWrite."""
        account_id = UserAccount.create_id(name)

        def command():
            try:
                account = self.repository.get(account_id)
            except AggregateNotFoundError:
                account = None
            return change(account)

        return self._write(command, None, also)

    def accounts(self, names, as_of: datetime | None = None) -> dict[str, list[RecordedEvent]]:
        """The account histories of these users (lower-case name → events), as recorded up
        to as_of, in one statement."""
        ids = {UserAccount.create_id(name): name.lower() for name in names}
        until = None if as_of is None else to_micros(as_of)
        out: dict[str, list[RecordedEvent]] = {}
        for n in self.recorder.select_recorded_events_of(list(ids), recorded_until=until):
            out.setdefault(ids[n.originator_id], []).append(self.recorded_event(n))
        return out

    def report_history(self, period: str, as_of: datetime | None = None) -> list[RecordedEvent]:
        """The submissions and reopenings of a period, as recorded up to as_of."""
        until = None if as_of is None else to_micros(as_of)
        return [self.recorded_event(n) for n in self.recorder.select_recorded_events(
            PeriodReport.create_id(period), recorded_until=until)]

    def target_history(self, indicators: list[str], year: int, as_of: datetime | None = None) -> list[RecordedEvent]:
        """Every setting and change of the indicators' targets for a year (recorded up to
        as_of), in the order recorded; each event's data names its indicator."""
        ids = [IndicatorTarget.create_id(code, year) for code in indicators]
        until = None if as_of is None else to_micros(as_of)
        found = [self.recorded_event(n) for n in self.recorder.select_recorded_events_of(ids, recorded_until=until)]
        names = {e.activity_id: e.data["indicator"] for e in found if e.type == "TargetSet"}
        return sorted((replace(e, data={"indicator": names[e.activity_id], "year": year, **e.data}) for e in found),
                      key=lambda e: e.position)

    def target_as_of(self, indicator: str, year: int, as_of: datetime) -> Decimal | None:
        return self.targets_as_of([indicator], year, as_of)[indicator]

    def targets_as_of(self, indicators: list[str], year: int, as_of: datetime) -> dict[str, Decimal | None]:
        """The indicators' targets for a year as known at as_of (None: not set), read at once."""
        ids = {IndicatorTarget.create_id(code, year): code for code in indicators}
        targets: dict = {}
        for notification in self.recorder.select_recorded_events_of(list(ids), recorded_until=to_micros(as_of)):
            code = ids[notification.originator_id]
            targets[code] = self.mapper.to_domain_event(notification).mutate(targets.get(code))
        return {code: None if code not in targets else targets[code].target for code in indicators}

    def _command(
        self,
        activity_id: UUID,
        change,
        *,
        record: type = Activity,
        expected_version: int | None = None,
        idempotency: IdempotencyClaim | None = None,
        same=None,
    ) -> Written:
        """A command on an existing record (an activity, an ucapan: `record`). `same`: the
        version of a live entry that already says what this fact says, given the record,
        or None; if there is one, the answer is that entry's and nothing is appended
        (docs/RULES.md, facts that commute)."""
        def command():
            activity = self._get(activity_id, record)
            if expected_version is not None and activity.version != expected_version:
                raise StaleVersion(
                    f"the {'activity' if record is Activity else 'ucapan'} is at version "
                    f"{activity.version}, not {expected_version}"
                )
            if same is not None and (version := same(activity)) is not None:
                raise _AlreadyRecorded(version)
            change(activity)
            return activity

        try:
            # A fact commutes with any other write: losing the race to one is no conflict,
            # the fact is appended after it (or found there). Unless If-Match was asked for.
            for _attempt in range(FACT_RETRIES if same is not None and expected_version is None else 0):
                try:
                    return self._write(command, idempotency)
                except ConcurrentWrite:
                    continue
            return self._write(command, idempotency)
        except _AlreadyRecorded as found:
            remembered = None if idempotency is None else self._remembered(idempotency)
            if remembered is not None:  # the same request's own first answer, won meanwhile
                return remembered
            event = next(n for n in self.recorder.select_recorded_events(activity_id)
                         if n.originator_version == found.version)
            return Written(activity_id=activity_id, version=found.version,
                           recorded_at=to_datetime(event.recorded_at), position=event.id,
                           already_recorded=True)

    def _write(self, command, idempotency: IdempotencyClaim | None, also=()) -> Written:
        """Run `command` (returns the changed activity) and save it, once per key. `also`:
        statements (SQL, parameters) run in the events' transaction (a user's tables)."""
        if idempotency is not None:
            remembered = self._remembered(idempotency)
            if remembered is not None:
                return remembered
        activity = command()
        try:
            recordings = self.save(activity, idempotency=idempotency, also=also)
        except IntegrityError:
            if idempotency is not None:
                remembered = self._remembered(idempotency)
                if remembered is not None:
                    return remembered
            raise ConcurrentWrite(
                "another write to this activity was recorded first; reload and retry"
            ) from None
        return self._written(recordings[-1])

    @staticmethod
    def _written(recording) -> Written:
        """The acknowledgement of a saved event (activity_id: the aggregate's id)."""
        position = recording.notification.id  # a Position: it carries its recorded_at
        return Written(
            activity_id=recording.domain_event.originator_id,
            version=recording.domain_event.originator_version,
            recorded_at=to_datetime(position.recorded_at),
            position=int(position),
        )

    def _remembered(self, claim: IdempotencyClaim) -> Written | None:
        found = self.recorder.find_idempotency(claim.actor, claim.key)
        if found is None:
            return None
        fingerprint, position, activity_id, version = found
        if fingerprint != claim.fingerprint:
            raise IdempotencyKeyReused("this key was used before with a different request")
        return Written(
            activity_id=activity_id,
            version=version,
            recorded_at=to_datetime(self.recorder.recorded_at_of(position)),
            position=position,
            replayed=True,
        )

    def _get(self, activity_id: UUID, record: type = Activity):
        try:
            found = self.repository.get(activity_id)
        except AggregateNotFoundError:
            found = None
        if not isinstance(found, record):  # a target's or a report's id names no activity
            if record is Ucapan:
                raise UcapanNotFound(f"no ucapan {activity_id}")
            raise ActivityNotFound(f"no activity {activity_id}")
        return found

    def _activity_events(self, activity_id: UUID, until: int | None,
                         record: type = Activity) -> list[RecordedNotification]:
        """A record's stored events up to `until` (none: the id is not a `record`'s)."""
        stored = self.recorder.select_recorded_events(activity_id, recorded_until=until)
        if stored and not issubclass(resolve_topic(stored[0].topic), record.Event):
            return []
        return stored

    @staticmethod
    def is_activity_topic(topic: str) -> bool:
        return issubclass(resolve_topic(topic), Activity.Event)

    # Reads from the log ----------------------------------------------------------------

    def fix_as_of(self, requested: datetime | None = None) -> tuple[datetime, int]:
        """The instant a query is answered at (never past the present), and the log
        position that holds every event recorded up to it. Once answered, an as-of query
        keeps its answer: nothing recorded later gets an earlier recorded_at."""
        now = SystemClock().now()
        as_of, position = self.recorder.fix_as_of(
            now if requested is None else to_micros(requested), now
        )
        return to_datetime(as_of), position

    def size_at(self, as_of: datetime) -> int:
        """How many events the log held at an instant (the tree size an answer as of then
        was computed over): positions are dense and recorded_at rises with them, so a
        binary search over positions reads about 20 rows of a million."""
        until, low, high = to_micros(as_of), 0, self.recorder.max_notification_id() or 0
        while low < high:  # the largest position recorded at or before `until`
            middle = (low + high + 1) // 2
            if self.recorder.recorded_at_of(middle) <= until:
                low = middle
            else:
                high = middle - 1
        return low

    def history(self, activity_id: UUID, as_of: datetime | None = None) -> list[RecordedEvent]:
        until = None if as_of is None else to_micros(as_of)
        stored = self._activity_events(activity_id, until)
        if not stored and as_of is None:
            raise ActivityNotFound(f"no activity {activity_id}")
        return [self.recorded_event(n) for n in stored]

    def histories(self, activity_ids, as_of: datetime, record: type = Activity) -> dict[UUID, list[RecordedEvent]]:
        """`history` of several activities (or other records: `record`), up to as_of, read
        in one statement (a page of a listing); an id that is not a `record`'s has none."""
        found: dict[UUID, list[RecordedEvent]] = {i: [] for i in activity_ids}
        if not found:
            return found
        for n in self.recorder.select_recorded_events_of(list(found), recorded_until=to_micros(as_of)):
            if issubclass(resolve_topic(n.topic), record.Event):
                found[n.originator_id].append(self.recorded_event(n))
        return found

    def recent_officers(self, events: int = 5000, most: int = 40) -> list[str]:
        """Officers' names as the last `events` events of the log recorded them (a
        protocol officer picks from them): the most often named first, one spelling each."""
        last = self.recorder.max_notification_id() or 0
        counted: dict[str, tuple[int, str]] = {}
        for n in self.recorder.select_notifications(start=max(1, last - events + 1), limit=events,
                                                    topics=[get_topic(Activity.ProtocolServed)]):
            for name in self.mapper.to_domain_event(n).officers:
                key = " ".join(name.split()).casefold()
                times, spelling = counted.get(key, (0, " ".join(name.split())))
                counted[key] = (times + 1, spelling)
        ranked = sorted(counted.values(), key=lambda found: (-found[0], found[1].casefold()))
        return [spelling for _, spelling in ranked[:most]]

    def recorded_event(self, notification: RecordedNotification) -> RecordedEvent:
        domain_event = self.mapper.to_domain_event(notification)
        data = {k: v for k, v in domain_event.__dict__.items() if k not in _ENVELOPE}
        return RecordedEvent(
            activity_id=domain_event.originator_id,
            version=domain_event.originator_version,
            type=type(domain_event).__name__,
            recorded_at=to_datetime(notification.recorded_at),
            actor=domain_event.actor,
            position=notification.id,
            data=data,
        )

    def ucapan_history(self, ucapan_id: UUID) -> list[RecordedEvent]:
        stored = self._activity_events(ucapan_id, None, Ucapan)
        if not stored:
            raise UcapanNotFound(f"no ucapan {ucapan_id}")
        return [self.recorded_event(n) for n in stored]

    def ucapan_as_of(self, ucapan_id: UUID, as_of: datetime) -> Ucapan:
        """The ucapan folded from the events recorded up to as_of."""
        return self.activity_as_of(ucapan_id, as_of, Ucapan)

    def activity_as_of(self, activity_id: UUID, as_of: datetime, record: type = Activity):
        """The activity (or other `record`) folded from the events recorded up to as_of
        (never a snapshot)."""
        stored = self._activity_events(activity_id, to_micros(as_of), record)
        if not stored:
            missing = UcapanNotFound if record is Ucapan else ActivityNotFound
            raise missing(f"no {'ucapan' if record is Ucapan else 'activity'} {activity_id} as of {as_of.isoformat()}")
        activity = None
        for notification in stored:
            activity = self.mapper.to_domain_event(notification).mutate(activity)
        return activity

    # The demo clock ------------------------------------------------------------------

    @property
    def recorded_times_are_simulated(self) -> bool:
        # The mark is permanent once set, and can only be set while the log is empty: once
        # the log has events, the answer never changes, so it is read once.
        cached = getattr(self, "_simulated", None)
        if cached is not None:
            return cached
        marked = self.recorder.get_mark(SIMULATED_MARK[0]) == SIMULATED_MARK[1]
        if marked or (self.recorder.max_notification_id() or 0) > 0:
            self._simulated = marked
        return marked

    def mark_as_demo(self) -> bool:
        """Permanently mark an empty database as a demo whose recorded times are simulated."""
        return self.recorder.set_mark_if_empty(*SIMULATED_MARK)

    def use_clock(self, clock) -> None:
        if clock.simulated and not self.recorded_times_are_simulated:
            raise ClockRefused(
                "this database is not a demo: its recorded times come from the real clock"
            )
        self.recorder.clock = clock

"""An independent recomputation of the IKU figures (SPEC §5) from the raw event log, for the
inspectorate's offline verifier. Standard library only: it shares no code with the service
(`domain`, `projections`, `api`), so that its agreement with the service is evidence.
Longer than 300 lines because it is the whole of SPEC §5 (periods, the fold, retractions,
targets, submissions) in one file that an inspector can read, and copy, alone.

Use:

    r = Recomputer()
    for each event in log order:
        r.feed(position, activity_id, version, topic, recorded_at, event)
        # activity_id: 32 hex digits; recorded_at: µs since 1970 UTC; event: the stored
        # state parsed from JSON (r.feed_rows(rows) takes (position, activity_id, version,
        # topic, state bytes, recorded_at) rows and parses the state itself)
    r.figures("2021-Q1", "2021-04-10T07:00:00+00:00")   # as the service stores them
    for s in r.submissions():                            # every ReportSubmitted seen
        compare(s["figures"], r.figures(s["period"], s["as_of"]))   # [] when they agree
    r.check_submissions()                                # the two lines above, for all

`Recomputer.figures(period, as_of=None, *, leader=None, zone="Asia/Jakarta") -> list[dict]`
    For IKU-1, IKU-2, PENDUKUNG-1 (the ucapan delivered on time) then TUJUAN-1 (the goal
    indicator): {code, numerator, denominator, percent, cancelled, target, capaian} and,
    for IKU-2, by_media {media_luar_ruang, foto, video}: the numeric keys of a
    ReportSubmitted's `figures`, with the service's JSON types (ints; percent, target and
    capaian floats or None).
    period: `2021`, `2021-S1`, `2021-Q1`, `2021-03` or `2021-01-01..2021-02-15`
    (inclusive local dates in `zone`; surrounding spaces ignored; ASCII digits only, where
    the service's own parser also takes other Unicode digits); ValueError otherwise.
    as_of: None (everything fed; the recomputer has no "present" to clamp to), µs since
    1970 UTC, an aware datetime or ISO string with an offset, or a date (`2021-04-05`,
    a `date`) meaning the end of that local day in `zone`. Only events with
    recorded_at ≤ as_of count. leader: None, `bupati` or `wakil_bupati`.

`Recomputer.submissions() -> list[dict]`
    Every ReportSubmitted in log order: position, report_id, version, recorded_at, period
    (from its report's ReportOpened; None if none was fed), as_of (the stored string),
    figures (as stored), chain_position, chain_hash.

`compare(stored, recomputed) -> list[str]`
    One short sentence per disagreement ("IKU-1 numerator: stated 12, recomputed 11");
    indicators are matched by code, only the numeric keys above are compared, numbers by
    value (12 == 12.0), None only with None. PENDUKUNG-1 and TUJUAN-1 came after the first
    reports: one that does not state them is not refused for it (what it states is checked).

`Recomputer.counts(period, as_of=None, *, leader=None, zone=...) -> dict`
    The activity counts behind the figures (denominator, cancelled, served, documented,
    by_media), with the period's dates and the as_of instant used (µs).

`Recomputer.check_submissions(*, zone=...) -> list[tuple[dict, list[str]]]`
    Every submission with compare()'s sentences for it (or why it cannot be recomputed).

Also: `Recomputer.unknown_topics` (topic → count of events ignored), `anomalies`
(message → {count, first_position}: what the service's rules say cannot happen, e.g. a
retraction naming no live entry, recorded_at not increasing), `events` (count fed).

Semantics (SPEC §5, docs/RULES.md), as decided here:
- An activity's state as of T is the fold, in log order, of its events with recorded_at ≤ T.
  ActivityScheduled (re)starts it; a reschedule moves starts_at; a cancellation is final;
  ProtocolServed and Documented add an entry under their version; EntryRetracted removes the
  live entry of that version (naming none is an anomaly and changes nothing).
- Denominator: scheduled, not cancelled, local date of starts_at (in `zone`) inside the
  period, leaders including `leader` if given. `cancelled`: the same but cancelled.
  IKU-1 numerator: with a live ProtocolServed. IKU-2: with a live Documented (of any
  media, even one not known: SPEC counts documented activities); by_media: with a live
  entry of that media.
- An ucapan's state as of T is the fold of its events with recorded_at ≤ T: UcapanRequested
  (due_on, a local date; leaders), UcapanDelivered (delivered_at) adds a delivery under its
  version, UcapanCancelled is final, DeliveryRetracted removes the delivery of that version.
  PENDUKUNG-1: denominator, the ucapan requested, not cancelled, due_on inside the period,
  leaders including `leader`; numerator, those whose first live delivery has a local date
  (in `zone`) on or before due_on. TUJUAN-1 (docs/RULES.md, the default): numerator
  served + documented + ucapan on time; denominator 2 × activities + ucapan; cancelled
  2 × cancelled activities + cancelled ucapan.
- percent = 100·n/d half-up to 2 decimals (exact integer arithmetic), None when d = 0.
- target: the yearly target of the indicator for the period's year, as known at as_of: the
  last TargetSet/TargetChanged with recorded_at ≤ as_of of the aggregate whose id is
  uuid5(NAMESPACE_URL, "/iku/targets/{code}/{year}") (the only one the service reads);
  None when the period spans two years. capaian = percent / target × 100, computed from
  the rounded percent, half-up to 2 decimals; None without a target, with target 0, or
  with percent None.

Speed: feeding keeps, per activity, a list of (recorded_at, snapshot, …) with the folded
state after each event packed into one int (starts_at µs and nine flag bits), so a
(period, as_of) is one pass over the activities with a bisection each. A log whose
recorded_at is not increasing within an activity (an anomaly) is still answered exactly,
by refolding that activity's events. Memory: about 270 bytes per event.
"""
from __future__ import annotations

import calendar
import json
from functools import partial
import re
import uuid
from bisect import bisect_right
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from operator import itemgetter
from zoneinfo import ZoneInfo

from .catalog import _

__all__ = ["Recomputer", "compare", "parse_period", "CODES", "MEDIA", "LEADERS"]

CODES = ("IKU-1", "IKU-2", "PENDUKUNG-1", "TUJUAN-1")
GOAL_PARTS = ("IKU-1", "IKU-2", "PENDUKUNG-1")  # TUJUAN-1's default (docs/RULES.md; the service's IKU_TUJUAN)
LATER = ("PENDUKUNG-1", "TUJUAN-1")  # defined after the first reports (see compare)
MEDIA = ("media_luar_ruang", "foto", "video")
LEADERS = ("bupati", "wakil_bupati")
NUMERIC_KEYS = ("numerator", "denominator", "percent", "cancelled", "target", "capaian")

# The flag bits of a snapshot; starts_at (µs since 1970 UTC) sits above them.
SCHEDULED, CANCELLED, SERVED, DOCUMENTED = 1, 2, 4, 8
LEADER_BIT = {"bupati": 16, "wakil_bupati": 32}
MEDIA_BIT = {"media_luar_ruang": 64, "foto": 128, "video": 256}
SHIFT, MASK = 9, 511
MLR, FOTO, VIDEO = MEDIA_BIT["media_luar_ruang"], MEDIA_BIT["foto"], MEDIA_BIT["video"]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICRO = timedelta(microseconds=1)
DAY = 86_400_000_000

# Operations of an activity's fold.
OP_SCHEDULE, OP_RESCHEDULE, OP_CANCEL, OP_ENTRY, OP_RETRACT = range(5)

ACTIVITY = "domain.model:Activity."
TARGET = "domain.targets:IndicatorTarget."
REPORT = "domain.reports:PeriodReport."
UCAPAN = "domain.ucapan:Ucapan."
ACCOUNT = "domain.accounts:UserAccount."  # users' access: no figure depends on it (roles.py checks it)

_recorded = itemgetter(0)


# Periods and instants --------------------------------------------------------------------

_YEAR = re.compile(r"([0-9]{4})")
_HALF = re.compile(r"([0-9]{4})-S([12])")
_QUARTER = re.compile(r"([0-9]{4})-Q([1-4])")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_DAY = r"([0-9]{4})-([0-9]{2})-([0-9]{2})"
_RANGE = re.compile(_DAY + r"\.\." + _DAY)
_DATE = re.compile(_DAY)


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def parse_period(label: str) -> tuple[date, date]:
    """The inclusive local dates (start, end) of a period label; ValueError if it is none."""
    text = label.strip() if isinstance(label, str) else ""
    ends_before = False
    try:
        if m := _YEAR.fullmatch(text):
            y = int(m[1])
            return date(y, 1, 1), date(y, 12, 31)
        if m := _HALF.fullmatch(text):
            y, h = int(m[1]), int(m[2])
            return date(y, 6 * h - 5, 1), _last_day(y, 6 * h)
        if m := _QUARTER.fullmatch(text):
            y, q = int(m[1]), int(m[2])
            return date(y, 3 * q - 2, 1), _last_day(y, 3 * q)
        if m := _MONTH.fullmatch(text):
            y, mo = int(m[1]), int(m[2])
            return date(y, mo, 1), _last_day(y, mo)
        if m := _RANGE.fullmatch(text):
            start = date(int(m[1]), int(m[2]), int(m[3]))
            end = date(int(m[4]), int(m[5]), int(m[6]))
            if end >= start:
                return start, end
            ends_before = True
    except ValueError:
        raise ValueError(_("bukan tanggal yang nyata dalam periode %(label)r", label=label)) from None
    if ends_before:
        raise ValueError(_("periode %(label)r berakhir sebelum dimulai", label=label))
    raise ValueError(_("periode %(label)r tidak dikenal", label=label))


def to_micros(instant: datetime) -> int:
    if instant.utcoffset() is None:
        raise ValueError(_("sebuah instan memerlukan offset zona waktu: %(instant)s", instant=instant.isoformat()))
    return (instant - EPOCH) // MICRO


def _instant(value) -> int:
    """µs since 1970 UTC of a stored instant: {"_type_": "datetime_iso", "_data_": ...}, an
    ISO string or a datetime, always with an offset."""
    if isinstance(value, dict):
        if value.get("_type_") != "datetime_iso":
            raise ValueError(_("bukan instan yang dikodekan"))
        value = value["_data_"]
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise ValueError(_("bukan instan"))
    return to_micros(value)


class _Zone:
    """Local dates (as ordinals) of instants in one timezone, cached per instant."""

    def __init__(self, name: str):
        self.zone = ZoneInfo(name)
        self.ordinals: dict[int, int] = {}

    def ordinal(self, micros: int) -> int:
        found = self.ordinals.get(micros)
        if found is None:
            try:
                found = (EPOCH + timedelta(microseconds=micros)).astimezone(self.zone).toordinal()
            except (OverflowError, ValueError):
                found = 0 if micros < 0 else 10**8  # beyond datetime: outside every period
            self.ordinals[micros] = found
        return found

    def first_instant(self, day: date) -> int:
        """The first µs whose local date is `day` (exact across offset changes)."""
        guess = to_micros(datetime.combine(day, time(0), self.zone))
        target = day.toordinal()
        lo, hi = guess - 2 * DAY, guess + 2 * DAY
        if not (self.ordinal(lo) < target <= self.ordinal(hi)):
            return guess
        while hi - lo > 1:  # local dates never go backwards within two days of midnight
            mid = (lo + hi) // 2
            if self.ordinal(mid) >= target:
                hi = mid
            else:
                lo = mid
        return hi

    def end_of_day(self, day: date) -> int:
        return self.first_instant(day + timedelta(days=1)) - 1


# Activities ------------------------------------------------------------------------------

class _Activity:
    """One activity: its fold so far, and every event as (recorded_at, snapshot after it,
    version, operation, argument)."""

    __slots__ = ("events", "snapshot", "latest", "ordered", "starts", "flags", "live")

    def __init__(self):
        self.events: list[tuple] = []
        self.snapshot = 0
        self.latest = -(2**63)  # the greatest recorded_at among its events
        self.ordered = True  # recorded_at never decreases along its events
        self.starts = 0
        self.flags = 0  # SCHEDULED, CANCELLED, leader bits
        self.live: dict[int, int] = {}  # version → bits of a live entry

    def apply(self, version: int, op: int, arg) -> str | None:
        """Fold one operation; returns an anomaly's message, if any."""
        problem = None
        if op == OP_SCHEDULE:
            if self.flags & SCHEDULED:
                problem = "an activity scheduled twice"
            self.starts, self.flags, self.live = arg[0], SCHEDULED | arg[1], {}
        elif not self.flags & SCHEDULED:
            problem = "an event of an activity not (yet) scheduled"
            if op == OP_RESCHEDULE:
                self.starts = arg
        elif op == OP_RESCHEDULE:
            self.starts = arg
        elif op == OP_CANCEL:
            self.flags |= CANCELLED
        elif op == OP_ENTRY:
            self.live[version] = arg
        elif op == OP_RETRACT:
            if self.live.pop(arg, None) is None:
                problem = "a retraction naming no live entry"
        bits = self.flags
        for entry in self.live.values():
            bits |= entry
        self.snapshot = (self.starts << SHIFT) | bits
        return problem

    def as_of(self, until: int) -> int | None:
        """The snapshot folded from the events recorded up to `until`; None if none was."""
        if self.latest <= until:
            return self.snapshot
        if self.ordered:
            i = bisect_right(self.events, until, key=_recorded)
            return self.events[i - 1][1] if i else None
        fold, seen = _Activity(), False
        for recorded_at, _snapshot, version, op, arg in self.events:
            if recorded_at <= until:
                fold.apply(version, op, arg)
                seen = True
        return fold.snapshot if seen else None


# The recomputer --------------------------------------------------------------------------

class Recomputer:
    def __init__(self, goal_parts: tuple[str, ...] = GOAL_PARTS):
        """`goal_parts`: the indicators TUJUAN-1 sums, as the inspector holds the office to
        (the default, or the office's IKU_TUJUAN, told to the inspector: never the export's
        say-so)."""
        unknown = [code for code in goal_parts if code not in CODES[:3]]
        if unknown or not goal_parts:
            raise ValueError(_("TUJUAN-1 menjumlahkan %(codes)s, bukan %(unknown)s",
                               codes=", ".join(CODES[:3]), unknown=", ".join(unknown) or "(tidak ada)"))
        self.goal_parts = tuple(goal_parts)
        self.activities: dict[str, _Activity] = {}
        self.ucapan: dict[str, list[tuple]] = {}  # id → [(recorded_at, version, kind, event)]
        self.targets: dict[str, dict] = {}  # aggregate id → {indicator, year, values}
        self.reports: dict[str, str] = {}  # aggregate id → period label
        self._submissions: list[dict] = []
        self.unknown_topics: dict[str, int] = {}
        self.anomalies: dict[str, dict] = {}
        self.events = 0
        self._position = 0
        self._recorded_at = None
        self._zones: dict[str, _Zone] = {}
        kinds = {
            "ActivityScheduled": self._scheduled, "ActivityRescheduled": self._rescheduled,
            "ActivityCancelled": self._cancelled, "ProtocolServed": self._served,
            "Documented": self._documented, "EntryRetracted": self._retracted,
        }
        self._handlers = {ACTIVITY + k: (k, h, True) for k, h in kinds.items()}
        for prefix, kinds in ((TARGET, {"TargetSet": self._target_set,
                                        "TargetChanged": self._target_changed}),
                              (REPORT, {"ReportOpened": self._report_opened,
                                        "ReportSubmitted": self._report_submitted,
                                        "ReportReopened": None}),
                              (UCAPAN, {k: partial(self._ucapan_event, k) for k in (
                                  "UcapanRequested", "UcapanDelivered", "UcapanCancelled",
                                  "DeliveryRetracted")}),
                              (ACCOUNT, dict.fromkeys((
                                  "AccountCreated", "RoleChanged", "AccountDisabled", "AccountEnabled",
                                  "ProfileChanged", "PasswordReset", "PasswordChanged", "TokenIssued",
                                  "CredentialsRecorded")))):
            self._handlers.update({prefix + k: (k, h, False) for k, h in kinds.items()})

    # Feeding -----------------------------------------------------------------------------

    def feed(self, position: int, activity_id: str, version: int, topic: str,
             recorded_at: int, event: dict) -> None:
        self.events += 1
        if position <= self._position:
            self._anomaly("a position not after the one before", position)
        self._position = position
        if self._recorded_at is not None and recorded_at <= self._recorded_at:
            self._anomaly("a recorded_at not after the one before", position)
        self._recorded_at = recorded_at
        handler = self._handlers.get(topic)
        if handler is None:
            self.unknown_topics[topic] = self.unknown_topics.get(topic, 0) + 1
            return
        kind, method, of_activity = handler
        if method is None:
            return
        try:
            if of_activity:
                op, arg = method(event, version)
                activity = self.activities.get(activity_id)
                if activity is None:
                    activity = self.activities[activity_id] = _Activity()
                problem = activity.apply(version, op, arg)
                if problem is not None:
                    self._anomaly(problem, position)
                if recorded_at < activity.latest:
                    activity.ordered = False
                else:
                    activity.latest = recorded_at
                activity.events.append((recorded_at, activity.snapshot, version, op, arg))
            else:
                method(position, activity_id, version, recorded_at, event)
        except (KeyError, TypeError, ValueError, AttributeError, InvalidOperation):
            self._anomaly(f"a malformed {kind} (ignored)", position)

    def feed_rows(self, rows) -> None:
        """Feed rows (position, activity_id, version, topic, state, recorded_at), the state
        being the stored JSON (bytes or str)."""
        decode = json.loads
        feed = self.feed
        for position, activity_id, version, topic, state, recorded_at in rows:
            feed(position, activity_id, version, topic, recorded_at, decode(state))

    def _anomaly(self, message: str, position: int) -> None:
        found = self.anomalies.get(message)
        if found is None:
            self.anomalies[message] = {"count": 1, "first_position": position}
        else:
            found["count"] += 1

    @staticmethod
    def _scheduled(event, version):
        leaders = 0
        for leader in event["leaders"]:
            leaders |= LEADER_BIT[leader]
        return OP_SCHEDULE, (_instant(event["starts_at"]), leaders)

    @staticmethod
    def _rescheduled(event, version):
        return OP_RESCHEDULE, _instant(event["starts_at"])

    @staticmethod
    def _cancelled(event, version):
        return OP_CANCEL, None

    @staticmethod
    def _served(event, version):
        return OP_ENTRY, SERVED

    def _documented(self, event, version):
        media = event["media"]
        if media not in MEDIA_BIT:
            self._anomaly(f"an unknown media {media!r}", self._position)
        return OP_ENTRY, DOCUMENTED | MEDIA_BIT.get(media, 0)

    @staticmethod
    def _retracted(event, version):
        retracted = event["retracted_version"]
        if type(retracted) is not int:
            raise TypeError(_("retracted_version bukan bilangan bulat"))
        return OP_RETRACT, retracted

    def _target_set(self, position, aggregate_id, version, recorded_at, event):
        indicator, year, value = event["indicator"], event["year"], Decimal(event["target"])
        if uuid.uuid5(uuid.NAMESPACE_URL, f"/iku/targets/{indicator}/{year}").hex != aggregate_id:
            self._anomaly("a target not at the id of its indicator and year", position)
        self.targets[aggregate_id] = {"indicator": indicator, "year": year,
                                      "values": [(version, recorded_at, value)]}

    def _target_changed(self, position, aggregate_id, version, recorded_at, event):
        value = Decimal(event["target"])
        target = self.targets.get(aggregate_id)
        if target is None:
            self._anomaly("a TargetChanged without its TargetSet", position)
            return
        target["values"].append((version, recorded_at, value))

    def _ucapan_event(self, kind, position, aggregate_id, version, recorded_at, event):
        """Kept as fed, what the count reads of it (an ucapan's events are few); folded
        when asked, as of an instant."""
        if kind == "UcapanRequested":
            leaders = 0
            for leader in event["leaders"]:
                leaders |= LEADER_BIT[leader]
            day = date.fromisoformat(event["due_on"])
            arg = (day.toordinal(), leaders)
        elif kind == "UcapanDelivered":
            arg = _instant(event["delivered_at"])
        elif kind == "DeliveryRetracted":
            arg = event["retracted_version"]
            if type(arg) is not int:
                raise TypeError(_("retracted_version bukan bilangan bulat"))
        else:
            arg = None
        events = self.ucapan.setdefault(aggregate_id, [])
        if kind == "UcapanRequested" and events:
            self._anomaly("an ucapan requested twice", position)
        events.append((recorded_at, version, kind, arg))

    def _report_opened(self, position, aggregate_id, version, recorded_at, event):
        period = event["period"]
        if uuid.uuid5(uuid.NAMESPACE_URL, f"/iku/reports/{period}").hex != aggregate_id:
            self._anomaly("a report not at the id of its period", position)
        self.reports[aggregate_id] = period

    def _report_submitted(self, position, aggregate_id, version, recorded_at, event):
        period = self.reports.get(aggregate_id)
        if period is None:
            self._anomaly("a ReportSubmitted without its ReportOpened", position)
        self._submissions.append({
            "position": position, "report_id": aggregate_id, "version": version,
            "recorded_at": recorded_at, "period": period, "as_of": event["as_of"],
            "figures": event["figures"], "chain_position": event.get("chain_position"),
            "chain_hash": event.get("chain_hash"),
        })

    # Answers -----------------------------------------------------------------------------

    def submissions(self) -> list[dict]:
        return [dict(s) for s in self._submissions]

    def _zone(self, name: str) -> _Zone:
        found = self._zones.get(name)
        if found is None:
            found = self._zones[name] = _Zone(name)
        return found

    def resolve_as_of(self, as_of, zone: str = "Asia/Jakarta") -> int | None:
        """µs since 1970 UTC of an as_of (see the module's docstring), or None."""
        if as_of is None:
            return None
        if isinstance(as_of, bool):
            raise TypeError(_("as_of tidak boleh boolean"))
        if isinstance(as_of, int):
            return as_of
        if isinstance(as_of, str):
            text = as_of.strip()
            if m := _DATE.fullmatch(text):
                as_of = date(int(m[1]), int(m[2]), int(m[3]))
            else:
                as_of = datetime.fromisoformat(text)
        if isinstance(as_of, datetime):
            return to_micros(as_of)
        if isinstance(as_of, date):
            return self._zone(zone).end_of_day(as_of)
        raise TypeError(_("as_of berjenis %(kind)s", kind=type(as_of).__name__))

    def target(self, code: str, year: int, until: int | None) -> Decimal | None:
        """The target of an indicator and year as known at `until` (None: everything fed)."""
        found = self.targets.get(uuid.uuid5(uuid.NAMESPACE_URL, f"/iku/targets/{code}/{year}").hex)
        if found is None:
            return None
        known = [(v, value) for v, recorded_at, value in found["values"]
                 if until is None or recorded_at <= until]
        return max(known, key=itemgetter(0))[1] if known else None

    def counts(self, period: str, as_of=None, *, leader: str | None = None,
               zone: str = "Asia/Jakarta") -> dict:
        """The activity counts behind the figures: denominator, cancelled, served,
        documented and one per media."""
        start, end = parse_period(period)
        if leader is not None and leader not in LEADER_BIT:
            raise ValueError(_("pimpinan %(leader)r tidak dikenal", leader=leader))
        until = self.resolve_as_of(as_of, zone)
        local = self._zone(zone)
        ordinals, ordinal = local.ordinals, local.ordinal
        lo, hi = start.toordinal(), end.toordinal()
        wanted = SCHEDULED | (0 if leader is None else LEADER_BIT[leader])
        denominator = cancelled = served = documented = mlr = foto = video = 0
        for activity in self.activities.values():
            if until is None or activity.latest <= until:
                snapshot = activity.snapshot
            else:
                snapshot = activity.as_of(until)
                if snapshot is None:
                    continue
            if snapshot & wanted != wanted:
                continue
            starts = snapshot >> SHIFT
            day = ordinals.get(starts)
            if day is None:
                day = ordinal(starts)
            if day < lo or day > hi:
                continue
            if snapshot & CANCELLED:
                cancelled += 1
                continue
            denominator += 1
            if snapshot & SERVED:
                served += 1
            if snapshot & DOCUMENTED:
                documented += 1
                if snapshot & MLR:
                    mlr += 1
                if snapshot & FOTO:
                    foto += 1
                if snapshot & VIDEO:
                    video += 1
        return {"denominator": denominator, "cancelled": cancelled, "served": served,
                "documented": documented, "by_media": {"media_luar_ruang": mlr, "foto": foto,
                                                       "video": video},
                "start": start, "end": end, "as_of": until}

    def ucapan_counts(self, period: str, as_of=None, *, leader: str | None = None,
                      zone: str = "Asia/Jakarta") -> dict:
        """The ucapan behind PENDUKUNG-1: denominator, cancelled, on_time."""
        start, end = parse_period(period)
        if leader is not None and leader not in LEADER_BIT:
            raise ValueError(_("pimpinan %(leader)r tidak dikenal", leader=leader))
        until = self.resolve_as_of(as_of, zone)
        local = self._zone(zone)
        lo, hi = start.toordinal(), end.toordinal()
        denominator = cancelled = on_time = 0
        for events in self.ucapan.values():
            due = leaders = None
            is_cancelled = False
            deliveries: dict[int, int] = {}
            for recorded_at, version, kind, arg in events:
                if until is not None and recorded_at > until:
                    continue
                if kind == "UcapanRequested":
                    (due, leaders), is_cancelled, deliveries = arg, False, {}
                elif kind == "UcapanDelivered":
                    deliveries[version] = arg
                elif kind == "UcapanCancelled":
                    is_cancelled = True
                else:  # DeliveryRetracted (naming no live delivery: changes nothing)
                    deliveries.pop(arg, None)
            if due is None or not lo <= due <= hi or (leader is not None and not leaders & LEADER_BIT[leader]):
                continue
            if is_cancelled:
                cancelled += 1
                continue
            denominator += 1
            if deliveries and min(local.ordinal(d) for d in deliveries.values()) <= due:
                on_time += 1
        return {"denominator": denominator, "cancelled": cancelled, "on_time": on_time}

    def figures(self, period: str, as_of=None, *, leader: str | None = None,
                zone: str = "Asia/Jakarta") -> list[dict]:
        c = self.counts(period, as_of, leader=leader, zone=zone)
        u = self.ucapan_counts(period, as_of, leader=leader, zone=zone)
        start, end, until = c["start"], c["end"], c["as_of"]
        out = []
        parts = {"IKU-1": (c["served"], c["denominator"], c["cancelled"]),
                 "IKU-2": (c["documented"], c["denominator"], c["cancelled"]),
                 "PENDUKUNG-1": (u["on_time"], u["denominator"], u["cancelled"])}
        goal = tuple(sum(parts[code][i] for code in self.goal_parts) for i in range(3))
        for code, (numerator, denominator, cancelled) in (*parts.items(), ("TUJUAN-1", goal)):
            target = self.target(code, start.year, until) if start.year == end.year else None
            hundredths = _hundredths(100 * numerator, denominator)
            figure = {
                "code": code,
                "numerator": numerator,
                "denominator": denominator,
                "percent": None if hundredths is None else hundredths / 100,
                "cancelled": cancelled,
                "target": None if target is None else float(target),
                "capaian": _capaian(hundredths, target),
            }
            if code == "IKU-2":
                figure["by_media"] = dict(c["by_media"])
            out.append(figure)
        return out

    def check_submissions(self, *, zone: str = "Asia/Jakarta") -> list[tuple[dict, list[str]]]:
        """Every submission with the disagreements of its stated figures with the
        recomputation at its as_of ([] when they agree)."""
        checked = []
        for s in self._submissions:
            if s["period"] is None:
                problems = ["its period is unknown: no ReportOpened for its report"]
            else:
                try:
                    problems = compare(s["figures"], self.figures(s["period"], s["as_of"], zone=zone))
                except (ValueError, TypeError) as e:
                    problems = [f"cannot be recomputed: {e}"]
            checked.append((dict(s), problems))
        return checked


# Arithmetic ------------------------------------------------------------------------------

def _half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded to an integer, halves away from zero."""
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    if numerator < 0:
        return -((-2 * numerator + denominator) // (2 * denominator))
    return (2 * numerator + denominator) // (2 * denominator)


def _hundredths(numerator: int, denominator: int) -> int | None:
    """numerator / denominator in hundredths, half-up; None when the denominator is 0."""
    return None if denominator == 0 else _half_up(100 * numerator, denominator)


def _capaian(percent_hundredths: int | None, target: Decimal | None) -> float | None:
    """(percent / target × 100) with percent = percent_hundredths / 100, half-up, as a float."""
    if percent_hundredths is None or target is None or not target.is_finite() or target == 0:
        return None
    num, den = target.as_integer_ratio()
    # percent / target × 100 in hundredths = percent_hundredths × 100 / target
    return _half_up(percent_hundredths * 100 * den, num) / 100


# Comparing -------------------------------------------------------------------------------

_ABSENT = object()


def _same(stated, recomputed) -> bool:
    def number(x):
        return isinstance(x, (int, float)) and not isinstance(x, bool)

    if number(stated) and number(recomputed):
        return stated == recomputed
    if stated is None or recomputed is None:
        return stated is recomputed
    return False


def _show(value) -> str:
    if value is _ABSENT:
        return _("(tidak ada)")
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def compare(stored: list[dict], recomputed: list[dict]) -> list[str]:
    """The disagreements between stated figures and recomputed ones, one sentence each."""
    if not isinstance(stored, list) or not all(isinstance(f, dict) for f in stored):
        return [_("angka yang dinyatakan bukan daftar indikator: %(stated)s", stated=_show(stored))]
    problems = []
    stated_by_code: dict = {}
    for figure in stored:
        code = figure.get("code")
        if code in stated_by_code:
            problems.append(_("%(code)s dinyatakan dua kali", code=_show(code)))
            continue
        stated_by_code[code] = figure
    recomputed_by_code = {f["code"]: f for f in recomputed}
    for code, figure in recomputed_by_code.items():
        stated = stated_by_code.get(code)
        if stated is None:
            if code not in LATER:  # a report of before them does not state them
                problems.append(_("%(code)s: tidak dinyatakan, dihitung ulang", code=code))
            continue
        for key in NUMERIC_KEYS:
            a, b = stated.get(key, _ABSENT), figure.get(key, _ABSENT)
            if not _same(a, b):
                problems.append(_("%(code)s %(key)s: dinyatakan %(stated)s, dihitung ulang %(recomputed)s",
                                   code=code, key=key, stated=_show(a), recomputed=_show(b)))
        a, b = stated.get("by_media", _ABSENT), figure.get("by_media", _ABSENT)
        if isinstance(a, dict) and isinstance(b, dict):
            for media in dict.fromkeys([*b, *a]):
                x, y = a.get(media, _ABSENT), b.get(media, _ABSENT)
                if not _same(x, y):
                    problems.append(_("%(code)s by_media %(media)s: dinyatakan %(stated)s, dihitung ulang %(recomputed)s",
                                      code=code, media=media, stated=_show(x), recomputed=_show(y)))
        elif a is not _ABSENT or b is not _ABSENT:
            problems.append(_("%(code)s by_media: dinyatakan %(stated)s, dihitung ulang %(recomputed)s",
                               code=code, stated=_show(a), recomputed=_show(b)))
    for code in stated_by_code:
        if code not in recomputed_by_code:
            problems.append(_("%(code)s: dinyatakan, tidak dihitung ulang",
                               code=code if isinstance(code, str) else _show(code)))
    return problems

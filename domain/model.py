"""The activity (kegiatan) aggregate: one agenda item of the Bupati and/or Wakil Bupati.

Its six events are the facts of SPEC §4. Nothing is ever updated or deleted: a mistake is
corrected by a later event that says so, with a reason.
"""
from __future__ import annotations

from datetime import datetime

from eventsourcing.domain import event

from .exceptions import ActivityIsCancelled, EntryNotRetractable, InvalidActivityData, NotPermitted
from .recorded import ActedAggregate

LEADERS = ("bupati", "wakil_bupati")
MEDIA = ("media_luar_ruang", "foto", "video")
SCOPES = ("dalam_daerah", "luar_daerah")


FIRST_YEAR, LAST_YEAR = 1900, 2999  # an agenda's dates; anything else is a typing error


def check_times(starts_at: datetime, ends_at: datetime | None) -> None:
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if value is not None and value.utcoffset() is None:
            raise InvalidActivityData("must carry a timezone offset", field=name)
        if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise InvalidActivityData(f"must be between the years {FIRST_YEAR} and {LAST_YEAR}",
                                      field=name)
    if ends_at is not None and ends_at < starts_at:
        raise InvalidActivityData("must not be before starts_at", field="ends_at")


def check_leaders(leaders: list[str]) -> None:
    if not leaders:
        raise InvalidActivityData("name at least one leader", field="leaders")
    unknown = [leader for leader in leaders if leader not in LEADERS]
    if unknown:
        raise InvalidActivityData(f"unknown leader {unknown[0]!r}", field="leaders")
    if len(set(leaders)) != len(leaders):
        raise InvalidActivityData("a leader is named twice", field="leaders")


class Activity(ActedAggregate):
    @event("ActivityScheduled")
    def __init__(
        self,
        title: str,
        leaders: list[str],
        starts_at: datetime,
        location: str,
        scope: str,
        ends_at: datetime | None = None,
        category: str | None = None,
        notes: str | None = None,
    ):
        self.title = title
        self.leaders = list(leaders)
        self.starts_at = starts_at
        self.ends_at = ends_at
        self.location = location
        self.scope = scope
        self.category = category
        self.notes = notes
        self.cancelled = False
        self.cancel_reason: str | None = None
        self.protocol: dict[int, dict] = {}
        self.documentation: dict[int, dict] = {}
        self.retracted: dict[int, str] = {}

    @property
    def _next_version(self) -> int:
        # Inside an event body the aggregate still has the previous version.
        return self.version + 1

    # Guards --------------------------------------------------------------------------

    def check_not_cancelled(self) -> None:
        if self.cancelled:
            raise ActivityIsCancelled("the activity is cancelled")

    def check_retractable(self, version: int) -> None:
        if version not in self.protocol and version not in self.documentation:
            raise EntryNotRetractable(
                f"version {version} is not a ProtocolServed or Documented entry of this activity"
            )
        if version in self.retracted:
            raise EntryNotRetractable(f"version {version} is already retracted")

    def entry_kind(self, version: int) -> str | None:
        """'protocol' or 'documentation' for a ProtocolServed/Documented entry, else None."""
        if version in self.protocol:
            return "protocol"
        if version in self.documentation:
            return "documentation"
        return None

    def check_may_retract(self, version: int, kinds) -> None:
        """Who may retract depends on what is retracted: decided here, on the state the
        retraction is appended to, so an entry recorded meanwhile cannot slip past."""
        kind = self.entry_kind(version)
        if kind is not None and kind not in kinds:
            raise NotPermitted(f"may not retract {kind}")  # the service layer names the role

    def same_entry(self, kind: str, values: dict) -> int | None:
        """The version of a live entry of `kind` that says what `values` say, if any: a
        fact sent again (a resend, a second officer) is recognised, not recorded twice.
        Officers are compared as a set, ignoring case and spaces around names."""
        def said(entry: dict) -> dict:
            if kind == "protocol":
                return {**entry, "officers": sorted(o.strip().casefold() for o in entry["officers"])}
            return entry

        wanted = said(values)
        for version, entry in sorted((self.protocol if kind == "protocol" else self.documentation).items()):
            if version not in self.retracted and said(entry) == wanted:
                return version
        return None

    # Commands ------------------------------------------------------------------------

    def reschedule(self, starts_at: datetime, reason: str, ends_at: datetime | None = None):
        self.check_not_cancelled()
        check_times(starts_at, ends_at)
        self._reschedule(starts_at=starts_at, ends_at=ends_at, reason=reason)

    @event("ActivityRescheduled")
    def _reschedule(self, starts_at: datetime, ends_at: datetime | None, reason: str):
        self.starts_at = starts_at
        self.ends_at = ends_at

    def cancel(self, reason: str):
        self.check_not_cancelled()
        self._cancel(reason=reason)

    @event("ActivityCancelled")
    def _cancel(self, reason: str):
        self.cancelled = True
        self.cancel_reason = reason

    def serve(self, officers: list[str], notes: str | None = None):
        self.check_not_cancelled()
        if not officers or any(not o.strip() for o in officers):
            raise InvalidActivityData("name at least one officer", field="officers")
        self._serve(officers=list(officers), notes=notes)

    @event("ProtocolServed")
    def _serve(self, officers: list[str], notes: str | None):
        self.protocol[self._next_version] = {"officers": officers, "notes": notes}

    def document(
        self,
        media: str,
        evidence_uri: str | None = None,
        evidence_sha256: str | None = None,
        notes: str | None = None,
        evidence: list[dict] | None = None,
        documented_by: list[str] | None = None,
    ):
        """`evidence`: files of the evidence store, each named by its SHA-256 (with its
        size, type and capture time); `documented_by`: who photographed or filmed."""
        self.check_not_cancelled()
        if media not in MEDIA:
            raise InvalidActivityData(f"unknown media {media!r}", field="media")
        for item in evidence or []:
            if not (isinstance(item, dict) and isinstance(item.get("sha256"), str)
                    and len(item["sha256"]) == 64 and set(item["sha256"]) <= set("0123456789abcdef")):
                raise InvalidActivityData("name each file by its SHA-256", field="evidence")
        if any(not isinstance(name, str) or not name.strip() for name in documented_by or []):
            raise InvalidActivityData("a name is empty", field="documented_by")
        self._document(
            media=media, evidence_uri=evidence_uri, evidence_sha256=evidence_sha256, notes=notes,
            evidence=list(evidence or []), documented_by=list(documented_by or []),
        )

    @event("Documented")
    def _document(
        self,
        media: str,
        evidence_uri: str | None,
        evidence_sha256: str | None,
        notes: str | None,
        evidence: list[dict] | None = None,  # absent from the events recorded before them
        documented_by: list[str] | None = None,
    ):
        self.documentation[self._next_version] = {
            "media": media,
            "evidence_uri": evidence_uri,
            "evidence_sha256": evidence_sha256,
            "notes": notes,
            "evidence": list(evidence or []),
            "documented_by": list(documented_by or []),
        }

    def retract(self, version: int, reason: str, kinds=("protocol", "documentation")):
        """`kinds`: the entries the actor may retract ('protocol', 'documentation')."""
        # A retraction stays possible on a cancelled activity: a mistake can always be corrected.
        self.check_may_retract(version, kinds)
        self.check_retractable(version)
        self._retract(retracted_version=version, reason=reason)

    @event("EntryRetracted")
    def _retract(self, retracted_version: int, reason: str):
        self.retracted[retracted_version] = reason


def event_types(aggregate: type = Activity) -> set[type]:
    """Every event type the aggregate can record (its subclasses' too), without the
    library's bases: what a log may hold, which every projection must decide about."""
    found, todo = set(), [aggregate.Event]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    return {cls for cls in found if cls.__name__ not in ("Created", "Event")}

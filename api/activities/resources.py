"""/api/v1/activities: the six facts of SPEC §4 as POSTs, and the reads."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from uuid import UUID

import marshmallow as ma
from flask import current_app, g
from flask.views import MethodView
from flask_smorest import Blueprint

from domain.store.clock import to_datetime
from projections.indicators import LEADER_BITS, MEDIA_BITS
from projections.periods import end_of_local_day

from ..auth import ROLE_PERMISSIONS, check_permission, requires
from ..idempotency import claim_for
from .schemas import (
    ActivitySchema,
    AsOfQuerySchema,
    CancellationSchema,
    DocumentationSchema,
    HistorySchema,
    ListingQuerySchema,
    ListingSchema,
    ProtocolSchema,
    RescheduleSchema,
    RetractionSchema,
    ScheduleSchema,
    WriteHeadersSchema,
    WrittenSchema,
)

blp = Blueprint(
    "activities", __name__, url_prefix="/api/v1/activities",
    description="Activities (kegiatan) of the Bupati and Wakil Bupati, and the facts about them",
)


def services():
    return current_app.extensions["iku"]


def resolve_as_of(value) -> datetime | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return end_of_local_day(value, services().zone)
    return value


def written(result, status=201):
    headers = {"ETag": f'"{result.version}"', "Location": f"{blp.url_prefix}/{result.activity_id}"}
    if result.replayed:
        headers["Idempotent-Replayed"] = "true"
    return result, status, headers


def _write(command, body: dict, headers: dict, activity_id: UUID | None = None):
    claim = claim_for(headers["idempotency_key"], body, headers["if_match"])
    options = {"idempotency": claim}
    if activity_id is not None:
        options["expected_version"] = headers["if_match"]
        return written(command(activity_id, **body, **options))
    return written(command(**body, **options))


@blp.route("")
class Activities(MethodView):
    @blp.arguments(ListingQuerySchema, location="query", unknown=ma.RAISE)
    @blp.response(200, ListingSchema)
    @requires("read")
    def get(self, query):
        """List the activities starting in a period, as known at an instant"""
        period = query["period"]
        leader = query.get("leader")
        as_of, rows = services().calculator.activities(
            period, resolve_as_of(query["as_of"]), leader
        )
        return {
            "period": period,
            "as_of": as_of,
            "leader": leader,
            "activities": [listed(row) for row in rows],
        }

    @blp.arguments(ScheduleSchema)
    @blp.arguments(WriteHeadersSchema, location="headers")
    @blp.response(201, WrittenSchema)
    @requires("schedule")
    def post(self, body, headers):
        """Schedule an activity (ActivityScheduled)"""
        return _write(services().agenda.schedule, body, headers)


def listed(row: dict) -> dict:
    return {
        "activity_id": str(UUID(row["activity_id"])),
        "version": row["version"],
        "title": row["title"],
        "leaders": [name for name, bit in LEADER_BITS.items() if row["leaders"] & bit],
        "starts_at": _local(row["starts_at"], row["utc_offset"]),
        "ends_at": None if row["ends_at"] is None else _local(row["ends_at"], row["utc_offset"]),
        "location": row["location"],
        "scope": row["scope"],
        "category": row["category"],
        "cancelled": bool(row["cancelled"]),
        "served": bool(row["served"]),
        "documented": row["media"] != 0,
        "media": [name for name, bit in MEDIA_BITS.items() if row["media"] & bit],
    }


def _local(micros: int, offset_seconds: float) -> datetime:
    return to_datetime(micros).astimezone(timezone(timedelta(seconds=offset_seconds)))


@blp.route("/<uuid:activity_id>")
class ActivityResource(MethodView):
    @blp.arguments(AsOfQuerySchema, location="query", unknown=ma.RAISE)
    @blp.response(200, ActivitySchema)
    @requires("read")
    def get(self, query, activity_id):
        """The activity's state as known at an instant (404 if it did not exist yet)"""
        agenda = services().agenda
        as_of, _ = agenda.fix_as_of(resolve_as_of(query["as_of"]))
        return activity_state(agenda.activity_as_of(activity_id, as_of), as_of)


def activity_state(activity, as_of: datetime) -> dict:
    retracted = activity.retracted
    protocol = [
        {"version": v, **entry, "retracted": v in retracted, "retraction_reason": retracted.get(v)}
        for v, entry in sorted(activity.protocol.items())
    ]
    documentation = [
        {"version": v, **entry, "retracted": v in retracted, "retraction_reason": retracted.get(v)}
        for v, entry in sorted(activity.documentation.items())
    ]
    return {
        "activity_id": activity.id,
        "version": activity.version,
        "as_of": as_of,
        "title": activity.title,
        "leaders": activity.leaders,
        "starts_at": activity.starts_at,
        "ends_at": activity.ends_at,
        "location": activity.location,
        "scope": activity.scope,
        "category": activity.category,
        "notes": activity.notes,
        "cancelled": activity.cancelled,
        "cancel_reason": activity.cancel_reason,
        "served": any(not e["retracted"] for e in protocol),
        "documented": any(not e["retracted"] for e in documentation),
        "protocol": protocol,
        "documentation": documentation,
    }


@blp.route("/<uuid:activity_id>/history")
class History(MethodView):
    @blp.response(200, HistorySchema)
    @requires("read")
    def get(self, activity_id):
        """Every event of the activity in order: what, who, when recorded, where in the log"""
        events = services().agenda.history(activity_id)
        return {
            "activity_id": activity_id,
            "events": [
                {
                    "version": e.version,
                    "type": e.type,
                    "recorded_at": e.recorded_at,
                    "actor": e.actor,
                    "position": e.position,
                    "data": plain(e.data),
                }
                for e in events
            ],
        }


def plain(data: dict) -> dict:
    """Event data as JSON values: instants in RFC 3339 with their own offset."""
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in data.items()}


def _fact_route(path: str, schema, permission: str, command_name: str, summary: str):
    class Fact(MethodView):
        @blp.arguments(schema)
        @blp.arguments(WriteHeadersSchema, location="headers")
        @blp.response(201, WrittenSchema)
        @requires(permission)
        def post(self, body, headers, activity_id):
            return _write(getattr(services().agenda, command_name), body, headers, activity_id)

    Fact.post.__doc__ = summary
    Fact.__name__ = f"Fact{command_name.title().replace('_', '')}"
    blp.route(f"/<uuid:activity_id>/{path}")(Fact)


_fact_route("reschedule", RescheduleSchema, "reschedule", "reschedule",
            "Change the activity's time (ActivityRescheduled)")
_fact_route("cancellation", CancellationSchema, "cancel", "cancel",
            "Cancel the activity (ActivityCancelled)")
_fact_route("protocol", ProtocolSchema, "record_protocol", "record_protocol",
            "Record protocol service (ProtocolServed)")
_fact_route("documentation", DocumentationSchema, "record_documentation",
            "record_documentation", "Record documentation (Documented)")


@blp.route("/<uuid:activity_id>/retractions")
class Retractions(MethodView):
    @blp.arguments(RetractionSchema)
    @blp.arguments(WriteHeadersSchema, location="headers")
    @blp.response(201, WrittenSchema)
    @requires("read")
    def post(self, body, headers, activity_id):
        """Retract a ProtocolServed or Documented recorded in error (EntryRetracted)"""
        kind = services().agenda.entry_kind(activity_id, body["version"])
        # Who may retract depends on what is retracted; an unknown entry is refused by
        # the domain (409) to anyone who may retract something.
        if kind is None:
            if not {"retract_protocol", "retract_documentation"} & ROLE_PERMISSIONS[g.user.role]:
                check_permission("retract_protocol")
        else:
            check_permission(f"retract_{kind}")
        return _write(services().agenda.retract, body, headers, activity_id)

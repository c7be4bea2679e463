"""/api/v1/activities: the six facts of SPEC §4 as POSTs, and the reads."""
from __future__ import annotations

from datetime import datetime

import marshmallow as ma
from flask import current_app, g
from flask.views import MethodView


from ...service_layer import commands, queries
from ...service_layer.parsing import resolve_as_of
from .. import writes
from ..auth import requires
from ..blueprint import Blueprint
from ..fields import page_of, paged
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


def as_of(value) -> datetime | None:
    return resolve_as_of(value, services().zone)


def written(result, status=201):
    return writes.written(blp, result, status)


@blp.route("")
class Activities(MethodView):
    @blp.arguments(ListingQuerySchema, location="query", unknown=ma.RAISE)
    @blp.response(200, ListingSchema)
    @requires("read")
    def get(self, query):
        """List the activities starting in a period, as known at an instant"""
        found = queries.activities(services(), g.user, query["period"], as_of(query["as_of"]),
                                   query.get("leader"), page=page_of(query))
        return paged(found, found.page, as_of=found.as_of.isoformat())

    @blp.arguments(ScheduleSchema)
    @blp.arguments(WriteHeadersSchema, location="headers")
    @blp.response(201, WrittenSchema)
    @requires("schedule")
    def post(self, body, headers):
        """Schedule an activity (ActivityScheduled)"""
        return written(commands.schedule(services(), g.user, key=headers["idempotency_key"], **body))


@blp.route("/<uuid:activity_id>")
class ActivityResource(MethodView):
    @blp.arguments(AsOfQuerySchema, location="query", unknown=ma.RAISE)
    @blp.response(200, ActivitySchema)
    @requires("read")
    def get(self, query, activity_id):
        """The activity's state as known at an instant (404 if it did not exist yet)"""
        return queries.activity(services(), g.user, activity_id, as_of(query["as_of"]))


@blp.route("/<uuid:activity_id>/history")
class History(MethodView):
    @blp.response(200, HistorySchema)
    @requires("read")
    def get(self, activity_id):
        """Every event of the activity in order: what, who, when recorded, where in the log"""
        return {"activity_id": activity_id, "events": queries.history(services(), g.user, activity_id)}


def _fact_route(path: str, schema, permission: str, command, summary: str, commutes: bool = False):
    writes.command_route(blp, path, schema, permission, command, summary, headers_schema=WriteHeadersSchema,
                         written_schema=WrittenSchema, commutes=commutes)


_fact_route("reschedule", RescheduleSchema, "reschedule", commands.reschedule,
            "Change the activity's time (ActivityRescheduled)")
_fact_route("cancellation", CancellationSchema, "cancel", commands.cancel,
            "Cancel the activity (ActivityCancelled)")
_fact_route("protocol", ProtocolSchema, "record_protocol", commands.record_protocol,
            "Record protocol service (ProtocolServed)", commutes=True)
_fact_route("documentation", DocumentationSchema, "record_documentation",
            commands.record_documentation, "Record documentation (Documented)", commutes=True)
# Who may retract what depends on the entry: the command decides, on the activity it appends to.
_fact_route("retractions", RetractionSchema, "retract", commands.retract,
            "Retract a ProtocolServed or Documented recorded in error (EntryRetracted)")

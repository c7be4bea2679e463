"""/api/v1/ucapan: the leaders' condolences and congratulations (domain/ucapan.py), their
four events as POSTs, and the reads — as the activities' endpoints."""
from __future__ import annotations

import marshmallow as ma
from flask import current_app, g
from flask.views import MethodView

from ...service_layer import ucapan
from ...service_layer.parsing import resolve_as_of
from .. import writes
from ..activities.schemas import AsOfQuerySchema, CancellationSchema, RetractionSchema, WriteHeadersSchema
from ..auth import requires
from ..blueprint import Blueprint
from ..fields import page_of, paged
from .schemas import (
    DeliverySchema,
    RequestSchema,
    UcapanHistorySchema,
    UcapanListingQuerySchema,
    UcapanListingSchema,
    UcapanSchema,
    UcapanWrittenSchema,
)

blp = Blueprint(
    "ucapan", __name__, url_prefix="/api/v1/ucapan",
    description="Ucapan duka dan selamat: the leaders' condolences and congratulations",
)


def services():
    return current_app.extensions["iku"]


@blp.route("")
class UcapanList(MethodView):
    @blp.arguments(UcapanListingQuerySchema, location="query", unknown=ma.RAISE)
    @blp.response(200, UcapanListingSchema)
    @requires("read")
    def get(self, query):
        """List the ucapan due in a period, as known at an instant"""
        found = ucapan.ucapan_list(services(), g.user, query["period"],
                                   resolve_as_of(query["as_of"], services().zone), query.get("leader"),
                                   status=query["status"], page=page_of(query))
        return paged(found, found.page, as_of=found.as_of.isoformat())

    @blp.arguments(RequestSchema)
    @blp.arguments(WriteHeadersSchema, location="headers")
    @blp.response(201, UcapanWrittenSchema)
    @requires("request_ucapan")
    def post(self, body, headers):
        """Request an ucapan (UcapanRequested)"""
        return writes.written(blp, ucapan.request_ucapan(services(), g.user, key=headers["idempotency_key"],
                                                         **body))


@blp.route("/<uuid:ucapan_id>")
class UcapanResource(MethodView):
    @blp.arguments(AsOfQuerySchema, location="query", unknown=ma.RAISE)
    @blp.response(200, UcapanSchema)
    @requires("read")
    def get(self, query, ucapan_id):
        """The ucapan as known at an instant (404 if it did not exist yet)"""
        return ucapan.ucapan(services(), g.user, ucapan_id, resolve_as_of(query["as_of"], services().zone))


@blp.route("/<uuid:ucapan_id>/history")
class UcapanHistory(MethodView):
    @blp.response(200, UcapanHistorySchema)
    @requires("read")
    def get(self, ucapan_id):
        """Every event of the ucapan in order: what, who, when recorded, where in the log"""
        return {"ucapan_id": ucapan_id, "events": ucapan.ucapan_history(services(), g.user, ucapan_id)}


def _route(path, schema, permission, command, summary, commutes=False):
    writes.command_route(blp, path, schema, permission, command, summary, headers_schema=WriteHeadersSchema,
                         written_schema=UcapanWrittenSchema, commutes=commutes, record="ucapan_id")


_route("delivery", DeliverySchema, "deliver_ucapan", ucapan.deliver_ucapan,
       "Record the delivery (UcapanDelivered)", commutes=True)
_route("cancellation", CancellationSchema, "cancel_ucapan", ucapan.cancel_ucapan,
       "Cancel the ucapan, with a reason (UcapanCancelled)")
_route("retractions", RetractionSchema, "retract_delivery", ucapan.retract_delivery,
       "Retract a delivery recorded in error (DeliveryRetracted)")

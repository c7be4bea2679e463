"""Schemas of the ucapan endpoints. Unknown fields are errors (marshmallow's RAISE)."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from domain.ucapan import CHANNELS, KINDS, RELATIONS

from ..activities.schemas import (
    MAX_FILES,
    NOT_BLANK,
    AsOfQuerySchema,
    EvidenceSchema,
    OptionalText,
    PeriodSchema,
    RecordedEventSchema,
    Text,
    unique,
)
from ..fields import Answer, InTheLog, Instant, Leader, PagedSchema, PagingQuerySchema, PeriodField

STATUSES = ("counted", "on_time", "open", "overdue", "delivered", "late", "cancelled")

SHA256 = fields.String(validate=validate.Regexp(r"^[0-9a-fA-F]{64}$", error="Not a SHA-256 hex digest."))


class RequestSchema(ma.Schema):
    kind = fields.String(required=True, validate=validate.OneOf(KINDS), metadata={
        "description": "duka (condolence) or selamat (congratulation)"})
    recipient = Text
    relation = fields.String(required=True, validate=validate.OneOf(RELATIONS))
    occasion = Text
    leaders = fields.List(Leader, required=True, validate=[validate.Length(min=1), unique],
                          metadata={"description": "On whose behalf"})
    due_on = fields.Date(required=True, metadata={"description": "The local date by which it is due"})
    notes = OptionalText


class DeliverySchema(ma.Schema):
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    delivered_by = fields.List(
        fields.String(validate=validate.Length(min=1, max=200), metadata=NOT_BLANK),
        required=True, validate=validate.Length(min=1, max=50))
    delivered_at = Instant(required=True)
    evidence = fields.List(SHA256, load_default=list, validate=validate.Length(max=MAX_FILES),
                           metadata={"description": "SHA-256s of files in the evidence store"})
    notes = OptionalText


class UcapanWrittenSchema(Answer, InTheLog, ma.Schema):
    ucapan_id = fields.UUID(attribute="activity_id", dump_only=True)
    version = fields.Integer(dump_only=True)
    recorded_at = Instant(dump_only=True)
    position = fields.Integer(dump_only=True, metadata={"description": "Position in the log"})


class DeliveryEntrySchema(ma.Schema):
    version = fields.Integer()
    channel = fields.String()
    delivered_by = fields.List(fields.String())
    delivered_at = Instant()
    evidence = fields.List(fields.Nested(EvidenceSchema))
    notes = fields.String(allow_none=True)
    retracted = fields.Boolean()
    retraction_reason = fields.String(allow_none=True)


class UcapanSchema(Answer, ma.Schema):
    """One ucapan as known at as_of, with its deliveries."""

    ucapan_id = fields.UUID()
    version = fields.Integer()
    as_of = Instant()
    kind = fields.String()
    recipient = fields.String()
    relation = fields.String()
    occasion = fields.String()
    leaders = fields.List(fields.String())
    due_on = fields.String()
    notes = fields.String(allow_none=True)
    cancelled = fields.Boolean()
    cancel_reason = fields.String(allow_none=True)
    delivered = fields.Boolean()
    delivered_on = fields.String(allow_none=True, metadata={"description": "Local date of the first live delivery"})
    on_time = fields.Boolean(metadata={"description": "Delivered on or before due_on"})
    deliveries = fields.List(fields.Nested(DeliveryEntrySchema))


class UcapanHistorySchema(Answer, ma.Schema):
    ucapan_id = fields.UUID()
    events = fields.List(fields.Nested(RecordedEventSchema))


class UcapanListingQuerySchema(PagingQuerySchema, AsOfQuerySchema):
    period = PeriodField(required=True, metadata={"description": "The due dates: 2021, 2021-Q1, 2021-03, a range"})
    leader = Leader
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES), metadata={
        "description": "counted: not cancelled (the denominator); on_time: delivered by its due date "
                       "(the numerator); open: to be delivered; overdue: open and due before today; "
                       "delivered; late: delivered after its due date; cancelled"})


class ListedUcapanSchema(ma.Schema):
    ucapan_id = fields.UUID()
    version = fields.Integer()
    kind = fields.String()
    recipient = fields.String()
    relation = fields.String()
    occasion = fields.String()
    leaders = fields.List(fields.String())
    due_on = fields.Date()
    cancelled = fields.Boolean()
    delivered = fields.Boolean()
    delivered_on = fields.Date(allow_none=True)
    on_time = fields.Boolean()
    overdue = fields.Boolean()


class UcapanListingSchema(Answer, PagedSchema, ma.Schema):
    period = fields.Nested(PeriodSchema)
    as_of = Instant()
    leader = fields.String(allow_none=True)
    status = fields.String(allow_none=True)
    ucapan = fields.List(fields.Nested(ListedUcapanSchema))

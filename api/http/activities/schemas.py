"""Schemas of the activity endpoints. Unknown fields are errors (marshmallow's RAISE)."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from domain.model import MEDIA, SCOPES

from ..fields import NOT_BLANK as NOT_BLANK_PATTERN
from ..fields import (Answer, AsOf, EventData, Instant, Integer, InTheLog, Leader, PagedSchema, PagingQuerySchema,
                      PeriodField)

MAX_FILES = 20  # files of one documentation entry
NOT_BLANK = {"pattern": NOT_BLANK_PATTERN}  # documented: the commands refuse a text of spaces
Text = fields.String(required=True, validate=validate.Length(min=1, max=500), metadata=NOT_BLANK)
Reason = fields.String(required=True, validate=validate.Length(min=1, max=2000), metadata=NOT_BLANK)
OptionalText = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


def unique(items):
    if len(set(items)) != len(items):
        raise ma.ValidationError("A leader is named twice.")


class ScheduleSchema(ma.Schema):
    title = Text
    leaders = fields.List(Leader, required=True, validate=[validate.Length(min=1), unique])
    starts_at = Instant(required=True)
    ends_at = Instant(load_default=None, allow_none=True)
    location = Text
    scope = fields.String(required=True, validate=validate.OneOf(SCOPES))
    category = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    notes = OptionalText

    @ma.validates_schema
    def ends_after_start(self, data, **kwargs):
        if data.get("ends_at") and data.get("starts_at") and data["ends_at"] < data["starts_at"]:
            raise ma.ValidationError("Must not be before starts_at.", "ends_at")


class RescheduleSchema(ma.Schema):
    starts_at = Instant(required=True)
    ends_at = Instant(load_default=None, allow_none=True)
    reason = Reason

    ends_after_start = ScheduleSchema.ends_after_start


class CancellationSchema(ma.Schema):
    reason = Reason


class ProtocolSchema(ma.Schema):
    officers = fields.List(
        fields.String(validate=validate.Length(min=1, max=200), metadata=NOT_BLANK),
        required=True,
        validate=validate.Length(min=1, max=50),
    )
    notes = OptionalText


class DocumentationSchema(ma.Schema):
    media = fields.String(required=True, validate=validate.OneOf(MEDIA))
    evidence_uri = fields.Url(
        load_default=None, allow_none=True, schemes={"http", "https"}, require_tld=False
    )
    evidence_sha256 = fields.String(  # of a file kept elsewhere; spaces (certutil's) are ignored
        load_default=None, allow_none=True,
        validate=validate.Regexp(r"^\s*(?:[0-9a-fA-F]\s*){64}$", error="Not a SHA-256 hex digest."),
    )
    notes = OptionalText
    evidence = fields.List(  # files uploaded with PUT /api/v1/evidence/{sha256}
        fields.String(validate=validate.Regexp(r"^[0-9a-fA-F]{64}$", error="Not a SHA-256 hex digest.")),
        load_default=list, validate=validate.Length(max=MAX_FILES),
        metadata={"description": "SHA-256s of files in the evidence store, in the order shown"})
    documented_by = fields.List(  # who photographed or filmed (the actor is who recorded it)
        fields.String(validate=validate.Length(min=1, max=200), metadata=NOT_BLANK),
        load_default=list, validate=validate.Length(max=50))


class RetractionSchema(ma.Schema):
    version = Integer(required=True, strict=True, validate=validate.Range(min=1))
    reason = Reason


class WriteHeadersSchema(ma.Schema):
    """If-Match: the version the client last saw; Idempotency-Key: a retry-safe key."""

    class Meta:
        unknown = ma.EXCLUDE

    if_match = Integer(
        data_key="If-Match", load_default=None, validate=validate.Range(min=0)
    )
    idempotency_key = fields.String(
        data_key="Idempotency-Key", load_default=None, validate=validate.Length(min=1, max=200)
    )

    @ma.pre_load
    def unquote_etag(self, data, **kwargs):
        value = data.get("If-Match")
        if isinstance(value, str):
            if value.strip().startswith("W/"):  # RFC 9110 §13.1.1: If-Match compares strongly
                raise ma.ValidationError({"If-Match": ['A weak ETag never matches: send the version, e.g. "3".']})
            data = dict(data)
            data["If-Match"] = value.strip().strip('"')
        return data


class WrittenSchema(Answer, InTheLog, ma.Schema):
    activity_id = fields.UUID(dump_only=True)
    version = fields.Integer(dump_only=True)
    recorded_at = Instant(dump_only=True)
    position = fields.Integer(dump_only=True, metadata={"description": "Position in the log"})


class AsOfQuerySchema(ma.Schema):
    as_of = AsOf(load_default=None)


class ListingQuerySchema(PagingQuerySchema, AsOfQuerySchema):
    period = PeriodField(required=True)
    leader = Leader


class EntrySchema(ma.Schema):
    """A ProtocolServed or Documented entry of an activity, and whether it was retracted."""

    version = fields.Integer()
    notes = fields.String(allow_none=True)
    retracted = fields.Boolean()
    retraction_reason = fields.String(allow_none=True)


class ProtocolEntrySchema(EntrySchema):
    officers = fields.List(fields.String())


class EvidenceSchema(ma.Schema):
    """A file of the evidence store as a Documented event names it."""

    sha256 = fields.String()
    size = fields.Integer()
    type = fields.String()
    captured_at = fields.String(allow_none=True, metadata={"description": "EXIF capture time, RFC 3339"})


class DocumentationEntrySchema(EntrySchema):
    media = fields.String()
    evidence_uri = fields.String(allow_none=True)
    evidence_sha256 = fields.String(allow_none=True)
    evidence = fields.List(fields.Nested(EvidenceSchema))
    documented_by = fields.List(fields.String())


class ListedActivitySchema(ma.Schema):
    """An activity as a listing shows it: its state at the listing's as_of."""

    activity_id = fields.UUID()
    version = fields.Integer()
    title = fields.String()
    leaders = fields.List(fields.String())
    starts_at = Instant()
    ends_at = Instant(allow_none=True)
    location = fields.String()
    scope = fields.String()
    category = fields.String(allow_none=True)
    cancelled = fields.Boolean()
    served = fields.Boolean()
    documented = fields.Boolean()
    media = fields.List(fields.String())


class ActivitySchema(Answer, ListedActivitySchema):
    """One activity as known at as_of, with its entries."""

    as_of = Instant()
    notes = fields.String(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    protocol = fields.List(fields.Nested(ProtocolEntrySchema))
    documentation = fields.List(fields.Nested(DocumentationEntrySchema))


class RecordedEventSchema(ma.Schema):
    version = fields.Integer()
    type = fields.String()
    recorded_at = Instant()
    actor = fields.String()
    position = fields.Integer()
    data = EventData()


class HistorySchema(Answer, ma.Schema):
    activity_id = fields.UUID()
    events = fields.List(fields.Nested(RecordedEventSchema))


class PeriodSchema(ma.Schema):
    label = fields.String()
    start = fields.Date()
    end = fields.Date()


class ListingSchema(Answer, PagedSchema, ma.Schema):
    period = fields.Nested(PeriodSchema)
    as_of = Instant()
    leader = fields.String(allow_none=True)
    activities = fields.List(fields.Nested(ListedActivitySchema))

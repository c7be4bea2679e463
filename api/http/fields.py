"""Fields shared by the schemas: instants, as_of, periods, leaders."""
from __future__ import annotations

from datetime import datetime

import marshmallow as ma
from marshmallow import fields, validate

from domain.model import LEADERS
from projections.periods import InvalidPeriod, Period

from ..service_layer.parsing import InvalidInstant, parse_date_or_instant, parse_instant

Leader = fields.String(validate=validate.OneOf(LEADERS))


class Instant(fields.AwareDateTime):
    """RFC 3339 with an offset; naive datetimes are refused. Serialised in UTC with
    microseconds so that an answer's as_of can be sent back exactly."""

    default_error_messages = {
        "invalid": "Not an RFC 3339 date-time.",
        "invalid_awareness": "Give a timezone offset (e.g. +07:00 or Z).",
    }

    def __init__(self, **kwargs):
        super().__init__(format="iso", **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return self._parse(value, parse_instant)

    def _parse(self, value, parser):
        if not isinstance(value, str):
            raise self.make_error("invalid")
        try:
            return parser(value)
        except InvalidInstant as e:
            if e.naive:
                raise self.make_error("invalid_awareness") from None
            raise ma.ValidationError(str(e)) from None


class AsOf(Instant):
    """An instant, or a date alone meaning the end of that local day (resolved later, in
    the configured timezone: the field returns the date)."""

    def _deserialize(self, value, attr, data, **kwargs):
        return self._parse(value, parse_date_or_instant)


class EventData(fields.Dict):
    """An event's data as JSON values: instants in RFC 3339 with their own offset."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in value.items()}


PERIOD_PATTERN = (r"^[0-9]{4}(-S[12]|-Q[1-4]|-(0[1-9]|1[0-2]))?$|"
                  r"^[0-9]{4}-[0-9]{2}-[0-9]{2}\.\.[0-9]{4}-[0-9]{2}-[0-9]{2}$")


class PeriodField(fields.String):
    """A period label; its syntax is documented as a pattern in the OpenAPI document."""

    def __init__(self, **kwargs):
        metadata = {"pattern": PERIOD_PATTERN, "example": "2021-Q1", **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> Period:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return Period.parse(text)
        except InvalidPeriod as e:
            raise ma.ValidationError(str(e)) from None

    def _serialize(self, value, attr, obj, **kwargs):
        return value.label if isinstance(value, Period) else value


def _position(written) -> int:
    return written["position"] if isinstance(written, dict) else written.position


class InTheLog:
    """Fields of every 201 of a write: the tree size that includes the event (its position,
    since each event is a leaf), and where its receipt (a C2SP tlog-proof) is served."""

    tree_size = fields.Function(_position, metadata={
        "description": "The audit log's tree size that includes this event (docs/AUDIT.md)"})
    receipt = fields.Function(lambda w: f"/api/v1/audit/receipts/{_position(w)}", metadata={
        "description": "Its receipt: inclusion proof and the cosigned checkpoint (once signed)"})

"""Fields shared by the schemas: integers, instants, as_of, periods, leaders, pages."""
from __future__ import annotations

import re
from datetime import datetime

import marshmallow as ma
from flask import request, url_for
from marshmallow import fields, validate
from werkzeug.routing import IntegerConverter

from domain.model import LEADERS
from projections.periods import InvalidPeriod, Period

from ..service_layer.parsing import InvalidInstant, parse_date_or_instant, parse_instant
from ..service_layer.results import MAX_PER_PAGE, Page

Leader = fields.String(validate=validate.OneOf(LEADERS))

# A number in a query, a header or a path is written in ASCII digits. Python's int() (and so
# marshmallow's Integer and werkzeug's <int:>) also reads other scripts' digits ("１",
# "١"), spaces around them, a "+" and underscores ("1_000"): none of those is one here.
ASCII_INTEGER = re.compile(r"-?[0-9]+")


class Integer(fields.Integer):
    """An integer: a JSON integer, or (in a query or a header) its ASCII digits, "-" first
    if negative. `strict=True` (a body): a JSON integer only."""

    def _validated(self, value):
        if not (isinstance(value, int) or isinstance(value, str) and ASCII_INTEGER.fullmatch(value)):
            raise self.make_error("invalid", input=value)  # nor 1.5, which int() makes 1
        return super()._validated(value)


class AsciiIntegerConverter(IntegerConverter):
    """`<int:…>` in a path: ASCII digits only; a path of other digits matches no route (404,
    as a path naming no record)."""

    regex = r"[0-9]+"


class Instant(fields.AwareDateTime):
    """RFC 3339 with an offset; naive datetimes are refused. Serialised in UTC with
    microseconds so that an answer's as_of can be sent back exactly."""

    default_error_messages = {
        "invalid": "Not an RFC 3339 date-time.",
        "invalid_awareness": "Give a timezone offset (e.g. +07:00 or Z).",
    }

    def __init__(self, **kwargs):
        metadata = {"pattern": INSTANT_PATTERN, **kwargs.pop("metadata", {})}
        super().__init__(format="iso", metadata=metadata, **kwargs)

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


# What the service accepts, documented as patterns so that generated requests are mostly
# valid: years 1900–2999 (docs/RULES.md); a range of dates spans at most ten years.
YEAR = r"(19|2[0-9])[0-9]{2}"
DAY = rf"{YEAR}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
PERIOD_PATTERN = rf"^{YEAR}(-S[12]|-Q[1-4]|-(0[1-9]|1[0-2]))?$|^{DAY}(\.\.{DAY})?$"
INSTANT_PATTERN = rf"^{YEAR}-"  # besides the format: RFC 3339 (or, for as_of, a date alone)
NOT_BLANK = r"\S"  # a text holds more than spaces (unanchored: somewhere a non-space)


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


class PagingQuerySchema(ma.Schema):
    """`page` and `per_page` of a listing: a long period is read page by page."""

    page = Integer(load_default=1, validate=validate.Range(min=1, max=10**6),
                   metadata={"description": "Which page, from 1"})
    per_page = Integer(load_default=MAX_PER_PAGE, validate=validate.Range(min=1, max=MAX_PER_PAGE),
                       metadata={"description": f"Items per page, at most {MAX_PER_PAGE}"})


def page_of(query) -> Page:
    return Page(query["page"], query["per_page"])


class PagedSchema:
    """Fields of a paged answer: which page, of how many items (`Link: rel="next"` too)."""

    page = fields.Integer(attribute="page.number", dump_only=True, metadata={"description": "This page, from 1"})
    per_page = fields.Integer(attribute="page.per_page", dump_only=True)
    total = fields.Integer(attribute="page.total", dump_only=True,
                           metadata={"description": "Items on every page together"})


def paged(result, page: Page, **pinned: str):
    """The answer, with `Link: <…>; rel="next"` (RFC 8288) while pages follow. `pinned`:
    the instant the answer was computed at, so the next page is read at the same one."""
    if not page.has_next:
        return result
    args = {**pinned, **request.args.to_dict(), "page": page.number + 1}
    return result, 200, {"Link": f'<{url_for(request.endpoint, **(request.view_args or {}), **args)}>; rel="next"'}


class Answer:
    """The field every successful answer of a demo database carries (api/http/__init__.py
    adds it after the view): its recorded times come from a simulated clock."""

    recorded_times = fields.String(dump_only=True, metadata={
        "enum": ["simulated"],
        "description": "Only on a demo database: its recorded times come from a simulated clock"})

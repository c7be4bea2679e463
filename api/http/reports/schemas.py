from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from ..activities.schemas import PeriodSchema
from ..fields import NOT_BLANK, Answer, Instant, InTheLog, PeriodField
from ..iku.schemas import ChainHeadSchema, IndicatorFigureSchema


class SubmitSchema(ma.Schema):
    period = PeriodField(required=True, metadata={
        "description": "A triwulan, semester or year that has ended (months and ranges only where the "
                       "office enables them: IKU_REPORT_PERIODS; grace days: IKU_REPORT_GRACE_DAYS)"})
    note = fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=4000),
                         metadata={"description": "The pimpinan's penjelasan of the figures (optional)"})


class ReopenSchema(ma.Schema):
    reason = fields.String(required=True, validate=ma.validate.Length(min=1, max=2000),
                           metadata={"pattern": NOT_BLANK})


class SubmittedSchema(Answer, InTheLog, ma.Schema):
    period = fields.Nested(PeriodSchema)
    version = fields.Integer()
    as_of = Instant(metadata={"description": "The instant the submitted figures are as known at"})
    recorded_at = Instant()
    position = fields.Integer()
    indicators = fields.List(fields.Nested(IndicatorFigureSchema))
    chain = fields.Nested(ChainHeadSchema)


class ReopenedSchema(Answer, InTheLog, ma.Schema):
    period = fields.Nested(PeriodSchema)
    version = fields.Integer()
    recorded_at = Instant()
    position = fields.Integer()


class ReportEventSchema(ma.Schema):
    type = fields.String()
    version = fields.Integer()
    recorded_at = Instant()
    actor = fields.String()
    as_of = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    indicators = fields.List(fields.Nested(IndicatorFigureSchema), allow_none=True)
    chain = fields.Nested(ChainHeadSchema, allow_none=True)
    position = fields.Integer(metadata={"description": "Position in the log"})
    receipt = fields.String(allow_none=True, metadata={
        "description": "A submission's receipt: a C2SP tlog-proof to keep and check offline"})


class ReportSchema(Answer, ma.Schema):
    period = fields.Nested(PeriodSchema)
    status = fields.String(metadata={"description": "open, submitted or reopened"})
    events = fields.List(fields.Nested(ReportEventSchema))

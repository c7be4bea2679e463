from __future__ import annotations

import marshmallow as ma
from flask import current_app, has_app_context
from marshmallow import fields

from projections.indicators import INDICATORS

from ..activities.schemas import PeriodSchema
from ..fields import (Answer, AsOf, EventData, Instant, Integer, InTheLog, Leader, PagedSchema, PagingQuerySchema,
                      PeriodField)


class IKUQuerySchema(ma.Schema):
    period = PeriodField(required=True, metadata={"description": "2021, 2021-S1, 2021-Q1, "
                                                  "2021-03 or 2021-01-01..2021-02-15"})
    as_of = AsOf(load_default=None, metadata={
        "description": "RFC 3339 instant, or a date meaning the end of that local day; "
                       "default now"})
    leader = Leader


def _kind(figure):
    """A figure's indicator's kind: a Figure's, or a stored figure's (a report's) by its code."""
    if isinstance(figure, dict):
        indicators = current_app.extensions["iku"].calculator.indicators if has_app_context() else INDICATORS
        return {i.code: i.kind for i in indicators}.get(figure.get("code"), "iku")
    return figure.indicator.kind


class ByMediaSchema(ma.Schema):
    media_luar_ruang = fields.Integer()
    foto = fields.Integer()
    video = fields.Integer()


KIND = ("iku: an IKU of the decree; pendukung: the office's supporting indicator; tujuan: the "
        "decree's goal indicator (Indikator Tujuan), summing its parts")


class IndicatorFigureSchema(ma.Schema):
    code = fields.String()
    name = fields.String()
    kind = fields.Function(lambda f: _kind(f), metadata={"enum": ["iku", "pendukung", "tujuan"],
                                                        "description": KIND})
    numerator = fields.Integer()
    denominator = fields.Integer()
    percent = fields.Float(allow_none=True)
    cancelled = fields.Integer()
    by_media = fields.Nested(ByMediaSchema)
    target = fields.Float(allow_none=True, metadata={"description": "The year's target (%), as known at as_of"})
    capaian = fields.Float(allow_none=True, metadata={"description": "percent / target × 100"})

    @ma.post_dump
    def without_empty_breakdown(self, data, **kwargs):
        if data.get("by_media") is None:
            data.pop("by_media", None)
        return data


class YearToDateSchema(ma.Schema):
    period = fields.Nested(PeriodSchema)
    indicators = fields.List(fields.Nested(IndicatorFigureSchema))


class ChainHeadSchema(ma.Schema):
    """The audit log's head when a report was submitted (docs/AUDIT.md)."""

    position = fields.Integer(metadata={"description": "The tree size before the submission"})
    hash = fields.String(metadata={"description": "Its root hash, hex (before audit v2: the hash chain's head)"})


class ReportStateSchema(ma.Schema):
    status = fields.String(metadata={"description": "submitted or reopened"})
    as_of = fields.String(metadata={"description": "The instant the submitted figures are as known at"})
    recorded_at = Instant()
    submitted_by = fields.String()
    indicators = fields.List(fields.Nested(IndicatorFigureSchema))
    chain = fields.Nested(ChainHeadSchema)


class IKUSchema(Answer, ma.Schema):
    period = fields.Nested(PeriodSchema)
    as_of = Instant()
    leader = fields.String(allow_none=True)
    position = fields.Integer(metadata={"description": "Log position the figures cover"})
    indicators = fields.List(fields.Nested(IndicatorFigureSchema))
    report = fields.Nested(ReportStateSchema, metadata={
        "description": "The period's last submitted report, as known at as_of"})
    restated = fields.Boolean(metadata={"description": "The figures now differ from the submitted report's"})
    year_to_date = fields.Nested(YearToDateSchema, metadata={
        "description": "For a triwulan: the cumulative figures from 1 January (Σ numerators / Σ denominators)"})
    cancelled_late = fields.Integer(metadata={
        "description": "Of the cancelled activities, those cancelled after their start had passed"})
    moved_out_late = fields.Integer(metadata={
        "description": "Activities moved out of the period after their start had passed (not back in it)"})

    @ma.post_dump
    def without_absent_parts(self, data, **kwargs):
        """No report, no restatement, no year-to-date: the keys are left out."""
        for key in ("report", "restated", "year_to_date"):
            if data.get(key) is None:
                data.pop(key, None)
        return data


class IndicatorDefinitionSchema(ma.Schema):
    code = fields.String()
    kind = fields.String(metadata={"enum": ["iku", "pendukung", "tujuan"], "description": KIND})
    record = fields.String(metadata={"description": "What it counts: activity or ucapan (none for a goal)"})
    parts = fields.List(fields.String(), metadata={
        "description": "A goal indicator: the codes of the indicators whose numerators and denominators it sums"})
    kinerja_utama = fields.String()
    indikator = fields.String()
    formula = fields.String()
    numerator = fields.String(attribute="numerator_label")
    denominator = fields.String(attribute="denominator_label")
    penanggung_jawab = fields.String()
    sumber_data = fields.String()


class IndicatorListSchema(Answer, ma.Schema):
    indicators = fields.List(fields.Nested(IndicatorDefinitionSchema))


class ExplainQuerySchema(PagingQuerySchema, IKUQuerySchema):
    indicator = fields.String(required=True, metadata={"description": "IKU-1, IKU-2, PENDUKUNG-1 or TUJUAN-1"})


class ExplainEventSchema(ma.Schema):
    position = fields.Integer()
    version = fields.Integer()
    type = fields.String()
    recorded_at = Instant()
    actor = fields.String()


class ExplainedActivitySchema(ma.Schema):
    activity_id = fields.UUID()
    title = fields.String()
    starts_at = Instant()
    events = fields.List(fields.Nested(ExplainEventSchema),
                         metadata={"description": "The events that put it there"})


class ExplainedUcapanSchema(ma.Schema):
    ucapan_id = fields.UUID()
    recipient = fields.String()
    kind = fields.String()
    due_on = fields.Date()
    events = fields.List(fields.Nested(ExplainEventSchema),
                         metadata={"description": "The events that put it there"})


class ExplainSchema(Answer, PagedSchema, ma.Schema):
    period = fields.Nested(PeriodSchema)
    as_of = Instant()
    leader = fields.String(allow_none=True)
    indicator = fields.String()
    numerator = fields.Integer()
    denominator = fields.Integer()
    denominator_activities = fields.List(fields.Nested(ExplainedActivitySchema))
    numerator_activities = fields.List(fields.Nested(ExplainedActivitySchema))
    cancelled = fields.Integer(metadata={"description": "The period's cancelled activities (not counted)"})
    cancelled_late = fields.Integer(metadata={
        "description": "Of them, those cancelled after their start had passed"})
    moved_out_late = fields.Integer(metadata={
        "description": "Activities moved out of the period after their start had passed (not back in it)"})
    record = fields.String(metadata={"description": "What the lists hold: activity (the *_activities "
                                                    "lists) or ucapan (the *_ucapan lists); empty for a goal"})
    denominator_ucapan = fields.List(fields.Nested(ExplainedUcapanSchema))
    numerator_ucapan = fields.List(fields.Nested(ExplainedUcapanSchema))
    parts = fields.List(fields.String(), metadata={
        "description": "A goal indicator: the indicators it sums; explain each of them"})
    target_events = fields.List(fields.Nested(lambda: DiffEventSchema()), metadata={
        "description": "The settings of the indicator's target for the period's year, up to as_of (TargetSet, "
                       "TargetChanged; data: indicator, year, target, reason): what the capaian is measured against"})


class DiffQuerySchema(PagingQuerySchema, ma.Schema):
    period = PeriodField(required=True)
    from_ = AsOf(data_key="from", required=True, metadata={"description": "The earlier instant (or date)"})
    to = AsOf(load_default=None, metadata={"description": "The later instant (or date); default now"})
    leader = Leader


class ContributionSchema(ma.Schema):
    counted = fields.Boolean(metadata={"description": "In the denominator"})
    cancelled = fields.Boolean()
    served = fields.Boolean()
    documented = fields.Boolean()
    media = fields.List(fields.String())


class DiffEventSchema(ExplainEventSchema):
    data = EventData()


class ChangeSchema(ma.Schema):
    activity_id = fields.UUID()
    title = fields.String()
    before = fields.Nested(ContributionSchema)
    after = fields.Nested(ContributionSchema)
    events = fields.List(fields.Nested(DiffEventSchema))


class UcapanContributionSchema(ma.Schema):
    counted = fields.Boolean(metadata={"description": "In the denominator"})
    cancelled = fields.Boolean()
    facts = fields.List(fields.String(), metadata={"description": "delivered, delivered_on_time"})


class UcapanChangeSchema(ma.Schema):
    ucapan_id = fields.UUID()
    recipient = fields.String()
    before = fields.Nested(UcapanContributionSchema)
    after = fields.Nested(UcapanContributionSchema)
    events = fields.List(fields.Nested(DiffEventSchema))


class DiffSchema(Answer, PagedSchema, ma.Schema):
    period = fields.Nested(PeriodSchema)
    leader = fields.String(allow_none=True)
    before = fields.Nested(IKUSchema)
    after = fields.Nested(IKUSchema)
    changes = fields.List(fields.Nested(ChangeSchema))
    ucapan_changes = fields.List(fields.Nested(UcapanChangeSchema), attribute="ucapan", metadata={
        "description": "Every ucapan whose contribution changed (not paged: they are few)"})
    target_changes = fields.List(fields.Nested(DiffEventSchema), attribute="targets", metadata={
        "description": "Targets set or changed in between (TargetSet, TargetChanged; data: indicator, "
                       "year, target, reason): a cause of a change of capaian"})


class Number(fields.Float):
    """A JSON number: "90" (a string) or true is not one."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class TargetInputSchema(ma.Schema):
    indicator = fields.String(required=True)
    year = Integer(required=True, strict=True, validate=ma.validate.Range(min=2000, max=2100))
    target = Number(required=True, validate=ma.validate.Range(min=0, max=100),
                          metadata={"description": "Percent, 0–100"})
    reason = fields.String(load_default=None, allow_none=True,
                           validate=ma.validate.Length(min=1, max=2000),
                           metadata={"description": "Required when changing a target"})


class TargetWrittenSchema(Answer, InTheLog, ma.Schema):
    indicator = fields.String()
    year = fields.Integer()
    target = fields.Float()
    version = fields.Integer()
    recorded_at = Instant()
    position = fields.Integer()


class TargetsQuerySchema(ma.Schema):
    year = Integer(required=True, validate=ma.validate.Range(min=2000, max=2100))
    as_of = AsOf(load_default=None)


class TargetSchema(ma.Schema):
    indicator = fields.String()
    year = fields.Integer()
    target = fields.Float(allow_none=True)


class TargetListSchema(Answer, ma.Schema):
    year = fields.Integer()
    as_of = Instant()
    targets = fields.List(fields.Nested(TargetSchema))

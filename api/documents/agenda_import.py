"""Reading a historical agenda from CSV. Every line is validated with the API's own schemas
before anything is written; the first bad line is named and nothing is imported.

Columns (a header line is required; order is free):
  title, leaders, starts_at, location, scope          required
  ends_at, category, notes                            optional
  protocol_officers      names separated by ';' → a ProtocolServed
  documentation_media    media separated by ';'  → one Documented each
`leaders` is `bupati`, `wakil_bupati` or both separated by ';'. Times are RFC 3339 with an
offset, e.g. 2021-03-01T09:00:00+07:00.
"""
from __future__ import annotations

from collections.abc import Iterable

import marshmallow as ma

from ..http.activities.schemas import DocumentationSchema, ProtocolSchema, ScheduleSchema

REQUIRED = ("title", "leaders", "starts_at", "location", "scope")
OPTIONAL = ("ends_at", "category", "notes", "protocol_officers", "documentation_media")
MAX_ROWS = 100_000


class AgendaImportError(ValueError):
    pass


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def read_agenda(lines: Iterable[list[str]], zone) -> list[dict]:
    lines = iter(lines)
    try:
        header = [h.strip().lower() for h in next(lines)]
    except StopIteration:
        raise AgendaImportError("line 1: the file is empty; a header line is required") from None
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c not in REQUIRED + OPTIONAL]
    if missing or unknown:
        problems = ([f"missing column(s) {', '.join(missing)}"] if missing else []) + (
            [f"unknown column(s) {', '.join(unknown)}"] if unknown else [])
        raise AgendaImportError(f"line 1: {'; '.join(problems)}")
    rows = []
    for number, values in enumerate(lines, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            raise AgendaImportError(
                f"line {number}: {len(values)} values for {len(header)} columns")
        if len(rows) >= MAX_ROWS:
            raise AgendaImportError(f"line {number}: more than {MAX_ROWS} activities in one file")
        cells = {h: v.strip() for h, v in zip(header, values, strict=True)}
        schedule = {k: cells[k] for k in REQUIRED}
        schedule["leaders"] = _split(cells["leaders"])
        for k in ("ends_at", "category", "notes"):
            if cells.get(k):
                schedule[k] = cells[k]
        try:
            row = {"schedule": ScheduleSchema().load(schedule), "protocol": None,
                   "documentation": []}
            if cells.get("protocol_officers"):
                row["protocol"] = ProtocolSchema().load(
                    {"officers": _split(cells["protocol_officers"])})
            for media in _split(cells.get("documentation_media", "")):
                row["documentation"].append(DocumentationSchema().load({"media": media}))
        except ma.ValidationError as e:
            detail = "; ".join(f"{field}: {' '.join(map(str, _flat(msgs)))}"
                               for field, msgs in e.messages.items())
            raise AgendaImportError(f"line {number}: {detail}") from None
        rows.append(row)
    if not rows:
        raise AgendaImportError("the file has a header but no activity")
    return rows


def _flat(messages):
    if isinstance(messages, dict):
        for value in messages.values():
            yield from _flat(value)
    elif isinstance(messages, list):
        for value in messages:
            yield from _flat(value)
    else:
        yield messages

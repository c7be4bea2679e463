"""Decoding stored events for the view, without building an event object per event.

The view needs each event's kind and a few of its fields. With the library's stock JSON
transcoder and no cipher or compressor, the state is plain JSON in which an instant is
{"_type_": "datetime_iso", "_data_": "..."}: it is read with json.loads and only the
instants the fold uses are converted. Any other set-up goes through the mapper's own
transcoder; an event class with a class_version goes through the full mapper, so its
upcasters still apply."""
from __future__ import annotations

import json
from datetime import datetime
from uuid import UUID

from eventsourcing.persistence import JSONTranscoder, Mapper, Notification
from eventsourcing.utils import resolve_topic

from domain.model import Activity
from domain.ucapan import Ucapan

INSTANTS = ("starts_at", "ends_at", "delivered_at")
COUNTED = (Activity.Event, Ucapan.Event)  # the records the view keeps
_json_decode = json.JSONDecoder().decode  # of a str: json.loads(bytes) also sniffs the encoding


class EventDecoder:
    def __init__(self, mapper: Mapper):
        self.mapper = mapper
        self._kinds: dict[str, tuple[str, bool]] = {}
        self.plain_json = (
            type(mapper.transcoder) is JSONTranscoder
            and mapper.cipher is None
            and mapper.compressor is None
        )

    def kind(self, topic: str) -> tuple[str, bool]:
        """(event class name, whether it is versioned); the name is None for events that are
        not about an activity or an ucapan (e.g. targets), which the view passes over."""
        found = self._kinds.get(topic)
        if found is None:
            cls = resolve_topic(topic)
            name = cls.__name__ if issubclass(cls, COUNTED) else None
            found = (name, getattr(cls, "class_version", 1) > 1)
            self._kinds[topic] = found
        return found

    def decode(self, originator_id: str, version: int, topic: str, state: bytes):
        kind, versioned = self.kind(topic)
        if kind is None:
            return None, None
        if versioned:
            event = self.mapper.to_domain_event(Notification(
                id=0, originator_id=UUID(originator_id), originator_version=version,
                topic=topic, state=state))
            return kind, event.__dict__
        if not self.plain_json:
            if self.mapper.cipher is not None:
                state = self.mapper.cipher.decrypt(state)
            if self.mapper.compressor is not None:
                state = self.mapper.compressor.decompress(state)
            return kind, self.mapper.transcoder.decode(state)
        data = _json_decode(state.decode())
        for name in INSTANTS:
            value = data.get(name)
            if isinstance(value, dict):
                if value.get("_type_") != "datetime_iso":
                    raise ValueError(f"unexpected encoding of {name}: {value!r}")
                data[name] = datetime.fromisoformat(value["_data_"])
        return kind, data

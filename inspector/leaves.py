"""The log's leaves: one per event, the canonical encoding of docs/AUDIT.md, and the line
of an audit export that carries one.

    leaf = field(position) ‖ field(activity_id) ‖ field(version) ‖ field(topic)
         ‖ field(recorded_at) ‖ field(actor) ‖ field(state),   field(x) = u32be(len x) ‖ x

position, version and recorded_at (µs since 1970 UTC) as decimal ASCII; activity_id as 32
lower-case hex digits; topic and actor as UTF-8; state the stored bytes. Leaf index =
position − 1.
"""
from __future__ import annotations

import base64
import binascii
import json
import struct

from .catalog import _

_pack = struct.Struct(">I").pack

# The fields of a line of leaves.jsonl, all of them covered by the leaf's bytes; and the
# event's seal (inspector/seal.py), which its signature covers instead, on every line the
# service sealed.
LINE_FIELDS = ("position", "activity_id", "version", "topic", "recorded_at", "actor", "state")
SEAL_FIELD = "seal"


_decode = json.JSONDecoder().decode


class LeafError(ValueError):
    pass


def canonical(position: int, activity_id: str, version: int, topic: str, recorded_at: int,
              actor: str, state: bytes) -> bytes:
    p, i, v, t = str(position).encode(), activity_id.encode(), str(version).encode(), topic.encode()
    r, a = str(recorded_at).encode(), actor.encode()
    return b"".join((_pack(len(p)), p, _pack(len(i)), i, _pack(len(v)), v, _pack(len(t)), t,
                     _pack(len(r)), r, _pack(len(a)), a, _pack(len(state)), state))


# How the service's events begin: the library's timestamp, then the actor (domain/recorded.py).
_LEAD = b'{"timestamp":{"_type_":"datetime_iso","_data_":"'
_ACTOR = b'"},"actor":"'


def actor_of(state: bytes) -> str:
    """The event's actor; "" for a state that is not a JSON object with one (the service's
    events always have one; the leaf covers the state's bytes whatever they are). Read
    without decoding the whole state where it begins as the service's events do and the
    name has nothing JSON escapes (every append and every check of a leaf asks this)."""
    if state.startswith(_LEAD):
        at = state.find(_ACTOR, len(_LEAD), len(_LEAD) + 64)
        if at > 0 and b'"' not in state[len(_LEAD):at]:
            start = at + len(_ACTOR)
            end = state.find(b'"', start)
            name = state[start:end]
            if end > 0 and b"\\" not in name and state[end + 1:end + 2] in (b",", b"}") and name.isascii() \
                    and b'"actor":' not in state[end:]:
                return name.decode()
    try:
        event = _decode(state.decode())
    except (ValueError, UnicodeDecodeError):
        return ""
    actor = event.get("actor") if isinstance(event, dict) else None
    return actor if isinstance(actor, str) else ""


def to_line(position: int, activity_id: str, version: int, topic: str, recorded_at: int,
            state: bytes, seal: bytes | None = None) -> dict:
    line = {"position": position, "activity_id": activity_id, "version": version, "topic": topic,
            "recorded_at": recorded_at, "actor": actor_of(state),
            "state": base64.b64encode(state).decode()}
    if seal:
        line[SEAL_FIELD] = base64.b64encode(seal).decode()
    return line


_FIELDS = frozenset(LINE_FIELDS)
_SEALED_FIELDS = _FIELDS | {SEAL_FIELD}


def seal_of(line: dict) -> bytes | None:
    """The line's seal, if it has one (from_line has checked its type)."""
    encoded = line.get(SEAL_FIELD)
    if encoded is None:
        return None
    try:
        return binascii.a2b_base64(encoded, strict_mode=True)
    except binascii.Error:
        raise LeafError(_("seal bukan base64")) from None


def from_line(line: dict) -> tuple[bytes, dict, bytes]:
    """(leaf bytes, the event's JSON state, state bytes) of a line; refuses a line with a
    field the leaf does not cover, or whose actor differs from the state's."""
    if not isinstance(line, dict) or (line.keys() != _FIELDS and line.keys() != _SEALED_FIELDS):
        extra = sorted(set(line) - _SEALED_FIELDS) if isinstance(line, dict) else []
        missing = sorted(_FIELDS - set(line)) if isinstance(line, dict) else list(LINE_FIELDS)
        raise LeafError(_("ruas yang tidak dicakup daun: %(fields)s", fields=extra) if extra
                        else _("ruas yang tidak ada: %(fields)s", fields=missing))
    p, i, v, t, r, a, encoded = (line["position"], line["activity_id"], line["version"], line["topic"],
                                 line["recorded_at"], line["actor"], line["state"])
    if not (type(p) is int and type(v) is int and type(r) is int and type(i) is str
            and type(t) is str and type(a) is str and type(encoded) is str
            and type(line.get(SEAL_FIELD, "")) is str):
        raise LeafError(_("sebuah ruas berjenis salah"))
    try:
        state = binascii.a2b_base64(encoded, strict_mode=True)
        event = _decode(state.decode())
    except (binascii.Error, ValueError, TypeError):
        raise LeafError(_("state bukan base64 dari peristiwa JSON")) from None
    if type(event) is not dict or event.get("actor") != a:
        raise LeafError(_("actor berbeda dari actor peristiwa yang tersimpan"))
    return canonical(p, i, v, t, r, a, state), event, state

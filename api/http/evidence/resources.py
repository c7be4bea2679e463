"""/api/v1/evidence: photos and videos, stored by their SHA-256 (api/evidence.py).

An upload names the hash it expects: sent again (a retry on a weak connection), it stores
nothing new and answers 200; a client can ask first with HEAD whether the store has it.
A documentation entry then names its files by hash (`evidence` of POST …/documentation)."""
from __future__ import annotations

from flask import current_app, g, request
from flask.views import MethodView
from flask_smorest import abort
from marshmallow import fields

from ...evidence import EvidenceError, is_sha256
from ...media import NAMES
from ..files import send
from ...service_layer import commands, queries
from ..activities.schemas import EvidenceSchema
from ..auth import requires
from ..blueprint import Blueprint
from ..fields import Answer

blp = Blueprint("evidence", __name__, url_prefix="/api/v1/evidence",
                description="Photo and video evidence, stored by SHA-256")

UPLOAD = {"content": {kind: {"schema": {"type": "string", "format": "binary"}}
                      for kind in (*NAMES, "application/octet-stream")},
          "required": True, "description": "the file's bytes; their SHA-256 must be the path's"}


class StoredSchema(EvidenceSchema, Answer):
    stored = fields.Boolean(metadata={"description": "false: the store already had it"})


def checked(sha256: str) -> str:
    if not is_sha256(sha256):
        abort(422, errors={"path": {"sha256": ["Not a SHA-256 hex digest (64 lower-case hex digits)."]}})
    return sha256


@blp.route("/<string:sha256>")
class Evidence(MethodView):
    @blp.doc(requestBody=UPLOAD)
    @blp.response(201, StoredSchema)
    @blp.alt_response(200, schema=StoredSchema, description="The store already had it: nothing stored")
    @blp.alt_response(413, description="Larger than IKU_EVIDENCE_MAX_MB")
    @requires("upload_evidence")
    def put(self, sha256):
        """Upload a photo or video; idempotent (the same bytes again answer 200)"""
        checked(sha256)
        store = current_app.extensions["iku"].evidence
        try:
            found = commands.store_evidence(current_app.extensions["iku"], g.user, request.stream, sha256)
        except EvidenceError as e:
            if e.reason == "size":
                abort(413, message=f"a file holds at most {store.max_bytes // (1024 * 1024)} MiB")
            abort(422, errors={"body": {"file": [str(e)]}})
        return {**found.as_event_data(), "stored": found.stored}, 201 if found.stored else 200

    @blp.response(200, description="The file's bytes, as stored",
                  content_type="application/octet-stream")
    @requires("read")
    def get(self, sha256):
        """A stored file (signed-in roles only)"""
        return served(checked(sha256), thumbnail=False)


@blp.route("/<string:sha256>/thumbnail")
class Thumbnail(MethodView):
    @blp.response(200, description="A JPEG at most 480 pixels wide or high", content_type="image/jpeg")
    @requires("read")
    def get(self, sha256):
        """A stored photo's thumbnail (none for a video)"""
        return served(checked(sha256), thumbnail=True)


def served(sha256: str, *, thumbnail: bool):
    """The file (or its thumbnail) of the store, for a signed-in user: one function for the
    API and the pages. 404 if the store has none."""
    svc = current_app.extensions["iku"]
    path, kind = queries.evidence_file(svc, g.user, sha256, thumbnail=thumbnail)
    if path is None:
        abort(404, message="no such file in the evidence store")
    return send(path, kind, etag=sha256 + ("-t" if thumbnail else ""))

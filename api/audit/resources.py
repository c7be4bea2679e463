"""/api/v1/audit: verify the log, the checkpoint public key, the latest checkpoint."""
from __future__ import annotations

import marshmallow as ma
from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import fields

from ..auth import requires

blp = Blueprint("audit", __name__, url_prefix="/api/v1/audit",
                description="Integrity of the log: hash chain and signed checkpoints")


class VerificationSchema(ma.Schema):
    ok = fields.Boolean()
    checked = fields.Integer(metadata={"description": "Events whose hash was recomputed"})
    head_position = fields.Integer()
    head_hash = fields.String()
    first_bad_position = fields.Integer(allow_none=True)
    reason = fields.String(allow_none=True)


class CheckpointSchema(ma.Schema):
    position = fields.Integer()
    hash = fields.String()
    signed_at = fields.String()
    signature = fields.String(metadata={"description": "Base64 Ed25519 signature"})
    public_key = fields.String(metadata={"description": "PEM of the key that signed it"})


class PublicKeySchema(ma.Schema):
    algorithm = fields.String()
    public_key = fields.String(metadata={"description": "PEM (SubjectPublicKeyInfo)"})


@blp.route("/verify")
class Verify(MethodView):
    @blp.response(200, VerificationSchema)
    @requires("read")
    def get(self):
        """Recompute the hash chain from the stored events and check every checkpoint"""
        return current_app.extensions["iku"].checkpoints.verify()


@blp.route("/public-key")
class PublicKey(MethodView):
    @blp.response(200, PublicKeySchema)
    @blp.doc(security=[])  # public, like the OpenAPI document itself
    def get(self):
        """Public: the key that signs the checkpoints"""
        return {"algorithm": "Ed25519",
                "public_key": current_app.extensions["iku"].checkpoints.signer.public_pem()}


@blp.route("/checkpoints/latest")
class LatestCheckpoint(MethodView):
    @blp.response(200, CheckpointSchema)
    @requires("read")
    def get(self):
        """The latest signed checkpoint (404 if none was taken yet)"""
        latest = current_app.extensions["iku"].checkpoints.latest()
        if latest is None:
            abort(404, message="no checkpoint yet")
        return latest

"""/api/v1/audit: the log's checkpoints, key, proofs, leaves, receipts and cosignatures,
and the verification of the whole store (docs/AUDIT.md).

Public, like the OpenAPI document: the verifier key, the latest checkpoint, proofs and
receipts (hashes and signatures only). Signed-in roles: the leaves (the events themselves)
and verification. The inspektorat's witness: posting cosignatures. No GET signs anything.
"""
from __future__ import annotations

import base64
from datetime import UTC, datetime

import marshmallow as ma
from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import abort
from marshmallow import fields, validate

from inspector.note import NoteError
from projections.audit.tree import MAX_LEAVES, ProofUnavailable

from ...service_layer import queries

from ..auth import requires
from ..blueprint import Blueprint
from ..fields import Answer, Integer

blp = Blueprint("audit", __name__, url_prefix="/api/v1/audit",
                description="The transparency log: Merkle tree, signed checkpoints, proofs, witnesses")

CHECKPOINT_RETRY = "5"  # seconds: checkpoints follow writes within IKU_CHECKPOINT_INTERVAL


def audit():
    return current_app.extensions["iku"]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class VerificationSchema(Answer, ma.Schema):
    ok = fields.Boolean()
    checked = fields.Integer(metadata={"description": "Events whose leaf was recomputed"})
    head_position = fields.Integer(metadata={"description": "Tree size verified"})
    head_hash = fields.String(metadata={"description": "Its root hash, hex"})
    first_bad_position = fields.Integer(allow_none=True)
    reason = fields.String(allow_none=True)
    checkpoints = fields.Integer(metadata={"description": "Checkpoints checked"})
    witnesses = fields.Dict(keys=fields.String(), values=fields.Integer(),
                            metadata={"description": "Verified cosignatures per configured witness"})
    warnings = fields.List(fields.String())


class CheckpointSchema(Answer, ma.Schema):
    position = fields.Integer(metadata={"description": "Tree size"})
    hash = fields.String(metadata={"description": "Root hash, hex"})
    signed_at = fields.String()
    signature = fields.String(metadata={"description": "The note's signature line"})
    public_key = fields.String(metadata={"description": "PEM of the log's key"})
    note = fields.String(metadata={"description": "The C2SP signed note, with cosignatures"})
    witnesses = fields.List(fields.String(), metadata={"description": "Configured witnesses that cosigned it"})


class PublicKeySchema(Answer, ma.Schema):
    algorithm = fields.String()
    public_key = fields.String(metadata={"description": "PEM (SubjectPublicKeyInfo)"})
    vkey = fields.String(metadata={"description": "C2SP signed-note verifier key"})
    origin = fields.String()


class InclusionQuerySchema(ma.Schema):
    position = Integer(required=True, validate=validate.Range(min=1, max=2**62))
    tree_size = Integer(validate=validate.Range(min=1, max=2**62),
                               metadata={"description": "Default: the latest checkpoint's"})


class InclusionSchema(Answer, ma.Schema):
    position = fields.Integer()
    leaf_index = fields.Integer()
    tree_size = fields.Integer()
    leaf_hash = fields.String(metadata={"description": "Base64"})
    hashes = fields.List(fields.String(), metadata={"description": "Base64, the leaf's sibling first"})


class ConsistencyQuerySchema(ma.Schema):
    from_ = Integer(data_key="from", required=True, validate=validate.Range(min=0, max=2**62))
    to = Integer(required=True, validate=validate.Range(min=0, max=2**62))


class ConsistencySchema(Answer, ma.Schema):
    from_ = fields.Integer(data_key="from")
    to = fields.Integer()
    hashes = fields.List(fields.String(), metadata={"description": "Base64 (RFC 6962 §2.1.2)"})


class LeavesQuerySchema(ma.Schema):
    start = Integer(required=True, validate=validate.Range(min=0, max=2**62))
    end = Integer(required=True, validate=validate.Range(min=1, max=2**62))


class LeavesSchema(Answer, ma.Schema):
    start = fields.Integer()
    end = fields.Integer()
    leaves = fields.List(fields.Dict(), metadata={
        "description": f"At most {MAX_LEAVES}: position, activity_id, version, topic, recorded_at, actor, "
                       "state (base64): exactly the fields of the leaf (docs/AUDIT.md)"})


class CosignatureInputSchema(ma.Schema):
    size = Integer(required=True, strict=True, validate=validate.Range(min=1, max=2**62))
    cosignature = fields.String(required=True, validate=validate.Length(min=1, max=1000),
                                metadata={"description": "A cosignature/v1 signature line"})


class CosignatureSchema(Answer, ma.Schema):
    size = fields.Integer()
    witness = fields.String()


def text(body: str, **headers) -> Response:
    return Response(body, mimetype="text/plain", headers=headers)


def latest_or_404():
    latest = audit().checkpoints.latest()
    if latest is None:
        if audit().tree.size() == 0:
            abort(404, message="no checkpoint yet: the log is empty")
        # events, but no checkpoint that verifies with the log's keys (none signed yet, or
        # deleted or planted beneath the service): say so, never that the log is empty
        abort(503, message="no checkpoint of this log verifies with its keys (none is signed yet, or they "
                           "were deleted beneath the service): run iku verify", headers={"Retry-After": CHECKPOINT_RETRY})
    return latest


@blp.route("/verify")
class Verify(MethodView):
    @blp.response(200, VerificationSchema)
    @requires("read")
    def get(self):
        """Recompute every leaf, node and root from the stored events and check every checkpoint"""
        return audit().verify()


@blp.route("/key")
class Key(MethodView):
    @blp.response(200, {"type": "string"}, content_type="text/plain")
    @blp.doc(security=[])
    def get(self):
        """Public: the log's verifier key (C2SP signed-note vkey)"""
        return text(audit().checkpoints.signer.verifier.vkey + "\n")


@blp.route("/public-key")
class PublicKey(MethodView):
    @blp.response(200, PublicKeySchema)
    @blp.doc(security=[])
    def get(self):
        """Public: the key that signs the checkpoints (PEM and vkey)"""
        checkpoints = audit().checkpoints
        return {"algorithm": "Ed25519", "public_key": checkpoints.public_pem(), "vkey": checkpoints.signer.verifier.vkey,
                "origin": checkpoints.origin}


@blp.route("/checkpoint")
class LatestNote(MethodView):
    @blp.response(200, {"type": "string"}, content_type="text/plain")
    @blp.doc(security=[])
    def get(self):
        """Public: the latest checkpoint, a C2SP signed note with the witnesses' cosignatures"""
        latest = latest_or_404()
        witnesses = audit().checkpoints.witnesses_of(latest)
        return text(latest.text, **{"IKU-Cosigned-By": ", ".join(sorted(witnesses)) or "-"})


@blp.route("/checkpoints/latest")
class LatestCheckpoint(MethodView):
    @blp.response(200, CheckpointSchema)
    @requires("read")
    def get(self):
        """The latest signed checkpoint as JSON (404 if none was signed yet)"""
        latest = latest_or_404()
        checkpoints = audit().checkpoints
        return {"position": latest.size, "hash": latest.root.hex(),
                "signed_at": datetime.fromtimestamp(latest.signed_at / 1e6, UTC).isoformat(),
                "signature": latest.note.rsplit("\n\n", 1)[-1].strip(),
                "public_key": checkpoints.public_pem(),
                "note": latest.text, "witnesses": sorted(checkpoints.witnesses_of(latest))}


@blp.route("/proofs/inclusion")
class Inclusion(MethodView):
    @blp.arguments(InclusionQuerySchema, location="query")
    @blp.response(200, InclusionSchema)
    @blp.doc(security=[])
    def get(self, query):
        """Public: the inclusion proof of the event at a position in a tree size"""
        size = query.get("tree_size") or latest_or_404().size
        tree = audit().tree
        try:
            hashes = tree.inclusion(query["position"] - 1, size)
            leaf = tree.leaf_hash(query["position"] - 1)
        except ProofUnavailable as e:
            abort(404, message=str(e))
        return {"position": query["position"], "leaf_index": query["position"] - 1, "tree_size": size,
                "leaf_hash": b64(leaf), "hashes": [b64(h) for h in hashes]}


@blp.route("/proofs/consistency")
class Consistency(MethodView):
    @blp.arguments(ConsistencyQuerySchema, location="query")
    @blp.response(200, ConsistencySchema)
    @blp.doc(security=[])
    def get(self, query):
        """Public: the consistency proof between two tree sizes"""
        try:
            hashes = audit().tree.consistency(query["from_"], query["to"])
        except ProofUnavailable as e:
            abort(404, message=str(e))
        return {"from_": query["from_"], "to": query["to"], "hashes": [b64(h) for h in hashes]}


@blp.route("/leaves")
class Leaves(MethodView):
    @blp.arguments(LeavesQuerySchema, location="query")
    @blp.response(200, LeavesSchema)
    @requires("read")
    def get(self, query):
        """The leaves [start, end) of the log (at most 1000): what a mirror or witness needs"""
        start, end = query["start"], query["end"]
        if end <= start:
            abort(422, errors={"query": {"end": ["must be greater than start"]}})
        leaves = audit().tree.leaves(start, end)
        return {"start": start, "end": start + len(leaves), "leaves": leaves}


@blp.route("/receipts/<int:position>")
class Receipt(MethodView):
    @blp.response(200, {"type": "string"}, content_type="text/plain")
    @blp.doc(security=[])
    def get(self, position):
        """Public: a C2SP tlog-proof of the event at a position (inclusion proof and the cosigned checkpoint)"""
        body, headers = receipt(position)
        return text(body, **headers)


def receipt(position: int) -> tuple[str, dict]:
    """The .tlog-proof of an event, and the response headers."""
    try:
        proof = queries.receipt(audit(), position)
    except LookupError as e:
        abort(404, message=str(e))
    if proof is None:
        abort(409, message="the event is not yet in a signed checkpoint; retry in a few seconds",
              headers={"Retry-After": CHECKPOINT_RETRY})
    return proof, {"Content-Disposition": f'attachment; filename="iku-{position}.tlog-proof"'}


@blp.route("/cosignatures")
class Cosignatures(MethodView):
    @blp.arguments(CosignatureInputSchema)
    @blp.response(201, CosignatureSchema)
    @requires("cosign")
    def post(self, body):
        """The inspektorat's witness: keep its cosignature of the checkpoint of a size"""
        checkpoints = audit().checkpoints
        if checkpoints.at(body["size"]) is None:
            abort(404, message=f"no checkpoint of size {body['size']}")
        try:
            name = checkpoints.add_cosignature(body["size"], body["cosignature"])
        except NoteError as e:
            abort(422, errors={"json": {"cosignature": [str(e)]}})
        return {"size": body["size"], "witness": name}

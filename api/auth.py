"""Bearer tokens and the one authorization rule (the role table of SPEC §8)."""
from __future__ import annotations

from functools import wraps

from flask import current_app, g, request
from flask_smorest import abort

from domain.context import acting_as

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset({
        "read", "export", "schedule", "reschedule", "cancel", "record_protocol",
        "retract_protocol", "record_documentation", "retract_documentation",
        "manage_users", "set_targets", "submit_reports",
    }),
    "protokol": frozenset({
        "read", "schedule", "reschedule", "cancel", "record_protocol", "retract_protocol",
    }),
    "dokumentasi": frozenset({"read", "record_documentation", "retract_documentation"}),
    "pimpinan": frozenset({"read", "set_targets", "submit_reports"}),
    "inspektorat": frozenset({"read", "export", "cosign"}),  # cosign: the witness (docs/AUDIT.md)
}


def may(role: str, permission: str) -> bool:
    return permission in ROLE_PERMISSIONS.get(role, frozenset())


def authenticated_user():
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        abort(401, message="send Authorization: Bearer <token>",
              headers={"WWW-Authenticate": "Bearer"})
    user = current_app.extensions["iku"].users.authenticate(token.strip())
    if user is None:
        abort(401, message="unknown token", headers={"WWW-Authenticate": "Bearer"})
    return user


def check_permission(permission: str) -> None:
    if not may(g.user.role, permission):
        abort(403, message=f"the role {g.user.role!r} may not {permission.replace('_', ' ')}")


def requires(permission: str):
    """Authenticate, check the role, and run the view as the user (the events' actor)."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            g.user = authenticated_user()
            check_permission(permission)
            with acting_as(g.user.name):
                return view(*args, **kwargs)

        return wrapper

    return decorator

"""Bearer tokens: who the caller is. What a role may do is the service layer's
(`api/service_layer/permissions.py`); a view's permission is checked before it runs."""
from __future__ import annotations

from functools import wraps

from flask import current_app, g, request
from flask_smorest import abort

from domain.context import acting_as
from domain.exceptions import NotPermitted

from ..service_layer.permissions import require


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


def requires(permission: str):
    """Authenticate, check the role, and run the view as the user (the events' actor)."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            g.user = authenticated_user()
            try:
                require(g.user, permission)
            except NotPermitted as e:
                abort(403, message=e.message)
            with acting_as(g.user.name):
                return view(*args, **kwargs)

        return wrapper

    return decorator

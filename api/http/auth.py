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


USER_KEY = "iku.user"


def authorised(permission: str):
    """The caller, if authenticated (else 401) and its role has the permission (else 403)."""
    user = request.environ.get(USER_KEY) or authenticated_user()  # per request, not per `g`
    try:
        require(user, permission)
    except NotPermitted as e:
        abort(403, message=e.message)
    request.environ[USER_KEY] = user
    return user


def requires(permission: str):
    """Authenticate, check the role, and run the view as the user (the events' actor). The
    permission is also checked before the view's arguments are parsed (`check_first`)."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            g.user = authorised(permission)
            with acting_as(g.user.name):
                return view(*args, **kwargs)

        wrapper.permission = permission  # the decorators above copy it (functools.wraps)
        return wrapper

    return decorator


def check_first() -> None:
    """Before a request of the API is parsed: who asks and whether they may (401, 403 come
    before any 422, and an anonymous body is never read)."""
    view = current_app.view_functions.get(request.endpoint)
    method = getattr(getattr(view, "view_class", None), request.method.lower(), None)
    permission = getattr(method, "permission", None)
    if permission is not None:
        authorised(permission)

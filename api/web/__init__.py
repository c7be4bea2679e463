"""The HTML pages: server-rendered, every form works without JavaScript. One blueprint,
`web`, whose routes live by page area: signin (sign-in, language), agenda, activities
(the activity page and its forms), dashboard (figures, diff, reports, LKjIP), audit,
users. Every page calls the same service layer as the JSON API."""
from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from flask import redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, CSRFProtect

from ..http import BLUEPRINTS
from ..service_layer.permissions import may
from . import activities, agenda, audit, dashboard, i18n, imports, labels, reports, signin, targets, ucapan, users  # noqa: F401 - routes
from .common import web


UPLOAD_FORMS = {("web.record", "documentation"), ("web.ucapan_record", "delivery")}


def register(app, services) -> None:
    @app.before_request
    def allow_uploads():
        """The documentation form and an ucapan's delivery form carry photos and videos: the
        body may be as large as IKU_EVIDENCE_MAX_MB, for a signed-in user who may upload
        evidence (anyone else's body stays limited to 1 MiB, before CSRF or anything reads it)."""
        if (request.endpoint, (request.view_args or {}).get("name")) in UPLOAD_FORMS:
            name = session.get("user")
            user = name and services.users.session_user(name, session.get("generation"))
            if user and may(user.role, "upload_evidence"):
                request.max_content_length = services.evidence.max_bytes + 1024 * 1024

    csrf = CSRFProtect(app)
    for blueprint in BLUEPRINTS:
        csrf.exempt(blueprint)  # the JSON API authenticates with bearer tokens, not cookies
    app.register_blueprint(web)
    i18n.init_app(app)
    labels.init_app(app)
    app.jinja_env.globals["zone"] = i18n.zone_label
    app.jinja_env.globals["zip"] = zip
    app.jinja_env.filters["instant"] = instant

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        if request.path.startswith("/api/"):
            return {"code": 400, "status": "Bad Request", "message": error.description}, 400
        if not session.get("user"):  # the session expired: log in, then come back
            return redirect(url_for("web.login", next=_referrer_path()))
        return render_template("error.html", code=400, message=_(
            "Formulir ini sudah kedaluwarsa. Muat ulang halaman lalu kirim lagi.")), 400


def _referrer_path() -> str:
    ref = request.referrer or ""
    parts = urlsplit(ref)
    if parts.netloc and parts.netloc != request.host:
        return url_for("web.agenda")
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def instant(text) -> datetime | None:
    """An RFC 3339 text of an event's data as an instant (None if it is not one)."""
    try:
        return datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None

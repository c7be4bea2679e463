"""Headers on every answer: what a browser may do with a page (no framing, no sniffing, no
script but the service's own, forms only to the service), and that an answer for a
signed-in user is never cached."""
from __future__ import annotations

from flask import g, request

# pygal's charts carry their own <style>; no page needs any script at all.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                           "form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def register(app) -> None:
    @app.after_request
    def security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        signed_in = g.get("user") is not None or "Authorization" in request.headers
        if signed_in and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        return response

"""Answering with a stored file (the evidence store's), for the API and the pages alike."""
from __future__ import annotations

from pathlib import Path

from flask import send_file


def send(path: Path, kind: str, etag: str):
    """A stored file as an HTTP answer: inline, never sniffed, revalidated by its hash."""
    response = send_file(path, mimetype=kind, max_age=0, conditional=True, etag=etag)
    response.headers["Content-Disposition"] = "inline"
    response.headers["Cache-Control"] = "no-store"  # as every answer for a signed-in user
    return response

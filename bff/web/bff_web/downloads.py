"""A stored file sent back as a download: never inline (it is someone's document, not a page)."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response


def attachment(content: bytes, content_type: str, filename: str) -> Response:
    response = Response(content, mimetype=content_type)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response

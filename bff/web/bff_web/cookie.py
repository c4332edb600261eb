"""The session cookie, encrypted: it carries the access token, the refresh token and the CSRF token,
and Flask's own cookie is only signed (anyone who sees it, in a proxy log or on a shared computer's
disk, could read them). Fernet (AES-128-CBC with HMAC-SHA256) both hides and authenticates it, so a
changed cookie is refused like a badly signed one. A copied cookie still works as long as its session
does: logout revokes the session in identity, and every BFF refuses its tokens from then on.

FICKAN_WEB_SESSION_KEY holds one Fernet key, or several separated by commas (the first encrypts,
all decrypt: add a new key first, remove the old one a session lifetime later).
"""

from __future__ import annotations

import logging
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import Flask
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

log = logging.getLogger(__name__)


class FernetSerializer:
    """What SecureCookieSessionInterface needs of its serializer (dumps, loads with max_age)."""

    def __init__(self, fernet: MultiFernet) -> None:
        self.fernet = fernet
        self.json = TaggedJSONSerializer()

    def dumps(self, value: Any) -> str:
        return self.fernet.encrypt(self.json.dumps(value).encode()).decode("ascii")

    def loads(self, value: str | bytes, max_age: int | None = None) -> Any:
        try:
            raw = value.encode("ascii") if isinstance(value, str) else value
            plain = self.fernet.decrypt(raw, ttl=max_age) if max_age else self.fernet.decrypt(raw)
        except (InvalidToken, UnicodeError, ValueError):
            raise BadSignature("session cookie does not decrypt") from None
        return self.json.loads(plain.decode())


class EncryptedCookieSessionInterface(SecureCookieSessionInterface):
    def __init__(self, keys: list[str]) -> None:
        self.serializer_ = FernetSerializer(MultiFernet([Fernet(k) for k in keys]))

    def get_signing_serializer(self, app: Flask) -> FernetSerializer:  # type: ignore[override]
        return self.serializer_


def session_keys(setting: str) -> list[str]:
    """The Fernet keys in FICKAN_WEB_SESSION_KEY (newest first), checked; a random one if none."""
    keys = [k.strip() for k in setting.split(",") if k.strip()]
    for key in keys:
        try:
            Fernet(key)
        except ValueError:
            raise SystemExit(
                "FICKAN_WEB_SESSION_KEY must be Fernet keys (32 bytes, URL-safe base64), separated by commas"
            ) from None
    if keys:
        return keys
    log.warning("FICKAN_WEB_SESSION_KEY is not set: using a random key, sessions end when the process restarts")
    return [Fernet.generate_key().decode()]

"""Bearer-token checks for the JSON BFFs (mobile, watch). The web BFF keeps the token in its
session cookie and verifies it with the same verifier."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import current_app, g, request

from fickan_common.tokens import InvalidToken, Principal, bearer


class AuthError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # missing | expired | invalid | forbidden


def verify_request_token() -> Principal:
    verifier = current_app.extensions["fickan_verifier"]
    try:
        return verifier.verify(bearer(request.headers.get("Authorization")))
    except InvalidToken as exc:
        raise AuthError(exc.reason) from None


def require_token(role: str | None = "resident", scope: str | None = None) -> Callable:
    """Decorator: the request must carry a valid token (with the role / scope when given);
    the principal is in flask.g.principal."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            principal = verify_request_token()
            if role and not principal.has_role(role):
                raise AuthError("forbidden")
            if scope and scope not in principal.scope and principal.device == "watch":
                raise AuthError("forbidden")
            g.principal = principal
            return view(*args, **kwargs)

        return wrapper

    return decorate

"""Pairing the watch, shaped like OAuth's device authorization grant (RFC 8628).

The watch asks for a pairing and gets a secret device code (kept) and a short user code (shown). The
resident types the user code in the app or on the web; the watch polls with its device code and,
once confirmed, gets its long-lived watch token. Every poll answers 200 with a `status` (RFC 8628's
names) rather than RFC 8628's 400 errors: simpler for a watch, and a 4xx stays a real error.

Plain Python (no Flask) so the shapes and the checks are easy to test.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from bff_watch import texts
from bff_watch.glance import MAX_BYTES, dumps, fit
from bff_watch.texts import Text
from fickan.identity.v1 import identity_pb2 as identity_pb

log = logging.getLogger(__name__)

MAX_DEVICE_CODE = 100
DEVICE_CODE = re.compile(rf"[A-Za-z0-9_-]{{1,{MAX_DEVICE_CODE}}}")
NAME_CHARS, NAME_BYTES = 40, 120

_POLL = identity_pb.PollWatchPairingResponse
POLL_STATUS = {
    _POLL.AUTHORIZATION_PENDING: "authorization_pending",
    _POLL.SLOW_DOWN: "slow_down",
    _POLL.EXPIRED: "expired",
    _POLL.COMPLETE: "complete",
}
STATUS_TEXT = {
    "authorization_pending": texts.PAIRING_PENDING,
    "slow_down": texts.PAIRING_PENDING,
    "expired": texts.PAIRING_EXPIRED,
    "complete": texts.PAIRING_COMPLETE,
}


class WatchError(Exception):
    """A refusal with its compact answer: {"error": {"code", "message"[, "field"]}}."""

    def __init__(self, status: int, code: str, text: Text, field: str | None = None) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.text = text
        self.field = field


def device_code_from(body: Any) -> str:
    """The device code from the poll's JSON body ({"deviceCode": "..."}), or a 400."""
    if not isinstance(body, dict):
        raise WatchError(400, "invalid_json", texts.INVALID_REQUEST)
    for name in body:
        if name != "deviceCode":
            raise WatchError(400, "invalid_request", texts.UNKNOWN_FIELD, str(name)[:40])
    value = body.get("deviceCode")
    if not isinstance(value, str) or not DEVICE_CODE.fullmatch(value):
        raise WatchError(400, "invalid_request", texts.DEVICE_CODE_INVALID, "deviceCode")
    return value


def _within_budget(payload: dict[str, Any]) -> dict[str, Any]:
    if len(dumps(payload)) >= MAX_BYTES:  # identity's values are short; a guard all the same
        raise ValueError("pairing answer over budget")
    return payload


def started(answer: identity_pb.StartWatchPairingResponse, lang: str) -> dict[str, Any]:
    return _within_budget(
        {
            "deviceCode": answer.device_code,
            "userCode": answer.user_code,
            "expiresIn": answer.expires_in,
            "interval": answer.interval,
            "verificationText": getattr(texts.PAIRING_VERIFY, lang),
        }
    )


def polled(answer: identity_pb.PollWatchPairingResponse, lang: str) -> dict[str, Any]:
    status = POLL_STATUS.get(answer.status)
    if status is None or (status == "complete" and not answer.watch_token):
        log.warning(
            "identity answered a pairing poll we do not understand", extra={"fields": {"status": answer.status}}
        )
        raise WatchError(500, "internal", texts.INTERNAL)
    payload: dict[str, Any] = {"status": status, "text": getattr(STATUS_TEXT[status], lang)}
    if status == "complete":
        payload["watchToken"] = answer.watch_token
        payload["name"] = fit(answer.name, NAME_CHARS, NAME_BYTES)
    return _within_budget(payload)

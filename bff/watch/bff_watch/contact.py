"""The watch's "ring me": what it sends ({"phone": "..."}) and the short answer it shows."""

from __future__ import annotations

from typing import Any

from bff_watch import texts
from bff_watch.glance import MAX_BYTES, dumps
from bff_watch.pairing import WatchError
from fickan.contact.v1 import contact_pb2 as contact_pb
from fickan_common import limits

MAX_PHONE = limits.of(contact_pb.AskQuestionRequest, "phone").max_length or 0


def phone_from(body: Any) -> str:
    """The number to ring from the JSON body, or a 400 (the service checks that it is a number)."""
    if not isinstance(body, dict):
        raise WatchError(400, "invalid_json", texts.INVALID_REQUEST)
    for name in body:
        if name != "phone":
            raise WatchError(400, "invalid_request", texts.UNKNOWN_FIELD, str(name)[:40])
    value = body.get("phone")
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_PHONE:
        raise WatchError(400, "invalid_request", texts.PHONE_INVALID, "phone")
    return value


def rung(question: contact_pb.Question, lang: str) -> dict[str, Any]:
    payload = {"id": question.question_id, "status": question.status, "message": getattr(texts.RING_ME, lang)}
    if len(dumps(payload)) >= MAX_BYTES:  # the texts are short; a guard all the same
        raise ValueError("ring-me answer over budget")
    return payload

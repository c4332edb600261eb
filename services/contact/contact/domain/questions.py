"""What a question must be, with the Swedish messages a resident reads when it is not."""

from __future__ import annotations

from dataclasses import dataclass

from fickan_common.errors import PermissionDenied, ValidationFailed
from fickan_common.tokens import Principal

RECEIVED = "received"
ANSWERED = "answered"

STATUSES = (RECEIVED, ANSWERED)
CHANNELS = ("web", "mobile", "watch", "phone", "email")
SUBJECT_MAX = 200
BODY_MAX = 5000


@dataclass(frozen=True)
class NewQuestion:
    subject: str
    body: str
    channel: str


def clean_question(subject: str, body: str, channel: str) -> NewQuestion:
    """The question as stored (trimmed), or ValidationFailed with one Swedish message per field."""
    subject, body, channel = (subject or "").strip(), (body or "").strip(), (channel or "").strip()
    errors: dict[str, str] = {}
    if not subject:
        errors["subject"] = "Skriv vad frågan gäller."
    elif len(subject) > SUBJECT_MAX:
        errors["subject"] = f"Rubriken får vara högst {SUBJECT_MAX} tecken."
    if not body:
        errors["body"] = "Skriv din fråga."
    elif len(body) > BODY_MAX:
        errors["body"] = f"Frågan får vara högst {BODY_MAX} tecken."
    if channel not in CHANNELS:
        errors["channel"] = "Okänd kanal. Välj en av: " + ", ".join(CHANNELS) + "."
    if errors:
        raise ValidationFailed("Några uppgifter behöver rättas.", errors)
    return NewQuestion(subject=subject, body=body, channel=channel)


def require_resident(principal: Principal) -> None:
    if not principal.is_resident:
        raise PermissionDenied("Bara invånare kan ställa frågor här.")

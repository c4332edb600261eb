"""What a contact must be, who may do what with a thread, and the Swedish texts a resident or an
agent reads (English second)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from contact import texts
from fickan_common.errors import PermissionDenied, ValidationFailed
from fickan_common.texts import Text
from fickan_common.tokens import Principal

RECEIVED = "received"  # mottagen
WITH_AGENT = "with_agent"  # hos handläggare
ANSWERED = "answered"  # besvarad
CLOSED = "closed"  # avslutad

STATUSES = (RECEIVED, WITH_AGENT, ANSWERED, CLOSED)
OPEN_STATUSES = (RECEIVED, WITH_AGENT, ANSWERED)
STATUS_TEXT = {
    RECEIVED: ("Mottagen", "Received"),
    WITH_AGENT: ("Hos handläggare", "With an agent"),
    ANSWERED: ("Besvarad", "Answered"),
    CLOSED: ("Avslutad", "Closed"),
}

# Channels a resident asks from, and those staff register for contacts that came another way.
RESIDENT_CHANNELS = ("web", "mobile", "watch")
STAFF_CHANNELS = ("phone", "email", "visit")
CHANNELS = RESIDENT_CHANNELS + STAFF_CHANNELS

# Thread entries. The resident sees the first five; staff see every one.
QUESTION, MESSAGE, REPLY, ATTACHMENT, CLOSING = "question", "message", "reply", "attachment", "closed"
NOTE, MOVED, CLAIMED, LINKED = "note", "moved", "claimed", "linked"
RESIDENT_VISIBLE = (QUESTION, MESSAGE, REPLY, ATTACHMENT, CLOSING)

SUBJECT_MAX = 200
BODY_MAX = 5000
NAME_MAX = 200
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{5,38}$")

CALLBACK_SUBJECT = "Ring mig"
CALLBACK_BODY = "Invånaren ber kontaktcenter att ringa upp."


@dataclass(frozen=True)
class NewQuestion:
    subject: str
    body: str
    channel: str
    topic: str
    name: str = ""
    email: str = ""
    phone: str = ""


def _clean_text(value: str) -> str:
    return (value or "").strip()


def _message_errors(subject: str, body: str) -> dict[str, Text]:
    errors: dict[str, Text] = {}
    if not subject:
        errors["subject"] = texts.SUBJECT_MISSING
    elif len(subject) > SUBJECT_MAX:
        errors["subject"] = texts.SUBJECT_AT_MOST.format(max=SUBJECT_MAX)
    errors.update(body_errors(body))
    return errors


def body_errors(body: str, field: str = "body", what: Text = texts.WHAT_QUESTION) -> dict[str, Text]:
    if not body:
        return {field: texts.WRITE_WHAT.format(what=what)}
    if len(body) > BODY_MAX:
        return {field: texts.TEXT_AT_MOST.format(max=BODY_MAX)}
    return {}


def _reply_address_errors(email: str, phone: str, required: bool) -> dict[str, Text]:
    errors: dict[str, Text] = {}
    if email and not _EMAIL.match(email):
        errors["email"] = texts.EMAIL_FORM
    if phone and not _PHONE.match(phone):
        errors["phone"] = texts.PHONE_FORM
    if required and not email and not phone:
        errors["email"] = texts.REPLY_ADDRESS
    return errors


def _check(errors: dict[str, Text], topic: str, topics: dict) -> None:
    if topic and topic not in topics:
        errors["topic"] = texts.TOPIC
    if errors:
        raise ValidationFailed(texts.FIX, errors)


def clean_question(subject: str, body: str, channel: str, topic: str, topics: dict, phone: str = "") -> NewQuestion:
    """A resident's question as stored (trimmed), or ValidationFailed with one Swedish message per field."""
    subject, body, channel, topic, phone = map(_clean_text, (subject, body, channel, topic, phone))
    if channel == "watch" and not subject:
        # The watch's "ring me": one tap, no typing.
        subject, body = CALLBACK_SUBJECT, body or CALLBACK_BODY
    errors = _message_errors(subject, body)
    if channel not in RESIDENT_CHANNELS:
        errors["channel"] = texts.UNKNOWN_CHANNEL.format(channels=", ".join(RESIDENT_CHANNELS))
    errors.update(_reply_address_errors("", phone, required=channel == "watch"))
    if "email" in errors:  # the watch asks for a number only
        errors["phone"] = texts.CALL_NUMBER
        del errors["email"]
    _check(errors, topic, topics)
    return NewQuestion(subject, body, channel, topic, phone=phone)


def clean_guest_question(
    subject: str, body: str, topic: str, name: str, email: str, phone: str, topics: dict
) -> NewQuestion:
    subject, body, topic, name, email, phone = map(_clean_text, (subject, body, topic, name, email, phone))
    errors = _message_errors(subject, body)
    if len(name) > NAME_MAX:
        errors["name"] = texts.NAME_AT_MOST.format(max=NAME_MAX)
    errors.update(_reply_address_errors(email, phone, required=True))
    _check(errors, topic, topics)
    return NewQuestion(subject, body, "web", topic, name=name, email=email, phone=phone)


def clean_registered_contact(
    channel: str, subject: str, body: str, topic: str, name: str, email: str, phone: str, topics: dict
) -> NewQuestion:
    """A contact that came by telephone, e-mail or a visit, as the agent registers it."""
    channel, subject, body, topic, name, email, phone = map(
        _clean_text, (channel, subject, body, topic, name, email, phone)
    )
    errors = _message_errors(subject, body)
    if channel not in STAFF_CHANNELS:
        errors["channel"] = texts.STAFF_CHANNEL
    if len(name) > NAME_MAX:
        errors["name"] = texts.NAME_AT_MOST.format(max=NAME_MAX)
    errors.update(_reply_address_errors(email, phone, required=False))
    _check(errors, topic, topics)
    return NewQuestion(subject, body, channel, topic, name=name, email=email, phone=phone)


def require_resident(principal: Principal) -> None:
    if not principal.is_resident:
        raise PermissionDenied(texts.RESIDENTS_ASK)


def is_agent(principal: Principal) -> bool:
    return principal.has_role("contact_agent") or principal.has_role("admin")


def require_agent(principal: Principal) -> None:
    if not is_agent(principal):
        raise PermissionDenied(texts.AGENTS_ONLY)


def may_handle(principal: Principal, group: str) -> bool:
    """An agent handles their own answer group's threads; an admin every group's."""
    return principal.has_role("admin") or (principal.has_role("contact_agent") and principal.group == group)

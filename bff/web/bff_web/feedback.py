"""The resident's feedback on a page (a closed contact, a held meeting, a sent application): read
their rating, send one. The rules (1-5, once per thing, changeable for a day) are the contact
service's; this only maps the form and the answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import grpc
from flask import request

from bff_web.i18n import t
from bff_web.session import services, token
from fickan.contact.v1 import contact_pb2 as pb
from fickan_bff.errors import is_unavailable
from fickan_common.grpc_client import ServiceError


@dataclass
class Panel:
    """What the page's feedback panel shows."""

    feedback: pb.Feedback
    values: dict[str, str] = field(default_factory=dict)
    editable: bool = True


def panel(kind: str, subject_id: str, values: dict[str, str] | None = None) -> Panel | None:
    """The resident's rating of the thing; None when the contact service cannot say (the page stands
    without the panel)."""
    try:
        subject = pb.FeedbackSubject(kind=kind, subject_id=subject_id)
        mine = services().contact.call("GetMyFeedback", subject, token=token())
    except ServiceError as exc:
        if is_unavailable(exc.code):
            return None
        raise
    if values is None and mine.given:
        values = {"rating": str(mine.rating), "comment": mine.comment}
    editable = not mine.given or mine.editable_until.ToDatetime(tzinfo=UTC) > datetime.now(UTC)
    return Panel(mine, values or {}, editable)


def give(kind: str, subject_id: str) -> tuple[dict[str, str], dict[str, str], int]:
    """Sends the form's rating. Returns what was typed and, when refused, the errors by field and
    the status (400 bad input, 409 not now, 404 not known yet); no errors when it was saved."""
    values = {"rating": request.form.get("rating", ""), "comment": request.form.get("comment", "")}
    rating = int(values["rating"]) if values["rating"].isdigit() and len(values["rating"]) < 3 else 0
    try:
        services().contact.call(
            "GiveFeedback",
            pb.GiveFeedbackRequest(
                subject=pb.FeedbackSubject(kind=kind, subject_id=subject_id), rating=rating, comment=values["comment"]
            ),
            token=token(),
        )
    except ServiceError as exc:
        if exc.code == grpc.StatusCode.INVALID_ARGUMENT:
            return values, exc.field_errors or {"rating": exc.message}, 400
        if exc.code == grpc.StatusCode.FAILED_PRECONDITION:
            return values, {"rating": exc.message}, 409
        if exc.code == grpc.StatusCode.NOT_FOUND and kind == "e_service":
            # The application was just sent and the contact service has not heard of it yet.
            return values, {"rating": t("feedback_not_yet")}, 409
        raise
    return values, {}, 200

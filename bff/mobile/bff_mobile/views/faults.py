"""Fault reports (felanmälan) from the app and feedback on a closed contact, a held booking or a
sent e-service. The kinds, the municipality's area and the rating's rules are the contact service's."""

from __future__ import annotations

from typing import Any

from bff_mobile.api import call
from bff_mobile.schemas.faults import (
    FaultKindListSchema,
    FaultReportSchema,
    FeedbackQuerySchema,
    FeedbackSchema,
    GiveFeedbackSchema,
    MyFeedbackSchema,
    ReportFaultSchema,
)
from bff_mobile.views.common import api, services, time_of
from fickan.contact.v1 import contact_pb2 as contact_pb

FIELDS = {"service_code": "serviceCode", "address_string": "address", "subject_id": "subjectId"}


@api.route(
    "/fault-reports/kinds",
    "GET",
    summary="The kinds of fault the municipality takes reports of, with their questions",
    tag="fault-reports",
    response=FaultKindListSchema,
    public=True,
    errors=(503,),
)
def kinds() -> dict[str, Any]:
    found = call(services().contact, "ListFaultServices", contact_pb.ListFaultServicesRequest(), public=True)
    return {
        "area": found.area_name,
        "kinds": [
            {
                "code": k.code,
                "name": k.name,
                "name_en": k.name_en,
                "description": k.description,
                "attributes": [
                    {
                        "code": a.code,
                        "datatype": a.datatype,
                        "required": a.required,
                        "description": a.description,
                        "values": [{"key": v.key, "name": v.name} for v in a.values],
                    }
                    for a in k.attributes
                ],
            }
            for k in found.services
        ],
    }


@api.route(
    "/fault-reports",
    "POST",
    summary="Report a fault (a position inside the municipality, or an address)",
    description="It becomes a question in GET /v1/questions (questionId). Published as an Open311 request "
    "without anything of who reported it. A position outside the municipality is a 400 on `lat`.",
    tag="fault-reports",
    body=ReportFaultSchema,
    response=FaultReportSchema,
    status=201,
    errors=(400, 503),
)
def report(body: dict[str, Any]) -> dict[str, Any]:
    message = contact_pb.ReportFaultRequest(
        service_code=body["service_code"],
        description=body["description"],
        address=body.get("address", ""),
        channel="mobile",
        attributes=[
            contact_pb.ReportAttribute(code=code, values=values) for code, values in body.get("attributes", {}).items()
        ],
    )
    if "lat" in body:
        message.lat = body["lat"]
    if "long" in body:
        message.long = body["long"]
    made = call(services().contact, "ReportFault", message, field_names=FIELDS)
    return {
        "id": made.service_request_id,
        "question_id": made.question_id,
        "status": made.status,
        "service_name": made.service_name,
    }


@api.route(
    "/feedback",
    "POST",
    summary="Rate a closed contact, a held booking or a sent e-service 1-5 (once; changeable for a day)",
    tag="feedback",
    body=GiveFeedbackSchema,
    response=FeedbackSchema,
    status=201,
    errors=(400, 404, 409, 503),
)
def give_feedback(body: dict[str, Any]) -> dict[str, Any]:
    given = call(
        services().contact,
        "GiveFeedback",
        contact_pb.GiveFeedbackRequest(
            subject=contact_pb.FeedbackSubject(kind=body["kind"], subject_id=body["subject_id"]),
            rating=body["rating"],
            comment=body.get("comment", ""),
        ),
        field_names=FIELDS,
    )
    return {
        "id": given.feedback_id,
        "rating": given.rating,
        "comment": given.comment,
        "editable_until": time_of(given, "editable_until"),
    }


@api.route(
    "/feedback",
    "GET",
    summary="My rating of a contact, a booking or an e-service, if I gave one (and until when I may change it)",
    tag="feedback",
    query=FeedbackQuerySchema,
    response=MyFeedbackSchema,
    errors=(400, 503),
)
def my_feedback(query: dict[str, Any]) -> dict[str, Any]:
    mine = call(
        services().contact,
        "GetMyFeedback",
        contact_pb.FeedbackSubject(kind=query["kind"], subject_id=query["subject_id"]),
        field_names=FIELDS,
    )
    return {
        "given": mine.given,
        "id": mine.feedback_id,
        "rating": mine.rating,
        "comment": mine.comment,
        "editable_until": time_of(mine, "editable_until") if mine.given else None,
    }

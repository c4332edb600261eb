"""Advisory bookings: the advisory services (and case workers' units) and their free times, book, reschedule, cancel, my
bookings and the calendar file. A time lost to another resident is a 409 whose message names the
next free times (the contact service's words)."""

from __future__ import annotations

from typing import Any

from flask import Response

from bff_mobile.api import call
from bff_mobile.schemas.bookings import (
    BookingListSchema,
    BookingSchema,
    BookSchema,
    FreeSlotsQuerySchema,
    RescheduleSchema,
    ServiceListSchema,
    SlotListSchema,
)
from bff_mobile.views.applications import content_disposition
from bff_mobile.views.common import api, services, time_of
from fickan.contact.v1 import contact_pb2 as contact_pb

FIELDS = {"slot_id": "slotId", "group": "service"}


def _slot(s: contact_pb.Slot) -> dict[str, Any]:
    return {
        "id": s.slot_id,
        "service": s.group,
        "service_name": s.group_name,
        "kind": s.kind,
        "kind_text": s.kind_text,
        "kind_text_en": s.kind_text_en,
        "starts_at": time_of(s, "starts_at"),
        "ends_at": time_of(s, "ends_at"),
        "advisor": s.advisor_name,
        "location": s.location,
    }


def _booking(b: contact_pb.Booking) -> dict[str, Any]:
    return {
        "id": b.booking_id,
        "slot": _slot(b.slot),
        "status": b.status,
        "status_text": b.status_text,
        "status_text_en": b.status_text_en,
        "note": b.note,
    }


@api.route(
    "/bookings/services",
    "GET",
    summary="The advisory services and case workers' units a resident can book a time with",
    tag="bookings",
    response=ServiceListSchema,
    public=True,
    errors=(503,),
)
def advisory_services() -> dict[str, Any]:
    centre = call(services().contact, "GetContactCentre", contact_pb.GetContactCentreRequest(), public=True)
    bookable = [s for s in centre.groups if s.kind == "advisory_service"] + list(centre.case_units)
    return {"services": [{"code": s.code, "name": s.name, "name_en": s.name_en, "kind": s.kind} for s in bookable]}


@api.route(
    "/bookings/free",
    "GET",
    summary="Free times of an advisory service, earliest first",
    tag="bookings",
    query=FreeSlotsQuerySchema,
    response=SlotListSchema,
    public=True,
    errors=(400, 503),
)
def free_slots(query: dict[str, Any]) -> dict[str, Any]:
    listed = call(
        services().contact,
        "ListFreeSlots",
        contact_pb.ListFreeSlotsRequest(group=query["service"], kind=query.get("kind", ""), limit=30),
        public=True,
        field_names=FIELDS,
    )
    return {"slots": [_slot(s) for s in listed.slots]}


@api.route(
    "/bookings",
    "POST",
    summary="Book a free time",
    description="Exactly one resident gets a time. The others get 409 `conflict`; its message says so in "
    "Swedish and names the next free times (GET /v1/bookings/free lists them).",
    tag="bookings",
    body=BookSchema,
    response=BookingSchema,
    status=201,
    errors=(400, 404, 409, 503),
)
def book(body: dict[str, Any]) -> dict[str, Any]:
    booking = call(
        services().contact,
        "BookSlot",
        contact_pb.BookSlotRequest(slot_id=body["slot_id"], note=body.get("note", ""), phone=body.get("phone", "")),
        field_names=FIELDS,
    )
    return _booking(booking)


@api.route(
    "/bookings",
    "GET",
    summary="My coming bookings, earliest first",
    tag="bookings",
    response=BookingListSchema,
    errors=(503,),
)
def my_bookings() -> dict[str, Any]:
    listed = call(services().contact, "ListMyBookings", contact_pb.ListMyBookingsRequest())
    return {"bookings": [_booking(b) for b in listed.bookings]}


@api.route(
    "/bookings/<booking_id>/reschedule",
    "POST",
    summary="Move a booking to another free time of the same service (the old time is kept if the new one is lost)",
    tag="bookings",
    body=RescheduleSchema,
    response=BookingSchema,
    status=201,
    errors=(400, 404, 409, 503),
)
def reschedule(booking_id: str, body: dict[str, Any]) -> dict[str, Any]:
    request_message = contact_pb.RescheduleBookingRequest(booking_id=booking_id, slot_id=body["slot_id"])
    return _booking(call(services().contact, "RescheduleBooking", request_message, field_names=FIELDS))


@api.route(
    "/bookings/<booking_id>/cancel",
    "POST",
    summary="Cancel a booking",
    tag="bookings",
    response=BookingSchema,
    errors=(400, 404, 409, 503),
)
def cancel(booking_id: str) -> dict[str, Any]:
    return _booking(call(services().contact, "CancelBooking", contact_pb.BookingRequest(booking_id=booking_id)))


@api.route(
    "/bookings/<booking_id>/calendar.ics",
    "GET",
    summary="The booking as an iCalendar file",
    tag="bookings",
    binary=("text/calendar",),
    errors=(400, 404, 503),
)
def calendar(booking_id: str) -> Response:
    found = call(services().contact, "GetBookingCalendar", contact_pb.BookingRequest(booking_id=booking_id))
    response = Response(found.content, mimetype="text/calendar")
    response.headers["Content-Disposition"] = content_disposition(found.filename)
    return response

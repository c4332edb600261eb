"""Advisory bookings: free times, book, reschedule, cancel, my bookings."""

from __future__ import annotations

from marshmallow import fields, validate

from bff_mobile import texts
from bff_mobile.schemas.common import BASE_MESSAGES, Id, RequestSchema, ResponseSchema, text_field
from fickan.contact.v1 import contact_pb2 as contact_pb
from fickan_common import limits

MAX_GROUP_LENGTH = limits.of(contact_pb.ListFreeSlotsRequest, "group").max_length or 0
MAX_NOTE_LENGTH = limits.of(contact_pb.BookSlotRequest, "note").max_length or 0
MAX_PHONE_LENGTH = limits.of(contact_pb.BookSlotRequest, "phone").max_length or 0
KINDS = ("on_site", "telephone", "video")


class FreeSlotsQuerySchema(RequestSchema):
    service = text_field(
        max_length=MAX_GROUP_LENGTH, description="The advisory service's code (GET /v1/bookings/services)."
    )
    kind = fields.String(
        required=False,
        validate=validate.OneOf(KINDS, error=texts.FIELD_NOT_TEXT),
        error_messages=BASE_MESSAGES,
        metadata={"description": "on_site | telephone | video; left out: every kind"},
    )


class BookSchema(RequestSchema):
    slot_id = Id(data_key="slotId", required=True)
    note = fields.String(
        required=False,
        validate=validate.Length(max=MAX_NOTE_LENGTH, error=texts.FIELD_TOO_LONG),
        metadata={"description": "What the resident wants to talk about (seen by the advisor only)."},
    )
    phone = fields.String(
        required=False,
        validate=validate.Length(max=MAX_PHONE_LENGTH, error=texts.FIELD_TOO_LONG),
        metadata={"description": "Where the advisor rings, for a telephone time."},
    )


class RescheduleSchema(RequestSchema):
    slot_id = Id(data_key="slotId", required=True)


class SlotSchema(ResponseSchema):
    id = fields.String(required=True)
    service = fields.String(required=True, metadata={"description": "The advisory service's code"})
    service_name = fields.String(data_key="serviceName", required=True)
    kind = fields.String(required=True, metadata={"description": "on_site | telephone | video"})
    kind_text = fields.String(data_key="kindText", required=True)
    kind_text_en = fields.String(data_key="kindTextEn", required=True)
    starts_at = fields.DateTime(data_key="startsAt", required=True)
    ends_at = fields.DateTime(data_key="endsAt", required=True)
    advisor = fields.String(required=True)
    location = fields.String(required=True)


class SlotListSchema(ResponseSchema):
    slots = fields.List(fields.Nested(SlotSchema), required=True)


class BookingSchema(ResponseSchema):
    id = fields.String(required=True)
    slot = fields.Nested(SlotSchema, required=True)
    status = fields.String(required=True, metadata={"description": "booked | cancelled"})
    status_text = fields.String(data_key="statusText", required=True)
    status_text_en = fields.String(data_key="statusTextEn", required=True)
    note = fields.String(required=True)


class BookingListSchema(ResponseSchema):
    bookings = fields.List(fields.Nested(BookingSchema), required=True)


class ServiceSchema(ResponseSchema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(data_key="nameEn", required=True)
    kind = fields.String(
        required=True,
        metadata={"description": "advisory_service | case_unit (a meeting with a case worker of that unit)"},
    )


class ServiceListSchema(ResponseSchema):
    services = fields.List(fields.Nested(ServiceSchema), required=True)

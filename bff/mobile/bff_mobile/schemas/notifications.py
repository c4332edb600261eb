"""Notification preferences and push subscriptions. Lengths are the contract's (proto options)."""

from __future__ import annotations

from marshmallow import fields, validate

from bff_mobile import texts
from bff_mobile.schemas.common import RequestSchema, ResponseSchema, json_boolean
from fickan.notifications.v1 import notifications_pb2 as notes_pb
from fickan_common import limits

MAX_EMAIL = limits.of(notes_pb.UpdatePreferencesRequest, "email").max_length or 254
MAX_CHANNELS = limits.of(notes_pb.UpdatePreferencesRequest, "channels").max_items or 20
MAX_ENDPOINT = limits.of(notes_pb.RegisterPushSubscriptionRequest, "endpoint").max_length or 1000
MAX_P256DH = limits.of(notes_pb.RegisterPushSubscriptionRequest, "p256dh").max_length or 200
MAX_AUTH = limits.of(notes_pb.RegisterPushSubscriptionRequest, "auth").max_length or 100
CLOCK = r"^([01]\d|2[0-3]):[0-5]\d$"


class ChannelChoiceSchema(RequestSchema):
    kind = fields.String(
        load_default="",
        validate=validate.Length(max=40),
        metadata={"description": 'The kind of message (e.g. "decision_approved"); "" = every other kind.'},
    )
    email = json_boolean(required=True)
    push = json_boolean(required=True)


class PreferencesBodySchema(RequestSchema):
    language = fields.String(load_default="sv", validate=validate.OneOf(["sv", "en"], error=texts.FIELD_LANGUAGE))
    email = fields.String(
        load_default="",
        validate=validate.Length(max=MAX_EMAIL),
        metadata={"description": "A new address gets a confirmation mail and is used only once confirmed."},
    )
    channels = fields.List(
        fields.Nested(ChannelChoiceSchema), load_default=list, validate=validate.Length(max=MAX_CHANNELS)
    )
    quiet_start = fields.String(
        data_key="quietStart", load_default="22:00", validate=validate.Regexp(CLOCK, error=texts.FIELD_CLOCK)
    )
    quiet_end = fields.String(
        data_key="quietEnd", load_default="07:00", validate=validate.Regexp(CLOCK, error=texts.FIELD_CLOCK)
    )
    ignore_quiet_hours = json_boolean(data_key="ignoreQuietHours", load_default=False)


class ChannelChoiceOutSchema(ResponseSchema):
    kind = fields.String(required=True)
    email = fields.Boolean(required=True)
    push = fields.Boolean(required=True)


class PreferencesSchema(ResponseSchema):
    language = fields.String(required=True)
    email = fields.String(required=True)
    email_confirmed = fields.Boolean(data_key="emailConfirmed", required=True)
    channels = fields.List(fields.Nested(ChannelChoiceOutSchema), required=True)
    quiet_start = fields.String(data_key="quietStart", required=True)
    quiet_end = fields.String(data_key="quietEnd", required=True)
    ignore_quiet_hours = fields.Boolean(data_key="ignoreQuietHours", required=True)


class ConfirmEmailBodySchema(RequestSchema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=100))


class PushConfigSchema(ResponseSchema):
    vapid_public_key = fields.String(data_key="vapidPublicKey", required=True)


class PushSubscriptionBodySchema(RequestSchema):
    provider = fields.String(load_default="webpush", validate=validate.OneOf(["webpush", "apns", "fcm"]))
    endpoint = fields.String(required=True, validate=validate.Length(min=1, max=MAX_ENDPOINT))
    p256dh = fields.String(load_default="", validate=validate.Length(max=MAX_P256DH))
    auth = fields.String(load_default="", validate=validate.Length(max=MAX_AUTH))


class PushSubscriptionSchema(ResponseSchema):
    id = fields.String(required=True)
    provider = fields.String(required=True)
    device = fields.String(required=True)

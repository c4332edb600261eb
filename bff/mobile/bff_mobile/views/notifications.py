"""The live feed (Server-Sent Events), archiving, preferences and push subscriptions."""

from __future__ import annotations

from typing import Any

from flask import Response, g

from bff_mobile import texts
from bff_mobile.api import call
from bff_mobile.errors import ApiError, from_service_error
from bff_mobile.schemas.inbox import MessageSchema
from bff_mobile.schemas.notifications import (
    ConfirmEmailBodySchema,
    PreferencesBodySchema,
    PreferencesSchema,
    PushConfigSchema,
    PushSubscriptionBodySchema,
    PushSubscriptionSchema,
)
from bff_mobile.views.common import api, services
from bff_mobile.views.inbox import _message
from fickan.notifications.v1 import notifications_pb2 as notes_pb
from fickan_bff import live
from fickan_common.grpc_client import ServiceError


def _entry(event: notes_pb.FeedEvent) -> dict[str, Any]:
    data: dict[str, Any] = {"unread": event.unread}
    if event.kind == "message":
        data["message"] = live.message_json(event.message)
    elif event.kind == "case_changed":
        data.update(reference=event.reference, status=event.status)
    return data


@api.route(
    "/stream",
    "GET",
    summary="Live: new messages and case changes as Server-Sent Events",
    tag="inbox",
    stream=True,
    errors=(400, 503),
    description="Keep it open while the app is in the foreground; in the background rely on push.",
)
def stream() -> Response:
    try:
        after = live.last_event_id()
    except live.BadLastEventId:
        raise ApiError.of(
            400, "invalid_last_event_id", texts.LAST_EVENT_ID, {"Last-Event-ID": texts.LAST_EVENT_ID.sv}
        ) from None
    try:
        opened, first = live.open_feed(services(), g.principal.token, after)
    except ServiceError as exc:
        raise from_service_error(exc) from None
    return live.relay(opened, first, _entry, "mobile_stream")


@api.route(
    "/inbox/<message_id>/archive",
    "POST",
    summary="Archive a message (it leaves the inbox, read)",
    tag="inbox",
    response=MessageSchema,
    errors=(400, 403, 404, 503),
)
def archive(message_id: str) -> dict[str, Any]:
    return _message(call(services().notifications, "Archive", notes_pb.ArchiveRequest(message_id=message_id)))


def _preferences(p: notes_pb.Preferences) -> dict[str, Any]:
    return {
        "language": p.language,
        "email": p.email,
        "email_confirmed": p.email_confirmed,
        "channels": [{"kind": c.kind, "email": c.email, "push": c.push} for c in p.channels],
        "quiet_start": p.quiet_start,
        "quiet_end": p.quiet_end,
        "ignore_quiet_hours": p.ignore_quiet_hours,
    }


@api.route(
    "/notifications/preferences",
    "GET",
    summary="How I want to be told",
    tag="notifications",
    response=PreferencesSchema,
)
def preferences() -> dict[str, Any]:
    return _preferences(call(services().notifications, "GetPreferences", notes_pb.GetPreferencesRequest()))


@api.route(
    "/notifications/preferences",
    "PUT",
    summary="Change how I want to be told (e-mail, push per kind, quiet hours, language)",
    tag="notifications",
    body=PreferencesBodySchema,
    response=PreferencesSchema,
)
def update_preferences(body: dict[str, Any]) -> dict[str, Any]:
    request = notes_pb.UpdatePreferencesRequest(
        language=body["language"],
        email=body["email"],
        channels=[notes_pb.ChannelChoice(**c) for c in body["channels"]],
        quiet_start=body["quiet_start"],
        quiet_end=body["quiet_end"],
        ignore_quiet_hours=body["ignore_quiet_hours"],
    )
    return _preferences(call(services().notifications, "UpdatePreferences", request))


@api.route(
    "/notifications/email/confirm",
    "POST",
    summary="Confirm my e-mail address with the token from the confirmation mail",
    tag="notifications",
    body=ConfirmEmailBodySchema,
    response=PreferencesSchema,
)
def confirm_email(body: dict[str, Any]) -> dict[str, Any]:
    return _preferences(
        call(services().notifications, "ConfirmEmail", notes_pb.ConfirmEmailRequest(token=body["token"]))
    )


@api.route(
    "/push/config", "GET", summary="The Web Push key to subscribe with", tag="notifications", response=PushConfigSchema
)
def push_config() -> dict[str, Any]:
    answer = call(services().notifications, "GetPushConfig", notes_pb.GetPushConfigRequest())
    return {"vapid_public_key": answer.vapid_public_key}


@api.route(
    "/push/subscriptions",
    "POST",
    summary="Register this device for push",
    tag="notifications",
    body=PushSubscriptionBodySchema,
    response=PushSubscriptionSchema,
    status=201,
)
def register_push(body: dict[str, Any]) -> dict[str, Any]:
    row = call(
        services().notifications,
        "RegisterPushSubscription",
        notes_pb.RegisterPushSubscriptionRequest(device="mobile", **body),
    )
    return {"id": row.subscription_id, "provider": row.provider, "device": row.device}


@api.route(
    "/push/subscriptions/<subscription_id>",
    "DELETE",
    summary="Stop push to this device",
    tag="notifications",
    status=204,
    errors=(400, 403, 404, 503),
)
def remove_push(subscription_id: str) -> None:
    call(
        services().notifications,
        "RemovePushSubscription",
        notes_pb.RemovePushSubscriptionRequest(subscription_id=subscription_id),
    )

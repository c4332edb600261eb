"""Service messages for the app: the notices of planned maintenance and disruptions (notifications)
and BankID's own status (identity), public so the login screen shows them too; and the overview the
app's start screen shows. A service that does not answer leaves its part empty, never the screen."""

from __future__ import annotations

import logging
from typing import Any

from flask import g

from bff_mobile import texts
from bff_mobile.schemas.service_messages import OverviewSchema, ServiceMessagesSchema
from bff_mobile.views.common import api, services, time_of
from fickan.identity.v1 import identity_pb2
from fickan.notifications.v1 import notifications_pb2 as notes_pb
from fickan_common.grpc_client import ServiceError

log = logging.getLogger(__name__)

# A screen never waits long for its notices.
TIMEOUT = 1.0


def _notice(message: notes_pb.ServiceMessage) -> dict[str, Any]:
    kind = texts.SERVICE_KIND.get(message.kind, texts.SERVICE_KIND["disruption"])
    return {
        "id": message.message_id,
        "kind": message.kind,
        "kind_text": kind.sv,
        "kind_text_en": kind.en,
        "text": message.text,
        "text_en": message.text_en,
        "starts_at": time_of(message, "starts_at"),
        "ends_at": time_of(message, "ends_at"),
        "active": message.active,
        "short": message.short,
        "short_en": message.short_en,
    }


def notices() -> list[dict[str, Any]]:
    try:
        answer = services().notifications.call(
            "ListServiceMessages", notes_pb.ListServiceMessagesRequest(), timeout=TIMEOUT
        )
    except ServiceError as exc:
        log.warning("service messages unavailable", extra={"fields": {"grpc_code": exc.code.name}})
        return []
    return [_notice(m) for m in answer.messages]


def bankid() -> dict[str, Any]:
    try:
        answer = services().identity.call("GetBankIdStatus", identity_pb2.GetBankIdStatusRequest(), timeout=TIMEOUT)
        disrupted = answer.disrupted
    except ServiceError as exc:
        log.warning("bankid status unavailable", extra={"fields": {"grpc_code": exc.code.name}})
        disrupted = False
    text = texts.BANKID_DISRUPTED if disrupted else texts.Text("", "")
    return {"disrupted": disrupted, "message": text.sv, "message_en": text.en}


@api.route(
    "/service-messages",
    "GET",
    summary="Planned maintenance, disruptions and BankID's own status (no login needed)",
    tag="service",
    response=ServiceMessagesSchema,
    public=True,
    description="Notices on now come first, then planned ones starting within a week (at most five). "
    "`bankid.disrupted` is true while BankID itself reports maintenance: show its message on the login screen.",
)
def service_messages() -> dict[str, Any]:
    return {"messages": notices(), "bankid": bankid()}


@api.route(
    "/overview",
    "GET",
    summary="The start screen: who is logged in, unread messages and the service messages",
    tag="service",
    response=OverviewSchema,
)
def overview() -> dict[str, Any]:
    try:
        unread: int | None = (
            services()
            .notifications.call(
                "GetUnreadCount", notes_pb.GetUnreadCountRequest(), token=g.principal.token, timeout=TIMEOUT
            )
            .unread
        )
    except ServiceError as exc:
        log.warning("unread count unavailable", extra={"fields": {"grpc_code": exc.code.name}})
        unread = None
    return {"name": g.principal.name, "unread": unread, "service_messages": notices(), "bankid": bankid()}

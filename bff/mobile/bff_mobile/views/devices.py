"""My devices, pairing a watch, and the access log (who read my data)."""

from __future__ import annotations

import logging
from typing import Any

from bff_mobile import texts
from bff_mobile.api import call
from bff_mobile.schemas.devices import (
    AccessLogQuerySchema,
    AccessLogSchema,
    ConfirmWatchSchema,
    DeviceListSchema,
    WatchPairedSchema,
)
from bff_mobile.views.common import api, services, time_of
from fickan.identity.v1 import identity_pb2 as identity_pb

log = logging.getLogger(__name__)


def _role_text(role: str) -> texts.Text:
    return texts.ROLES.get(role, texts.ROLE_OTHER)


def _device(entry: identity_pb.DeviceEntry) -> dict[str, Any]:
    return {
        "id": entry.device_id,
        "kind": entry.kind,
        "created_at": time_of(entry, "created_at"),
        "last_used_at": time_of(entry, "last_used_at"),
        "current": entry.current,
    }


def _access_entry(entry: identity_pb.AccessEntry) -> dict[str, Any]:
    role = _role_text(entry.actor_role)
    return {
        "at": time_of(entry, "at"),
        "actor_name": entry.actor_name,
        "actor_role": entry.actor_role,
        "actor_role_text": role.sv,
        "actor_role_text_en": role.en,
        "actor_unit": entry.actor_unit,
        "action": entry.action,
        "resource": entry.resource,
        "description": entry.description,
        "reason": entry.reason,
    }


# --- Devices and the watch ---------------------------------------------------------------------
@api.route(
    "/devices",
    "GET",
    summary="My logged-in devices and paired watches, last used first",
    tag="devices",
    response=DeviceListSchema,
    errors=(503,),
)
def list_devices() -> dict[str, Any]:
    answer = call(services().identity, "ListMyDevices", identity_pb.ListMyDevicesRequest())
    return {"devices": [_device(d) for d in answer.devices]}


@api.route(
    "/devices/<device_id>",
    "DELETE",
    summary="Log out a device or unpair a watch",
    tag="devices",
    status=204,
    errors=(400, 404, 503),
)
def revoke_device(device_id: str) -> None:
    call(services().identity, "RevokeDevice", identity_pb.RevokeDeviceRequest(device_id=device_id))
    log.info("device revoked", extra={"fields": {"kind": device_id.partition(":")[0]}})


@api.route(
    "/devices/watch",
    "POST",
    summary="Pair a watch: confirm the code it shows",
    description="The watch shows a code like BCDF-GHJK; send what the resident typed (any case, spaces and "
    "dashes are fine). 404: the code is wrong or has expired; 429: too many tries.",
    tag="devices",
    body=ConfirmWatchSchema,
    response=WatchPairedSchema,
    errors=(400, 404, 429, 503),
)
def confirm_watch(body: dict[str, Any]) -> dict[str, Any]:
    letters = "".join(ch for ch in body["user_code"].upper() if ch not in " -")
    code = f"{letters[:4]}-{letters[4:]}"  # as the watch shows it
    answer = call(services().identity, "ConfirmWatchPairing", identity_pb.ConfirmWatchPairingRequest(user_code=code))
    log.info("watch pairing confirmed")
    return {"device_id": answer.device_id}


@api.route(
    "/access-log",
    "GET",
    summary="Who at the municipality read or changed my data",
    tag="privacy",
    query=AccessLogQuerySchema,
    response=AccessLogSchema,
    errors=(400, 503),
)
def access_log(query: dict[str, Any]) -> dict[str, Any]:
    request_message = identity_pb.ListMyAccessLogRequest(resource=query.get("resource", ""))
    answer = call(services().identity, "ListMyAccessLog", request_message)
    return {"entries": [_access_entry(e) for e in answer.entries]}

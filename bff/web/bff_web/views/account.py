"""The resident's own account: logged-in devices and paired watches (pair a watch by the code it
shows, end a session or unpair), and the access log: who at the municipality looked at their data."""

from __future__ import annotations

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from bff_web import formatting
from bff_web.i18n import said, t
from bff_web.session import login_required, services, token
from fickan.identity.v1 import identity_pb2
from fickan_common.grpc_client import ServiceError

bp = Blueprint("account", __name__)

_DEVICE_ID = re.compile(r"^(session:[0-9a-f]{32}|watch:[0-9a-f-]{36})$")
ROLE_TEXT = {"case_worker": "role_case_worker", "contact_agent": "role_contact_agent", "admin": "role_admin"}


def _devices() -> list[dict[str, object]]:
    listed = services().identity.call("ListMyDevices", identity_pb2.ListMyDevicesRequest(), token=token())
    return [
        {
            "id": d.device_id,
            "kind": t(f"device_{d.kind}") if d.kind in ("web", "mobile", "watch") else d.kind,
            "since": formatting.date(d.created_at),
            "used": formatting.date_time(d.last_used_at),
            "current": d.current,
        }
        for d in listed.devices
    ]


def _render(code: str = "", error: str = "", status: int = 200) -> tuple[str, int]:
    return render_template("devices.html", devices=_devices(), code=code, error=error), status


@bp.get("/mina-sidor/enheter")
@login_required
def devices() -> tuple[str, int]:
    return _render()


@bp.post("/mina-sidor/enheter/klocka")
@login_required
def pair_watch() -> Response | tuple[str, int]:
    code = request.form.get("user_code", "").strip()[:20]
    if not code:
        return _render(code, t("watch_code_missing"), 400)
    try:
        services().identity.call(
            "ConfirmWatchPairing", identity_pb2.ConfirmWatchPairingRequest(user_code=code), token=token()
        )
    except ServiceError as exc:
        if exc.code.name in ("NOT_FOUND", "INVALID_ARGUMENT", "RESOURCE_EXHAUSTED"):
            status = 429 if exc.code.name == "RESOURCE_EXHAUSTED" else 400
            return _render(code, said(exc) or t("watch_code_wrong"), status)
        raise
    flash("watch_paired", "success")
    return redirect(url_for("account.devices"))


@bp.post("/mina-sidor/enheter/avsluta")
@login_required
def revoke() -> Response | tuple[str, int]:
    device_id = request.form.get("device_id", "")
    if not _DEVICE_ID.match(device_id):
        return _render(error=t("device_unknown"), status=400)
    services().identity.call("RevokeDevice", identity_pb2.RevokeDeviceRequest(device_id=device_id), token=token())
    flash("device_revoked", "success")
    return redirect(url_for("account.devices"))


@bp.get("/mina-sidor/atkomstlogg")
@login_required
def access_log() -> str:
    listed = services().identity.call("ListMyAccessLog", identity_pb2.ListMyAccessLogRequest(), token=token())
    entries = [
        {
            "when": formatting.date_time(e.at),
            "who": e.actor_name,
            "role": t(ROLE_TEXT[e.actor_role]) if e.actor_role in ROLE_TEXT else e.actor_role,
            "unit": e.actor_unit,
            "action": t("access_read") if e.action == "read" else t("access_change"),
            "what": e.description,
            "why": e.reason,
        }
        for e in listed.entries
    ]
    return render_template("access_log.html", entries=entries)

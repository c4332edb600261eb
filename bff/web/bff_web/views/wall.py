"""The office's wall screen (/personal/tavla): for a big screen, readable from three metres, no
scrolling. The page is rendered whole (and reloads itself without JavaScript); with JavaScript it
listens to /personal/tavla/strom (Server-Sent Events), which asks the contact service every second
and sends the board again, rendered by the same template, as soon as it changed. Staff only."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from datetime import UTC
from typing import Any

import grpc
from flask import Blueprint, Response, flash, g, redirect, render_template, request, stream_with_context, url_for

from bff_web import formatting
from bff_web.i18n import said, said_fields, t
from bff_web.session import services, staff_required, token
from fickan.contact.v1 import contact_pb2 as pb
from fickan_bff.errors import is_unavailable
from fickan_common.grpc_client import ServiceError

bp = Blueprint("wall", __name__)

AGENT = "contact_agent"
POLL_SECONDS = 1.0  # the screen shows a change within 2 s
KEEP_ALIVE_SECONDS = 15.0
# A stream ends after a while and the browser reconnects at once: the new request carries a fresh
# access token (the session renews it), so a screen left on for days never uses an expired one.
STREAM_SECONDS = 300.0


def _age(seconds: int) -> str:
    if seconds < 3600:
        return t("wall_age_minutes", n=max(seconds // 60, 0))
    if seconds < 48 * 3600:
        return t("wall_age_hours", n=seconds // 3600)
    return t("wall_age_days", n=seconds // 86400)


def _per_cent(per_mille: int) -> str:
    return formatting.number(per_mille / 10, g.get("lang", "sv")) + " %"


def board_view(b: pb.WallBoard) -> dict[str, Any]:
    return {
        "feedback": [
            {
                "rating": f.rating,
                "comment": f.comment,
                "group": f.group,
                "when": f.changed_at.ToDatetime(tzinfo=UTC).astimezone(formatting.ZONE).strftime("%H:%M"),
            }
            for f in b.feedback
        ],
        "groups": [
            {"name": grp.name, "open": grp.open, "oldest": _age(grp.oldest_seconds) if grp.open else ""}
            for grp in b.groups
            if grp.open
        ],
        "today": _per_cent(b.unnecessary_today_per_mille) if b.closed_today else "–",
        "closed_today": b.closed_today,
        "last_month": _per_cent(b.unnecessary_last_month_per_mille) if b.closed_last_month else "–",
        "open_faults": b.open_fault_reports,
        "faults": [
            {"name": f.service_name, "where": f.address, "when": formatting.date_time(f.requested_at)}
            for f in b.latest_faults
        ],
        "cases": [
            {
                "id": c.short_id,
                "left": t("wall_left", age=_age(c.seconds_left))
                if c.seconds_left >= 0
                else t("wall_late", age=_age(-c.seconds_left)),
                "late": c.seconds_left < 0,
            }
            for c in b.closest_cases
        ],
        "at": b.at.ToDatetime(tzinfo=UTC).astimezone(formatting.ZONE).strftime("%H:%M:%S"),
    }


def _board(access_token: str) -> pb.WallBoard:
    return services().contact.call("GetWallBoard", pb.WallBoardRequest(), token=access_token)


def _screen_board(screen_token: str) -> pb.WallBoard:
    request_message = pb.WallScreenTokenRequest(token=screen_token[:100])
    return services().contact.call("GetWallBoardForScreen", request_message)


def _event(html: str) -> str:
    return "".join(f"data: {line}\n" for line in html.splitlines()) + "\n"


def _stream(fetch: Callable[[], pb.WallBoard]) -> Response:
    @stream_with_context
    def events() -> Iterator[str]:
        yield "retry: 1000\n\n"
        started = last_sent = time.monotonic()
        shown = ""
        while time.monotonic() - started < STREAM_SECONDS:
            try:
                html = render_template("_wall_board.html", board=board_view(fetch()))
            except ServiceError as exc:
                if not is_unavailable(exc.code):
                    return  # a revoked screen or token: the page's next reload says so
                html = ""
            digest = hashlib.sha256(html.encode()).hexdigest() if html else shown
            if digest != shown:
                shown, last_sent = digest, time.monotonic()
                yield _event(html)
            elif time.monotonic() - last_sent > KEEP_ALIVE_SECONDS:
                last_sent = time.monotonic()
                yield ": still here\n\n"
            time.sleep(POLL_SECONDS)

    response = Response(events(), mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # a proxy must pass each event on at once
    return response


@bp.get("/personal/tavla")
@staff_required(AGENT)
def wall() -> str:
    return render_template("wall.html", board=board_view(_board(token())), stream_url=url_for("wall.stream"))


@bp.get("/personal/tavla/strom")
@staff_required(AGENT)
def stream() -> Response:
    access_token = token()
    return _stream(lambda: _board(access_token))


# -- screens in the office: a revocable token instead of a login ------------------------------------
@bp.get("/tavla/<screen_token>")
def screen(screen_token: str) -> str:
    board = _screen_board(screen_token)  # a revoked or unknown token: 403
    return render_template(
        "wall.html", board=board_view(board), stream_url=url_for("wall.screen_stream", screen_token=screen_token)
    )


@bp.get("/tavla/<screen_token>/strom")
def screen_stream(screen_token: str) -> Response:
    _screen_board(screen_token)
    return _stream(lambda: _screen_board(screen_token))


def _screens_page(created: pb.WallScreen | None = None, errors: dict[str, str] | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    listed = services().contact.call("ListWallScreens", pb.ListWallScreensRequest(), token=token())
    rows = [
        {
            "id": s.screen_id,
            "name": s.name,
            "created": formatting.date_time(s.created_at),
            "by": s.created_by,
            "revoked": formatting.date_time(s.revoked_at),
        }
        for s in listed.screens
    ]
    link = url_for("wall.screen", screen_token=created.token, _external=True) if created else ""
    return render_template("wall_screens.html", rows=rows, link=link, errors=errors or {}), status


@bp.get("/personal/tavla/skarmar")
@staff_required(AGENT)
def screens() -> tuple[str, int]:
    return _screens_page()


@bp.post("/personal/tavla/skarmar")
@staff_required(AGENT)
def create_screen() -> tuple[str, int]:
    try:
        created = services().contact.call(
            "CreateWallScreen", pb.CreateWallScreenRequest(name=request.form.get("name", "")[:100]), token=token()
        )
    except ServiceError as exc:
        if exc.code != grpc.StatusCode.INVALID_ARGUMENT:
            raise
        return _screens_page(errors=said_fields(exc) or {"name": said(exc)}, status=400)
    return _screens_page(created)  # the link is shown this once


@bp.post("/personal/tavla/skarmar/<screen_id>/aterkalla")
@staff_required(AGENT)
def revoke_screen(screen_id: str) -> Response:
    services().contact.call("RevokeWallScreen", pb.WallScreenRequest(screen_id=screen_id[:36]), token=token())
    flash("wall_screen_revoked", "success")
    return redirect(url_for("wall.screens"))

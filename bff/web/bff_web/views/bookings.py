"""Advisory bookings on the web: a resident picks an advisory service and a free time, books it
(the loser of a race for the last time sees why and the next free times), reschedules, cancels and
downloads the calendar file. An advisor (or a case worker, for their unit) publishes a weekly
pattern, adds an extra time, withdraws a time or a whole day and sees their day. The rules and the
no-double-booking guarantee live in the contact service; this only composes and maps."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote

import grpc
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from bff_web import formatting
from bff_web.i18n import said, said_fields, t
from bff_web.session import login_required, services, staff_required, token
from bff_web.views.contact import centre
from fickan.contact.v1 import contact_pb2 as pb
from fickan_common.grpc_client import ServiceError

bp = Blueprint("bookings", __name__)

KINDS = ("on_site", "telephone", "video")
WEEKDAYS = (1, 2, 3, 4, 5, 6, 7)
PUBLISH_FIELDS = ("kind", "start_time", "end_time", "slot_minutes", "from_date", "to_date", "except_dates", "location")
EXTRA_FIELDS = ("kind", "date", "start_time", "end_time", "location")
# The extra-time form's fields carry this prefix on the page (ids unique beside the pattern form's).
EXTRA = "extra_"
PUBLISHERS = ("contact_agent", "case_worker", "admin")


def _id(value: str) -> str:
    try:
        uuid.UUID(value)
    except ValueError:
        abort(404)
    return value


def advisory_services() -> list[tuple[str, str]]:
    lang = g.get("lang", "sv")
    return [(s.code, s.name_en if lang == "en" else s.name) for s in centre().groups if s.kind == "advisory_service"]


def case_units() -> list[tuple[str, str]]:
    """Case workers' units residents book a meeting with (e.g. financial assistance)."""
    lang = g.get("lang", "sv")
    return [(u.code, u.name_en if lang == "en" else u.name) for u in centre().case_units]


def bookable() -> list[tuple[str, str]]:
    return advisory_services() + case_units()


def _slot(s: pb.Slot) -> dict[str, Any]:
    start = s.starts_at.ToDatetime(tzinfo=UTC).astimezone(formatting.ZONE)
    end = s.ends_at.ToDatetime(tzinfo=UTC).astimezone(formatting.ZONE)
    return {
        "id": s.slot_id,
        "group": s.group_name,
        "kind": s.kind_text_en if g.get("lang") == "en" else s.kind_text,
        "day": start.strftime("%Y-%m-%d"),
        "time": f"{start:%H:%M}–{end:%H:%M}",
        "when": f"{start:%Y-%m-%d %H:%M}",
        "advisor": s.advisor_name,
        "location": s.location,
        "status": s.status,
        "booking_id": s.booking_id,
        "resident": s.resident_name,
        "note": s.note,
    }


def _booking(b: pb.Booking) -> dict[str, Any]:
    ended = b.slot.ends_at.ToDatetime(tzinfo=UTC) <= datetime.now(UTC)
    return {
        "id": b.booking_id,
        "held": b.status == "booked" and ended,
        "slot": _slot(b.slot),
        "group_code": b.slot.group,
        "status": b.status,
        "status_text": b.status_text_en if g.get("lang") == "en" else b.status_text,
        "note": b.note,
    }


def _free(group: str, kind: str = "") -> list[dict[str, Any]]:
    listed = services().contact.call("ListFreeSlots", pb.ListFreeSlotsRequest(group=group, kind=kind, limit=30))
    return [_slot(s) for s in listed.slots]


def _times_page(group: str, kind: str, error: str = "", status: int = 200, rebooking: str = "") -> tuple[str, int]:
    names = dict(bookable())
    if group not in names:
        abort(404)
    html = render_template(
        "bookings_times.html",
        group=group,
        group_name=names[group],
        kind=kind,
        kinds=[(k, t(f"booking_kind_{k}")) for k in KINDS],
        slots=_free(group, kind),
        error=error,
        rebooking=rebooking,
        logged_in=g.get("principal") is not None and g.principal.is_resident,
    )
    return html, status


@bp.get("/radgivning")
def start() -> tuple[str, int] | str:
    group = request.args.get("tjanst", "")[:60]
    kind = request.args.get("typ", "") if request.args.get("typ") in KINDS else ""
    if group:
        return _times_page(group, kind)
    return render_template("bookings_start.html", services=advisory_services(), units=case_units())


@bp.post("/radgivning/boka")
@login_required
def book() -> Response | tuple[str, int]:
    slot_id = request.form.get("slot_id", "")
    group = request.form.get("tjanst", "")[:60]
    try:
        services().contact.call(
            "BookSlot",
            pb.BookSlotRequest(
                slot_id=_id(slot_id), note=request.form.get("note", ""), phone=request.form.get("phone", "")
            ),
            token=token(),
        )
    except ServiceError as exc:
        if exc.code in (
            grpc.StatusCode.FAILED_PRECONDITION,
            grpc.StatusCode.INVALID_ARGUMENT,
            grpc.StatusCode.NOT_FOUND,
        ):
            # The loser of a race (or a stale page) sees why and the times still free, at once.
            message = said(exc) if not said_fields(exc) else " ".join(said_fields(exc).values())
            return _times_page(group, "", message, 409 if exc.code == grpc.StatusCode.FAILED_PRECONDITION else 400)
        raise
    flash("booking_made", "success")
    return redirect(url_for("bookings.mine"))


@bp.get("/radgivning/bokningar")
@login_required
def mine() -> str:
    listed = services().contact.call("ListMyBookings", pb.ListMyBookingsRequest(include_past=True), token=token())
    return render_template("bookings_mine.html", bookings=[_booking(b) for b in listed.bookings])


def _my_booking(booking_id: str) -> pb.Booking:
    listed = services().contact.call("ListMyBookings", pb.ListMyBookingsRequest(include_past=True), token=token())
    for b in listed.bookings:
        if b.booking_id == booking_id:
            return b
    abort(404)


@bp.get("/radgivning/bokningar/<booking_id>/boka-om")
@login_required
def reschedule_form(booking_id: str) -> tuple[str, int]:
    booking = _my_booking(_id(booking_id))
    return _times_page(booking.slot.group, "", rebooking=booking_id)


@bp.post("/radgivning/bokningar/<booking_id>/boka-om")
@login_required
def reschedule(booking_id: str) -> Response | tuple[str, int]:
    try:
        services().contact.call(
            "RescheduleBooking",
            pb.RescheduleBookingRequest(booking_id=_id(booking_id), slot_id=_id(request.form.get("slot_id", ""))),
            token=token(),
        )
    except ServiceError as exc:
        if exc.code == grpc.StatusCode.FAILED_PRECONDITION:
            booking = _my_booking(booking_id)
            return _times_page(booking.slot.group, "", said(exc), 409, rebooking=booking_id)
        raise
    flash("booking_rescheduled", "success")
    return redirect(url_for("bookings.mine"))


@bp.post("/radgivning/bokningar/<booking_id>/avboka")
@login_required
def cancel(booking_id: str) -> Response:
    try:
        services().contact.call("CancelBooking", pb.BookingRequest(booking_id=_id(booking_id)), token=token())
    except ServiceError as exc:
        if exc.code != grpc.StatusCode.FAILED_PRECONDITION:
            raise
        flash("booking_cancel_too_late", "error")
        return redirect(url_for("bookings.mine"))
    flash("booking_cancelled", "success")
    return redirect(url_for("bookings.mine"))


@bp.post("/radgivning/bokningar/<booking_id>/omdome")
@login_required
def give_feedback(booking_id: str) -> Response:
    """A held meeting rated 1-5 (once, changeable for a day); a refusal is said at the top of the page."""
    rating = request.form.get("rating", "")
    try:
        services().contact.call(
            "GiveFeedback",
            pb.GiveFeedbackRequest(
                subject=pb.FeedbackSubject(kind="booking", subject_id=_id(booking_id)),
                rating=int(rating) if rating.isdigit() and len(rating) < 3 else 0,
                comment=request.form.get("comment", ""),
            ),
            token=token(),
        )
    except ServiceError as exc:
        if exc.code not in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.FAILED_PRECONDITION):
            raise
        flash("booking_feedback_refused", "error")
        return redirect(url_for("bookings.mine"))
    flash("feedback_thanks", "success")
    return redirect(url_for("bookings.mine"))


@bp.get("/radgivning/bokningar/<booking_id>/kalender.ics")
@login_required
def calendar(booking_id: str) -> Response:
    got = services().contact.call("GetBookingCalendar", pb.BookingRequest(booking_id=_id(booking_id)), token=token())
    response = Response(got.content, mimetype="text/calendar")
    response.headers["Content-Type"] = got.content_type
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(got.filename)}"
    response.headers["Cache-Control"] = "no-store"
    return response


# -- advisors and case workers ------------------------------------------------------------------------
def _day_page(
    day: str,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
    extra: dict[str, str] | None = None,
) -> tuple[str, int]:
    try:
        got = services().contact.call("GetAdvisorDay", pb.AdvisorDayRequest(date=day), token=token())
    except ServiceError as exc:
        if exc.code != grpc.StatusCode.INVALID_ARGUMENT:
            raise
        got = services().contact.call("GetAdvisorDay", pb.AdvisorDayRequest(), token=token())
    shown = date.fromisoformat(got.date)
    html = render_template(
        "desk_bookings_day.html",
        day=got.date,
        previous_day=(shown - timedelta(days=1)).isoformat(),
        next_day=(shown + timedelta(days=1)).isoformat(),
        slots=[_slot(s) for s in got.slots],
        booked=sum(1 for s in got.slots if s.status == "booked"),
        values=values,
        extra=extra or {"kind": "on_site", "date": got.date},
        errors=errors,
        kinds=[(k, t(f"booking_kind_{k}")) for k in KINDS],
        weekdays=[(d, t(f"weekday_{d}")) for d in WEEKDAYS],
        # An admin chooses whose times; an advisor or a case worker publishes their own.
        groups=bookable() if g.principal.has_role("admin") else [],
    )
    return html, status


def _refused(exc: ServiceError, default_field: str) -> dict[str, str]:
    if exc.code not in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.FAILED_PRECONDITION):
        raise exc
    return said_fields(exc) or {default_field: said(exc)}


@bp.get("/personal/radgivning")
@staff_required(*PUBLISHERS)
def advisor_day() -> tuple[str, int]:
    return _day_page(request.args.get("dag", "")[:10], {"kind": "on_site", "slot_minutes": "30"}, {})


@bp.post("/personal/radgivning/publicera")
@staff_required(*PUBLISHERS)
def publish() -> Response | tuple[str, int]:
    values = {k: request.form.get(k, "") for k in PUBLISH_FIELDS}
    values["group"] = request.form.get("group", "")[:60]
    weekdays = [int(d) for d in request.form.getlist("weekdays") if d.isdigit() and int(d) in WEEKDAYS]
    try:
        minutes = int(values["slot_minutes"] or 0)
    except ValueError:
        minutes = 0
    try:
        made = services().contact.call(
            "PublishSlots",
            pb.PublishSlotsRequest(
                group=values["group"],
                kind=values["kind"],
                weekdays=weekdays,
                start_time=values["start_time"],
                end_time=values["end_time"],
                slot_minutes=minutes,
                from_date=values["from_date"],
                to_date=values["to_date"],
                except_dates=[d.strip() for d in values["except_dates"].replace(",", " ").split()],
                location=values["location"],
            ),
            token=token(),
        )
    except ServiceError as exc:
        values["weekdays"] = ",".join(map(str, weekdays))
        return _day_page("", values, _refused(exc, "kind"), 400)
    flash("booking_published" if made.created else "booking_published_none", "success")
    return redirect(url_for("bookings.advisor_day", dag=values["from_date"]))


@bp.post("/personal/radgivning/extra-tid")
@staff_required(*PUBLISHERS)
def add_extra() -> Response | tuple[str, int]:
    """An exception to the pattern: one extra time."""
    extra = {k: request.form.get(EXTRA + k, "") for k in EXTRA_FIELDS}
    group = request.form.get("group", "")[:60]
    try:
        services().contact.call(
            "AddSlot",
            pb.AddSlotRequest(
                group=group,
                kind=extra["kind"],
                date=extra["date"],
                start_time=extra["start_time"],
                end_time=extra["end_time"],
                location=extra["location"],
            ),
            token=token(),
        )
    except ServiceError as exc:
        errors = {EXTRA + field: text for field, text in _refused(exc, "kind").items()}
        return _day_page(extra["date"][:10], {"kind": "on_site", "slot_minutes": "30"}, errors, 400, extra)
    flash("booking_extra_added", "success")
    return redirect(url_for("bookings.advisor_day", dag=extra["date"]))


@bp.post("/personal/radgivning/ledig-dag")
@staff_required(*PUBLISHERS)
def day_off() -> Response | tuple[str, int]:
    """An exception for a whole day: every coming time withdrawn, its bookings cancelled."""
    day = request.form.get("date", "")[:10]
    try:
        services().contact.call("WithdrawDay", pb.AdvisorDayRequest(date=day), token=token())
    except ServiceError as exc:
        errors = {"day_off": " ".join(_refused(exc, "date").values())}
        return _day_page(day, {"kind": "on_site", "slot_minutes": "30"}, errors, 400)
    flash("booking_day_off", "success")
    return redirect(url_for("bookings.advisor_day", dag=day))


@bp.post("/personal/radgivning/tider/<slot_id>/ta-bort")
@staff_required(*PUBLISHERS)
def withdraw(slot_id: str) -> Response:
    try:
        slot = services().contact.call("WithdrawSlot", pb.SlotRequest(slot_id=_id(slot_id)), token=token())
    except ServiceError as exc:
        if exc.code != grpc.StatusCode.FAILED_PRECONDITION:
            raise
        flash("booking_withdraw_past", "error")
        return redirect(url_for("bookings.advisor_day"))
    flash("booking_withdrawn", "success")
    day = slot.starts_at.ToDatetime(tzinfo=UTC).astimezone(formatting.ZONE).strftime("%Y-%m-%d")
    return redirect(url_for("bookings.advisor_day", dag=day))

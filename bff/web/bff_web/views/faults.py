"""Felanmälan on the web: a logged-in resident reports a fault with its kind, a description, where
it is (a position from the phone's location or typed, or an address) and a photo; it becomes a
contact in BBMT's queue that she follows among her questions. The kinds, the municipality's area and
the photo check live in the contact service; this only composes and maps."""

from __future__ import annotations

import grpc
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from bff_web.i18n import said, said_fields
from bff_web.session import login_required, services, token
from fickan.contact.v1 import contact_pb2 as pb
from fickan_common.grpc_client import ServiceError

bp = Blueprint("faults", __name__)

FIELDS = ("service_code", "description", "lat", "long", "address", "attribute")
# The service's field names (Open311's) shown at the form's fields.
FIELD_OF = {"lat": "position", "long": "position", "address_string": "address", "photo": "photo"}


def _kinds() -> pb.FaultServices:
    return services().contact.call("ListFaultServices", pb.ListFaultServicesRequest())


def _page(values: dict[str, str], errors: dict[str, str], status: int = 200) -> tuple[str, int]:
    kinds = _kinds()
    lang = g.get("lang", "sv")
    html = render_template(
        "faults_report.html",
        kinds=[(k.code, k.name_en if lang == "en" else k.name) for k in kinds.services],
        questions={k.code: k.attributes for k in kinds.services},
        area=kinds.area_name,
        values=values,
        errors=errors,
        logged_in=g.get("principal") is not None and g.principal.is_resident,
    )
    return html, status


@bp.get("/felanmalan")
def form() -> tuple[str, int]:
    return _page({"service_code": request.args.get("typ", "")[:60]}, {})


def _number(value: str) -> float | None:
    try:
        return float(value.replace(",", ".")) if value.strip() else None
    except ValueError:
        return None


@bp.post("/felanmalan")
@login_required
def report() -> Response | tuple[str, int]:
    values = {k: request.form.get(k, "") for k in ("service_code", "description", "lat", "long", "address")}
    errors: dict[str, str] = {}
    lat, long = _number(values["lat"]), _number(values["long"])
    if (values["lat"].strip() and lat is None) or (values["long"].strip() and long is None):
        errors["position"] = "Skriv positionen med siffror, till exempel 56.0465 och 12.6945."
    photo = request.files.get("photo")
    fields: dict = {
        "service_code": values["service_code"][:60],
        "description": values["description"][:4000],
        "address": values["address"][:250],
        "channel": "web",
        "attributes": [
            pb.ReportAttribute(code=key[len("attribute-") :][:60], values=[v[:200] for v in request.form.getlist(key)])
            for key in request.form
            if key.startswith("attribute-")
        ][:30],
    }
    if lat is not None and long is not None:
        fields.update(lat=lat, long=long)
    if photo and photo.filename:
        fields.update(photo_filename=photo.filename[:255], photo=photo.read())
    if not errors:
        try:
            made = services().contact.call("ReportFault", pb.ReportFaultRequest(**fields), token=token())
        except ServiceError as exc:
            if exc.code != grpc.StatusCode.INVALID_ARGUMENT:
                raise
            errors = {FIELD_OF.get(k, k): v for k, v in (said_fields(exc) or {"description": said(exc)}).items()}
    if errors:
        return _page(values, errors, 400)
    flash("fault_reported", "success")
    return redirect(url_for("contact.thread", question_id=made.question_id))

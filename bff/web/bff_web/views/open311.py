"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2), so existing Open311 apps can report
faults to the municipality: discovery, services, a service's definition, requests (list with
filters, one by id) and new requests (form-encoded, with the api_key the municipality gave the app).
JSON or XML by the path's extension; errors as the specification's error list with the right HTTP
status. The rules (kinds, area, keys, the jurisdiction) live in the contact service; this only maps
the format. Published requests never carry anything of who reported them.

jurisdiction_id is accepted on every endpoint that the specification gives it to; Fickan serves one
municipality, so it may be left out, and any other value is 404 (jurisdiction_id not found).

Requests are accepted synchronously: the report is stored, and put in BBMT's queue, before POST
answers, so POST answers with its service_request_id and never a token. tokens/<token> is served
because the specification lists it, and answers 404 in the error format for every token (none is
ever issued)."""

from __future__ import annotations

import json
import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC
from functools import wraps
from typing import Any

import grpc
from flask import Blueprint, Response, request, url_for
from google.protobuf.timestamp_pb2 import Timestamp

from bff_web import formatting
from bff_web.session import services
from fickan.contact.v1 import contact_pb2 as pb
from fickan_bff.errors import http_status, is_unavailable
from fickan_common.grpc_client import ServiceError

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
log = logging.getLogger(__name__)

FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-02T00:00:00Z"  # when this endpoint's behaviour last changed
CONTACT = "Kontaktcenter, Helsingborgs stad (Open311: felanmälan)"
KEY_SERVICE = "Be kommunens kontaktcenter om en api_key för er app."
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]{1,60})\](\[\])?$")
# XML element names of a list and its items.
_ITEMS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}


class Open311Error(Exception):
    def __init__(self, status: int, *descriptions: str) -> None:
        super().__init__(descriptions[0] if descriptions else "")
        self.status = status
        self.descriptions = descriptions


# -- the two formats ---------------------------------------------------------------------------------
def _xml_value(parent: ET.Element, name: str, value: Any) -> None:
    element = ET.SubElement(parent, name)
    if isinstance(value, list):
        for item in value:
            _xml_value(element, _ITEMS.get(name, "item"), item)
    elif isinstance(value, dict):
        for key, inner in value.items():
            _xml_value(element, key, inner)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


def _xml(root: str, value: Any) -> bytes:
    element = ET.Element(root)
    if isinstance(value, list):
        for item in value:
            _xml_value(element, _ITEMS[root], item)
    else:
        for key, inner in value.items():
            _xml_value(element, key, inner)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="utf-8")


def answer(fmt: str, root: str, value: Any, status: int = 200) -> Response:
    body = json.dumps(value, ensure_ascii=False).encode() if fmt == "json" else _xml(root, value)
    response = Response(body, status=status, content_type=FORMATS[fmt])
    response.headers["Access-Control-Allow-Origin"] = "*"  # public data, read by apps and maps
    response.headers["Cache-Control"] = "no-store"
    return response


def errors(fmt: str, status: int, descriptions: tuple[str, ...]) -> Response:
    listed = [{"code": status, "description": d} for d in descriptions] or [{"code": status, "description": ""}]
    return answer(fmt, "errors", listed, status)


def _fmt() -> str:
    """The format the client asked for (the path's extension); JSON when it cannot be told."""
    return "xml" if request.path.endswith(".xml") else "json"


def open311(view: Callable[..., Response]) -> Callable[..., Response]:
    """Every refusal in the specification's error format, never an HTML page."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        try:
            return view(*args, **kwargs)
        except Open311Error as exc:
            return errors(_fmt(), exc.status, exc.descriptions)
        except ServiceError as exc:
            if is_unavailable(exc.code):
                return errors(_fmt(), 503, ("Tjänsten är inte tillgänglig just nu. (Service unavailable.)",))
            status = http_status(exc.code)
            if exc.code == grpc.StatusCode.PERMISSION_DENIED:
                status = 403
            if exc.field_errors:
                return errors(_fmt(), 400, tuple(f"{field}: {text}" for field, text in exc.field_errors.items()))
            if status >= 500:
                log.warning("open311: service call failed", extra={"fields": {"grpc_code": exc.code.name}})
                return errors(_fmt(), 500, ("Något gick fel. (Internal error.)",))
            return errors(_fmt(), status, (exc.message,))

    return wrapper


# -- shapes ------------------------------------------------------------------------------------------
def _time(ts: Timestamp) -> str | None:
    if not formatting.is_set(ts):
        return None
    return ts.ToDatetime(tzinfo=UTC).astimezone(formatting.ZONE).isoformat(timespec="seconds")


def _service(s: pb.FaultService) -> dict[str, Any]:
    return {
        "service_code": s.code,
        "service_name": s.name,
        "description": s.description or None,
        "metadata": bool(s.attributes),
        "type": "realtime",
        "keywords": s.keywords or None,
        "group": s.category or None,
    }


def _definition(s: pb.FaultService) -> dict[str, Any]:
    return {
        "service_code": s.code,
        "attributes": [
            {
                "variable": True,
                "code": a.code,
                "datatype": a.datatype,
                "required": a.required,
                "datatype_description": None,
                "order": a.order,
                "description": a.description,
                "values": [{"key": v.key, "name": v.name} for v in a.values],
            }
            for a in s.attributes
        ],
    }


def _request(r: pb.FaultReport) -> dict[str, Any]:
    """Everything Open311 publishes of a request; nothing of who reported it."""
    return {
        "service_request_id": r.service_request_id,
        "status": r.status,
        "status_notes": r.status_notes or None,
        "service_name": r.service_name,
        "service_code": r.service_code,
        "description": r.description,
        "agency_responsible": r.agency_responsible or None,
        "service_notice": r.service_notice or None,
        "requested_datetime": _time(r.requested_at),
        "updated_datetime": _time(r.updated_at),
        "expected_datetime": None,
        "address": r.address or None,
        "address_id": None,
        "zipcode": None,
        "lat": r.lat if r.HasField("lat") else None,
        "long": r.long if r.HasField("long") else None,
        "media_url": r.media_url or None,
    }


def _jurisdiction() -> str:
    """Open311's jurisdiction_id, from the query or (POST) the form; checked by the contact service."""
    return request.values.get("jurisdiction_id", "")[:100]


def _fault_services() -> pb.FaultServices:
    return services().contact.call("ListFaultServices", pb.ListFaultServicesRequest(jurisdiction_id=_jurisdiction()))


def _number(name: str) -> float | None:
    value = request.form.get(name, "").strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise Open311Error(400, f"{name}: Ange ett tal i WGS84, t.ex. 56.0465. ({name} is not a number.)") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise Open311Error(400, f"{name}: Ange ett tal i WGS84. ({name} is not a number.)")
    return number


def _attributes() -> list[pb.ReportAttribute]:
    found: dict[str, list[str]] = {}
    for key in request.form:
        match = _ATTRIBUTE.match(key)
        if match:
            found.setdefault(match.group(1), []).extend(request.form.getlist(key))
    return [pb.ReportAttribute(code=code, values=values) for code, values in found.items()]


# -- endpoints ---------------------------------------------------------------------------------------
@bp.get("/discovery.<any(json, xml):fmt>")
@open311
def discovery(fmt: str) -> Response:
    endpoint = url_for("open311.discovery", fmt=fmt, _external=True).rsplit("/", 1)[0]
    return answer(
        fmt,
        "discovery",
        {
            "changeset": CHANGESET,
            "contact": CONTACT,
            "key_service": KEY_SERVICE,
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": endpoint,
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": ["application/json", "text/xml"],
                }
            ],
        },
    )


@bp.get("/services.<any(json, xml):fmt>")
@open311
def list_services(fmt: str) -> Response:
    return answer(fmt, "services", [_service(s) for s in _fault_services().services])


@bp.get("/services/<service_code>.<any(json, xml):fmt>")
@open311
def service_definition(service_code: str, fmt: str) -> Response:
    for s in _fault_services().services:
        if s.code == service_code:
            return answer(fmt, "service_definition", _definition(s))
    raise Open311Error(404, f"service_code: Okänd typ av fel: {service_code[:60]}. (Unknown service_code.)")


@bp.get("/requests.<any(json, xml):fmt>")
@open311
def list_requests(fmt: str) -> Response:
    args = request.args

    def listed(name: str) -> list[str]:
        return [v.strip() for v in args.get(name, "").split(",") if v.strip()]

    found = services().contact.call(
        "ListFaultReports",
        pb.ListFaultReportsRequest(
            service_request_ids=listed("service_request_id")[:200],
            service_codes=listed("service_code")[:50],
            start_date=args.get("start_date", "")[:40],
            end_date=args.get("end_date", "")[:40],
            status=args.get("status", "")[:20],
            jurisdiction_id=_jurisdiction(),
        ),
    )
    return answer(fmt, "service_requests", [_request(r) for r in found.reports])


@bp.get("/requests/<service_request_id>.<any(json, xml):fmt>")
@open311
def get_request(service_request_id: str, fmt: str) -> Response:
    found = services().contact.call(
        "GetFaultReport",
        pb.FaultReportRequest(service_request_id=service_request_id[:36], jurisdiction_id=_jurisdiction()),
    )
    return answer(fmt, "service_requests", [_request(found)])


@bp.get("/tokens/<token>.<any(json, xml):fmt>")
@open311
def request_id_of_token(token: str, fmt: str) -> Response:
    _fault_services()  # a jurisdiction_id that is not ours: 404 for that first
    raise Open311Error(
        404,
        f"token: Okänd token {token[:60]!r}. Fickan tar emot felanmälningar direkt: POST svarar med "
        "service_request_id och aldrig med en token. (Unknown token: requests are accepted synchronously, "
        "so POST answers with the service_request_id and never issues a token.)",
    )


@bp.post("/requests.<any(json, xml):fmt>")
@open311
def post_request(fmt: str) -> Response:
    form = request.form
    if not form.get("api_key", "").strip():
        raise Open311Error(403, "api_key: api_key saknas. (api_key is missing.)")
    if not form.get("service_code", "").strip():
        raise Open311Error(400, "service_code: Ange typ av fel. (service_code is missing.)")
    lat, long = _number("lat"), _number("long")
    fields: dict[str, Any] = {
        "api_key": form.get("api_key", "")[:200],
        "service_code": form.get("service_code", "")[:60],
        "address": form.get("address_string", "")[:250],
        "description": form.get("description", "")[:4000],
        "media_url": form.get("media_url", "")[:500],
        "attributes": _attributes()[:30],
        "first_name": form.get("first_name", "")[:100],
        "last_name": form.get("last_name", "")[:100],
        "email": form.get("email", "")[:254],
        "phone": form.get("phone", "")[:40],
        "jurisdiction_id": _jurisdiction(),
    }
    if lat is not None:
        fields["lat"] = lat
    if long is not None:
        fields["long"] = long
    made = services().contact.call("ReportFaultFromOpen311", pb.ReportFaultRequest(**fields))
    # Optional fields are left out rather than null (no account_id: Fickan keeps no Open311 accounts).
    created = {"service_request_id": made.service_request_id}
    if made.service_notice:
        created["service_notice"] = made.service_notice
    return answer(fmt, "service_requests", [created], 201)


@bp.route("/<path:anything>", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
@open311
def unknown(anything: str) -> Response:
    raise Open311Error(404, "Det finns ingen sådan Open311-resurs. (No such resource.)")

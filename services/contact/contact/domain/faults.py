"""Fault reports (felanmälan): the kinds of fault and the area they are accepted from, read from
data/fault_reports.json and checked at start-up, and what a report must be."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

from contact import texts
from fickan_common.errors import NotFound, ValidationFailed
from fickan_common.texts import Text

DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
DESCRIPTION_MAX = 4000
ADDRESS_MAX = 250
_URL = re.compile(r"^https?://[^\s<>\"]{3,490}$")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{5,38}$")
_NUMBER = re.compile(r"^-?[0-9]+([.,][0-9]+)?$")

OUTSIDE = texts.OUTSIDE
FIX = texts.FIX


class FaultDataError(ValueError):
    """The fault reports' data file is not usable (names what is wrong)."""


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str
    required: bool
    description: str
    order: int
    values: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class FaultKind:
    code: str
    name: str
    name_en: str
    description: str
    keywords: str
    category: str
    attributes: tuple[Attribute, ...]


@dataclass(frozen=True)
class Faults:
    group: str
    agency: str
    area_name: str
    polygon: tuple[tuple[float, float], ...]
    kinds: dict[str, FaultKind]
    # Open311's jurisdiction_id: the one municipality this endpoint serves.
    jurisdiction_id: str = ""

    def check_jurisdiction(self, jurisdiction_id: str) -> None:
        """Open311: jurisdiction_id is optional here (one municipality); a wrong one is not found."""
        given = (jurisdiction_id or "").strip()
        if given and given.lower() != self.jurisdiction_id.lower():
            raise NotFound(texts.UNKNOWN_JURISDICTION.format(given=repr(given[:100]), ours=repr(self.jurisdiction_id)))

    def inside(self, lat: float, long: float) -> bool:
        """Is the point inside the area's polygon? (ray casting; the polygon's edges count as inside)"""
        inside = False
        points = self.polygon
        j = len(points) - 1
        for i in range(len(points)):
            (ai, oi), (aj, oj) = points[i], points[j]
            if (oi > long) != (oj > long):
                crossing = ai + (long - oi) * (aj - ai) / (oj - oi)
                if lat < crossing:
                    inside = not inside
            j = i
        return inside


def parse_faults(data: dict[str, Any], groups: set[str]) -> Faults:
    group = data.get("group", "")
    if group not in groups:
        raise FaultDataError(f"fault reports: the group {group!r} is not one of the contact centre's groups")
    polygon = tuple((float(a), float(o)) for a, o in data["area"]["polygon"])
    if len(polygon) < 3:
        raise FaultDataError("fault reports: the area's polygon needs at least three points")
    kinds: dict[str, FaultKind] = {}
    for entry in data["services"]:
        attributes = []
        for a in entry.get("attributes", []):
            if a["datatype"] not in DATATYPES:
                raise FaultDataError(f"fault reports: {entry['code']}.{a['code']}: unknown datatype {a['datatype']!r}")
            values = tuple((v["key"], v["name"]) for v in a.get("values", []))
            attributes.append(
                Attribute(a["code"], a["datatype"], bool(a["required"]), a["description"], int(a["order"]), values)
            )
        kinds[entry["code"]] = FaultKind(
            entry["code"],
            entry["name"],
            entry["name_en"],
            entry.get("description", ""),
            entry.get("keywords", ""),
            entry.get("category", ""),
            tuple(sorted(attributes, key=lambda x: x.order)),
        )
    jurisdiction = str(data.get("jurisdiction_id") or "").strip()
    if not jurisdiction:
        raise FaultDataError("fault reports: 'jurisdiction_id' (Open311, e.g. the municipality's domain) is missing")
    return Faults(group, data["agency"], data["area"]["name"], polygon, kinds, jurisdiction)


def load_faults(path: str, groups: set[str]) -> Faults:
    if path:
        with open(path, encoding="utf-8") as f:
            return parse_faults(json.load(f), groups)
    text = resources.files("contact").joinpath("data/fault_reports.json").read_text(encoding="utf-8")
    return parse_faults(json.loads(text), groups)


@dataclass(frozen=True)
class NewReport:
    kind: FaultKind
    lat: float | None
    long: float | None
    address: str
    description: str
    media_url: str
    attributes: dict[str, list[str]]
    name: str
    email: str
    phone: str


def clean_report(
    faults: Faults,
    service_code: str,
    lat: float | None,
    long: float | None,
    address: str,
    description: str,
    media_url: str,
    attributes: dict[str, list[str]],
    name: str = "",
    email: str = "",
    phone: str = "",
) -> NewReport:
    """The report as stored, or ValidationFailed with one Swedish message per field (Open311's names)."""
    errors: dict[str, Text] = {}
    kind = faults.kinds.get((service_code or "").strip())
    if kind is None:
        errors["service_code"] = texts.UNKNOWN_SERVICE_CODE
    address, description, media_url = (address or "").strip(), (description or "").strip(), (media_url or "").strip()
    if (lat is None) != (long is None):
        errors["lat"] = texts.LAT_AND_LONG
    elif lat is not None and long is not None:
        if not (-90 <= lat <= 90 and -180 <= long <= 180):
            errors["lat"] = texts.NOT_WGS84
        elif not faults.inside(lat, long):
            errors["lat"] = OUTSIDE
    elif not address:
        errors["address_string"] = texts.WHERE_FAULT
    if len(address) > ADDRESS_MAX:
        errors["address_string"] = texts.ADDRESS_AT_MOST.format(max=ADDRESS_MAX)
    if not description:
        errors["description"] = texts.DESCRIBE_FAULT
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = texts.DESCRIPTION_AT_MOST.format(max=DESCRIPTION_MAX)
    if media_url and not _URL.match(media_url):
        errors["media_url"] = texts.MEDIA_URL
    if email and not _EMAIL.match(email.strip()):
        errors["email"] = texts.EMAIL_FORM
    if phone and not _PHONE.match(phone.strip()):
        errors["phone"] = texts.PHONE_FORM
    cleaned: dict[str, list[str]] = {}
    if kind is not None:
        known = {a.code: a for a in kind.attributes}
        for code, values in attributes.items():
            if code not in known and any(v.strip() for v in values):
                errors[f"attribute[{code}]"] = texts.UNKNOWN_ATTRIBUTE
        for a in kind.attributes:
            given = [v.strip() for v in attributes.get(a.code, []) if v.strip()]
            if a.required and not given:
                errors[f"attribute[{a.code}]"] = texts.ANSWER_ATTRIBUTE.format(question=a.description)
            elif given and a.values and any(v not in dict(a.values) for v in given):
                errors[f"attribute[{a.code}]"] = texts.ATTRIBUTE_VALUE
            elif len(given) > 1 and a.datatype != "multivaluelist":
                errors[f"attribute[{a.code}]"] = texts.ONE_VALUE
            elif given and a.datatype == "number" and not _NUMBER.match(given[0]):
                errors[f"attribute[{a.code}]"] = texts.A_NUMBER
            if given:
                cleaned[a.code] = given
    if errors:
        raise ValidationFailed(FIX, errors)
    assert kind is not None
    name, email, phone = (name or "").strip(), (email or "").strip(), (phone or "").strip()
    return NewReport(kind, lat, long, address, description, media_url, cleaned, name, email, phone)

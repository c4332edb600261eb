"""The contact centre as the municipality runs it, read from data/contact_centre.json and checked
at start-up: a wrong group in a topic or a rule stops the service with a message naming it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from contact.domain.routing import Router, RoutingRule

GROUP_KINDS = ("answer_group", "advisory_service")
ADVISORY = "advisory_service"
CASE_UNIT = "case_unit"
# identity's unit codes (a case worker's unit): small letters, digits and hyphens.
_UNIT = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")


class CentreDataError(ValueError):
    """The contact centre's data file is not usable (names what is wrong)."""


@dataclass(frozen=True)
class Group:
    code: str
    kind: str
    name: str
    name_en: str


@dataclass(frozen=True)
class Topic:
    code: str
    group: str  # "" = route by the text
    name: str
    name_en: str


@dataclass(frozen=True)
class Reason:
    code: str
    unnecessary: bool
    name: str
    name_en: str


@dataclass(frozen=True)
class Centre:
    groups: dict[str, Group]
    topics: dict[str, Topic]
    reasons: dict[str, Reason]
    router: Router
    default_group: str
    baseline_unnecessary_per_year: int
    # Case workers' units that residents may book a meeting with (kind "case_unit"); not contact
    # groups: no queue, no routing, not on the wall.
    case_units: dict[str, Group] = field(default_factory=dict)

    def group_name(self, code: str) -> str:
        group = self.groups.get(code) or self.case_units.get(code)
        return group.name if group else code

    def bookable(self, code: str) -> Group | None:
        """An advisory service or a case workers' unit: whose times residents book."""
        group = self.groups.get(code)
        if group is not None and group.kind == ADVISORY:
            return group
        return self.case_units.get(code)


def _text(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CentreDataError(f"{where}: '{key}' must be a non-empty text")
    return value.strip()


def parse_centre(data: dict[str, Any]) -> Centre:
    groups: dict[str, Group] = {}
    for entry in data.get("groups") or []:
        code = _text(entry, "code", "groups")
        if entry.get("kind") not in GROUP_KINDS:
            raise CentreDataError(f"group {code}: kind must be one of {', '.join(GROUP_KINDS)}")
        groups[code] = Group(code, entry["kind"], _text(entry, "name", code), _text(entry, "name_en", code))
    if not groups:
        raise CentreDataError("no groups")
    topics: dict[str, Topic] = {}
    for entry in data.get("topics") or []:
        code = _text(entry, "code", "topics")
        group = str(entry.get("group") or "")
        if group and group not in groups:
            raise CentreDataError(f"topic {code}: unknown group {group!r}")
        topics[code] = Topic(code, group, _text(entry, "name", code), _text(entry, "name_en", code))
    reasons: dict[str, Reason] = {}
    for entry in data.get("reasons") or []:
        code = _text(entry, "code", "reasons")
        if not isinstance(entry.get("unnecessary"), bool):
            raise CentreDataError(f"reason {code}: 'unnecessary' must be true or false")
        reasons[code] = Reason(code, entry["unnecessary"], _text(entry, "name", code), _text(entry, "name_en", code))
    if not reasons:
        raise CentreDataError("no contact reasons")
    default_group = str(data.get("default_group") or "")
    if default_group not in groups:
        raise CentreDataError(f"default_group {default_group!r} is not a group")
    routing = data.get("routing") or {}
    rules = []
    for code, rule in (routing.get("rules") or {}).items():
        if code not in groups:
            raise CentreDataError(f"routing rule for unknown group {code!r}")
        rules.append(
            RoutingRule(
                group=code,
                phrases=tuple(p.lower() for p in rule.get("phrases") or ()),
                words=tuple(w.lower() for w in rule.get("words") or ()),
            )
        )
    router = Router(
        rules, int(routing.get("phrase_weight", 3)), int(routing.get("word_weight", 1)), default_group=default_group
    )
    baseline = data.get("baseline_unnecessary_per_year")
    if not isinstance(baseline, int) or baseline < 0:
        raise CentreDataError("baseline_unnecessary_per_year must be a whole number ≥ 0")
    case_units: dict[str, Group] = {}
    for entry in data.get("case_units") or []:
        code = _text(entry, "code", "case_units")
        if not _UNIT.match(code) or code in groups:
            raise CentreDataError(f"case unit {code!r}: a unit code (small letters, digits, hyphens), not a group's")
        case_units[code] = Group(code, CASE_UNIT, _text(entry, "name", code), _text(entry, "name_en", code))
    return Centre(groups, topics, reasons, router, default_group, baseline, case_units)


def load_centre(path: str = "") -> Centre:
    """The centre from `path`, or the packaged data file."""
    if path:
        with open(path, encoding="utf-8") as f:
            return parse_centre(json.load(f))
    return _packaged()


@lru_cache(maxsize=1)
def _packaged() -> Centre:
    text = resources.files("contact").joinpath("data/contact_centre.json").read_text(encoding="utf-8")
    return parse_centre(json.loads(text))

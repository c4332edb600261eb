"""The case lifecycle (the thin first part of it) and what the resident reads about it."""

from __future__ import annotations

from fickan_common.errors import Conflict, PermissionDenied, StaleVersion
from fickan_common.tokens import Principal

DRAFT = "draft"
SUBMITTED = "submitted"

STATUS_TEXT = {
    DRAFT: "Utkast – inte skickad än",
    SUBMITTED: "Skickad – vi har tagit emot din ansökan",
}

# status -> statuses it may move to. Illegal moves are refused.
TRANSITIONS = {DRAFT: {SUBMITTED}, SUBMITTED: set()}


def require_resident(principal: Principal) -> None:
    if not principal.is_resident:
        raise PermissionDenied("Bara invånare kan göra det här.")


NOT_YOURS = "Du har inte behörighet till den här ansökan."
OTHER_UNIT = "Ärendet hör till en annan enhet än din."


def require_owner(principal: Principal, applicant_id: str) -> None:
    """Changes to a draft are the applicant's alone."""
    if principal.user_id != applicant_id:
        raise PermissionDenied(NOT_YOURS)


def resident_role(principal: Principal, applicant_id: str, co_applicant_id: str | None) -> str:
    """The caller's part in a case: applicant or co_applicant; refused otherwise."""
    if principal.user_id == applicant_id:
        return "applicant"
    if co_applicant_id and principal.user_id == co_applicant_id:
        return "co_applicant"
    raise PermissionDenied(NOT_YOURS)


def require_case_worker_of(principal: Principal, unit: str, status: str) -> None:
    """Staff see submitted cases of their own unit only; a draft is the resident's own business."""
    if not principal.has_role("case_worker") or not principal.unit:
        raise PermissionDenied("Det här får bara handläggare göra.")
    if status == DRAFT or unit != principal.unit:
        raise PermissionDenied(OTHER_UNIT)


def require_version(current: int, expected: int) -> None:
    """expected 0 means the client does not check (first save from a fresh client)."""
    if expected and expected != current:
        raise StaleVersion("Ansökan har ändrats på en annan enhet. Ladda om sidan för att se de senaste svaren.")


def transition(current: str, target: str) -> str:
    if target not in TRANSITIONS.get(current, set()):
        if current == SUBMITTED and target == SUBMITTED:
            raise Conflict("Ansökan är redan skickad.")
        raise Conflict(f"Ansökan kan inte gå från {current} till {target}.")
    return target

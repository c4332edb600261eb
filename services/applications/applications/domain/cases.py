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


def require_owner(principal: Principal, applicant_id: str) -> None:
    if principal.user_id != applicant_id:
        raise PermissionDenied("Du har inte behörighet till den här ansökan.")


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

"""The case lifecycle refuses illegal moves."""

from __future__ import annotations

import pytest

from applications.domain import cases
from fickan_common.errors import Conflict, PermissionDenied, StaleVersion
from fickan_common.tokens import Principal


def test_a_draft_can_be_submitted_once():
    assert cases.transition(cases.DRAFT, cases.SUBMITTED) == cases.SUBMITTED
    with pytest.raises(Conflict, match="redan skickad"):
        cases.transition(cases.SUBMITTED, cases.SUBMITTED)


def test_a_submitted_application_cannot_go_back_to_draft():
    with pytest.raises(Conflict):
        cases.transition(cases.SUBMITTED, cases.DRAFT)


def test_only_the_applicant_owns_the_case():
    cases.require_owner(Principal("u1", ("resident",)), "u1")
    with pytest.raises(PermissionDenied):
        cases.require_owner(Principal("u2", ("resident",)), "u1")


def test_staff_cannot_apply_as_residents():
    with pytest.raises(PermissionDenied):
        cases.require_resident(Principal("s1", ("case_worker",)))


def test_a_stale_version_is_detected():
    cases.require_version(3, 3)
    cases.require_version(3, 0)
    with pytest.raises(StaleVersion):
        cases.require_version(4, 3)

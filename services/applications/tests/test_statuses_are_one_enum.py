"""A case's status is the contract's ApplicationStatus enum, one value per status of the state
machine, each with its texts; what a caller may do in a status (the can_* fields) is what the state
machine lets the commands do, so a client never needs a list of statuses of its own."""

from __future__ import annotations

import pytest

from applications.api import status_value
from applications.domain import cases
from applications.service import SIGNABLE
from fickan.applications.v1 import applications_pb2 as pb
from fickan_common.errors import Conflict

PREFIX = "APPLICATION_STATUS_"


def moves(status: str, target: str) -> bool:
    try:
        cases.transition(status, target)
    except Conflict:
        return False
    return True


def test_every_status_of_the_service_is_one_enum_value_and_back():
    values = {status_value(status) for status in cases.STATUSES}
    assert len(values) == len(cases.STATUSES)
    contract = {v for v in pb.ApplicationStatus.values() if v != pb.APPLICATION_STATUS_UNSPECIFIED}
    assert values == contract
    # The words the events carry (and the JSON APIs give) are the enum's names in lower case.
    assert {pb.ApplicationStatus.Name(v).removeprefix(PREFIX).lower() for v in contract} == set(cases.STATUSES)


@pytest.mark.parametrize("value", [v for v in pb.ApplicationStatus.values() if v != pb.APPLICATION_STATUS_UNSPECIFIED])
def test_every_enum_value_has_its_texts_in_swedish_and_english(value):
    status = pb.ApplicationStatus.Name(value).removeprefix(PREFIX).lower()
    for texts in (cases.STATUS_TEXT, cases.TIMELINE_TEXT):
        assert texts[status].sv and texts[status].en and texts[status].sv != texts[status].en
    staff = cases.staff_text_of(status)
    assert staff.sv and staff.en


@pytest.mark.parametrize("status", cases.STATUSES)
def test_what_a_resident_may_do_is_what_the_state_machine_allows(status):
    for role in cases.RESIDENT_ROLES:
        allowed = cases.allowed(status, role)
        assert allowed.withdraw == moves(status, cases.WITHDRAWN)
        assert allowed.edit == (role == "applicant" and status in SIGNABLE)
        assert not (allowed.start_work or allowed.request_completion or allowed.decide)
        assert not (allowed.schedule_payment or allowed.close)


@pytest.mark.parametrize("status", cases.STATUSES)
def test_what_a_case_worker_may_do_is_what_the_state_machine_allows(status):
    for outcome in ("", "approved", "partly_approved", "rejected"):
        overdue = cases.allowed(status, "staff", outcome, overdue=True)
        waiting = cases.allowed(status, "staff", outcome, overdue=False)
        assert overdue.start_work == moves(status, cases.IN_PROGRESS)
        assert overdue.request_completion == moves(status, cases.COMPLETION_REQUESTED)
        assert overdue.decide == moves(status, cases.DECIDED)
        # A case waiting for the resident is decided only once the due date passed.
        assert waiting.decide == (moves(status, cases.DECIDED) and status not in cases.WAITING_FOR_RESIDENT)
        assert overdue.schedule_payment == (moves(status, cases.PAYMENT_SCHEDULED) and outcome != "rejected")
        assert overdue.close == (status == cases.DECIDED and outcome == "rejected")
        assert not (overdue.edit or overdue.withdraw)
    assert cases.allowed(status, "someone_else") == cases.Allowed()


def test_the_residents_act_while_a_draft_a_signature_or_a_completion_waits_for_them():
    acting = {s for s in cases.STATUSES if s in cases.RESIDENTS_ACT}
    assert acting == {cases.DRAFT, cases.SIGNATURE_PENDING, cases.COMPLETION_REQUESTED, cases.RANDOM_CHECK}

"""The desk shows who a case is about: the applicant's and co-applicant's names (from their BankID
logins when they signed) and masked personnummer (identity gave each to themselves at signing), the
household at a glance and the time left — to the case workers of the case's unit only, each read
recorded for the access log of every resident shown; and staff wording, not the resident's."""

# ruff: noqa: F811 - test functions take the imported `desk` fixture as their argument
from __future__ import annotations

import uuid

import grpc
import pytest
from sqlalchemy import select

from applications.store import OUTBOX
from fickan.applications.v1 import applications_pb2 as pb
from fickan.identity.events.v1 import events_pb2 as identity_events
from fickan_common.events import parse_data

from .case_helpers import UNIT
from .test_every_case_change_happens_once import Desk, desk  # noqa: F401

KARIN = {"roles": ("resident", "case_worker"), "unit": UNIT, "name": "Karin Berg"}


def household_case(desk: Desk) -> tuple[str, str, str]:
    """Anna applies with her partner Sara (and a child of 5); both sign. (case id, anna, sara)"""
    anna = str(uuid.uuid4())
    draft = desk.draft(anna, partner=True)
    request = pb.SubmitRequest(
        application_id=draft.application_id,
        expected_version=draft.version,
        signature_id=desk.signature(anna, draft.application_id),
    )
    desk.identity.numbers[anna] = "19900101-****"
    pending = desk.stub.Submit(request, metadata=desk.auth(anna, name="Anna Andersson"))
    sara = pending.co_applicant_id
    desk.identity.numbers[sara] = "19900102-****"
    sign = pb.SignRequest(application_id=draft.application_id, signature_id=desk.signature(sara, draft.application_id))
    desk.stub.Sign(sign, metadata=desk.auth(sara, name="Sara Andersson"))
    return draft.application_id, anna, sara


def reads(desk: Desk) -> list[identity_events.ResidentDataAccessed]:
    with desk.db.read() as session:
        envelopes = (
            session.execute(
                select(OUTBOX.table.c.envelope).where(OUTBOX.table.c.event_type == "resident_data_accessed")
            )
            .scalars()
            .all()
        )
    return [parse_data(e, identity_events.ResidentDataAccessed) for e in envelopes]


def test_the_units_case_worker_sees_names_numbers_household_and_time_left(desk: Desk) -> None:
    case_id, anna, sara = household_case(desk)
    queue = desk.stub.ListUnitCases(pb.ListUnitCasesRequest(), metadata=desk.auth("karin", **KARIN)).cases
    [listed] = [c for c in queue if c.application_id == case_id]
    assert (listed.applicant_name, listed.co_applicant_name) == ("Anna Andersson", "Sara Andersson")
    assert (listed.applicant_masked_personnummer, listed.co_applicant_masked_personnummer) == (
        "19900101-****",
        "19900102-****",
    )
    assert listed.household_adults == 2 and listed.household_children == 1
    assert list(listed.household_children_ages) == [5]
    assert listed.due_at.seconds > 0
    [queue_read] = reads(desk)
    assert sorted(queue_read.subject_ids) == sorted([anna, sara]) and queue_read.resource == f"queue:{UNIT}"

    opened = desk.stub.GetCase(pb.GetCaseRequest(application_id=case_id), metadata=desk.auth("karin", **KARIN))
    assert opened.applicant_name == "Anna Andersson" and opened.co_applicant_masked_personnummer == "19900102-****"
    case_read = reads(desk)[-1]
    assert sorted(case_read.subject_ids) == sorted([anna, sara])
    assert case_read.resource == f"application:{case_id}" and "namn, personnummer" in case_read.description


def test_nobody_else_sees_them_and_nothing_is_recorded_for_a_refusal(desk: Desk) -> None:
    case_id, _, sara = household_case(desk)
    other_unit = {"roles": ("resident", "case_worker"), "unit": "aldreomsorg", "name": "Olle"}
    assert desk.stub.ListUnitCases(pb.ListUnitCasesRequest(), metadata=desk.auth("olle", **other_unit)).cases == []
    for user, claims in (
        ("olle", other_unit),
        ("vera", {"roles": ("resident", "contact_agent"), "name": "Vera"}),
        ("admin", {"roles": ("resident", "admin"), "name": "Adam"}),
        (str(uuid.uuid4()), {}),
    ):
        with pytest.raises(grpc.RpcError) as refused:
            desk.stub.GetCase(pb.GetCaseRequest(application_id=case_id), metadata=desk.auth(user, **claims))
        assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
        if claims.get("unit") != "aldreomsorg":
            with pytest.raises(grpc.RpcError) as listing:
                desk.stub.ListUnitCases(pb.ListUnitCasesRequest(), metadata=desk.auth(user, **claims))
            assert listing.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert reads(desk) == []
    # The residents read their own case; the masked numbers are for the desk only.
    own = desk.stub.GetApplication(pb.GetApplicationRequest(application_id=case_id), metadata=desk.auth(sara))
    assert own.co_applicant_masked_personnummer == "" and own.applicant_masked_personnummer == ""


def test_the_desk_reads_in_staff_wording(desk: Desk) -> None:
    case_id, _, _ = household_case(desk)
    opened = desk.stub.GetCase(pb.GetCaseRequest(application_id=case_id), metadata=desk.auth("karin", **KARIN))
    texts = [entry.text for entry in opened.timeline]
    assert "Den sökande skrev under. Medsökande behövde skriva under med BankID." in texts
    assert not any(text.startswith(("Du ", "Din ")) for text in texts)
    requested = desk.stub.RequestCompletion(
        pb.RequestCompletionRequest(application_id=case_id, items=["Lönebesked"], due_date="2026-12-02"),
        metadata=desk.auth("karin", **KARIN),
    )
    assert requested.status_text == "Komplettering begärd – väntar på den sökande"
    resident_view = desk.stub.GetApplication(
        pb.GetApplicationRequest(application_id=case_id), metadata=desk.auth(requested.applicant_id)
    )
    assert resident_view.status_text == "Komplettering behövs – vi väntar på dig"

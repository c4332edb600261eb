"""Who may read a case, enforced by the service from the token itself: the applicant and the
co-applicant, a case worker of the case's unit (and every such read lands in the outbox as an
access record for the access log), nobody else; a watch's glance token sees statuses only."""

from __future__ import annotations

import uuid

import grpc
import pytest
from sqlalchemy import select

from applications.store import OUTBOX, Application
from fickan.applications.v1 import applications_pb2 as pb
from fickan.identity.events.v1 import events_pb2 as identity_events
from fickan_common.events import parse_data

from .test_forms import COMPLETE

KIND = "ekonomiskt_bistand"
UNIT = "ekonomiskt-bistand"


def md(token):
    return [("authorization", f"Bearer {token}")]


def code_of(call):
    with pytest.raises(grpc.RpcError) as err:
        call()
    return err.value.code(), err.value.details()


def submitted_case(running, applicant, co_applicant=None):
    token = running.tokens.token(applicant)
    draft = running.stub.CreateDraft(pb.CreateDraftRequest(kind=KIND), metadata=md(token))
    running.stub.SaveAnswers(
        pb.SaveAnswersRequest(application_id=draft.application_id, answers=COMPLETE), metadata=md(token)
    )
    running.stub.Submit(pb.SubmitRequest(application_id=draft.application_id), metadata=md(token))
    if co_applicant:
        with running.db.transaction() as session:
            session.get(Application, draft.application_id).co_applicant_id = co_applicant
    return draft.application_id


def access_records(running):
    with running.db.transaction() as session:
        envelopes = session.execute(select(OUTBOX.table.c.envelope)).scalars().all()
    return [
        parse_data(e, identity_events.ResidentDataAccessed)
        for e in envelopes
        if e["event_type"] == "resident_data_accessed"
    ]


def test_the_co_applicant_reads_the_case_and_finds_it_among_theirs(running):
    applicant, partner = str(uuid.uuid4()), str(uuid.uuid4())
    case_id = submitted_case(running, applicant, partner)
    partner_token = running.tokens.token(partner)
    got = running.stub.GetApplication(pb.GetApplicationRequest(application_id=case_id), metadata=md(partner_token))
    assert got.role == "co_applicant" and got.unit == UNIT
    listed = running.stub.ListMyApplications(pb.ListMyApplicationsRequest(), metadata=md(partner_token)).applications
    assert [(a.application_id, a.role) for a in listed] == [(case_id, "co_applicant")]
    # reading is shared; changing the applicant's answers is not
    code, _ = code_of(
        lambda: running.stub.SaveAnswers(
            pb.SaveAnswersRequest(application_id=case_id, answers={"other": "x"}), metadata=md(partner_token)
        )
    )
    assert code == grpc.StatusCode.PERMISSION_DENIED


def test_a_case_worker_of_the_unit_opens_the_case_and_the_read_is_recorded(running):
    applicant, partner = str(uuid.uuid4()), str(uuid.uuid4())
    case_id = submitted_case(running, applicant, partner)
    worker = running.tokens.token("worker-1", roles=("resident", "case_worker"), unit=UNIT, name="Karin")
    queue = running.stub.ListUnitCases(pb.ListUnitCasesRequest(), metadata=md(worker)).cases
    assert [c.application_id for c in queue] == [case_id] and dict(queue[0].answers) == {}
    # the queue shows no answers, but whom each case is about: that read is recorded for each of them
    [listed] = access_records(running)
    assert sorted(listed.subject_ids) == sorted([applicant, partner])
    assert (listed.resource, listed.description) == (f"queue:{UNIT}", "Namn och personnummer i enhetens ärendelista")
    case = running.stub.GetCase(pb.GetCaseRequest(application_id=case_id, reason="Ny ansökan"), metadata=md(worker))
    assert dict(case.answers) == COMPLETE and case.role == "staff"
    _, record = access_records(running)
    assert sorted(record.subject_ids) == sorted([applicant, partner])
    assert (record.actor_id, record.actor_name, record.actor_role, record.actor_unit) == (
        "worker-1",
        "Karin",
        "case_worker",
        UNIT,
    )
    assert (record.action, record.resource, record.reason) == ("read", f"application:{case_id}", "Ny ansökan")
    assert running.kicked[-1]  # published at once, like every event


def test_a_case_worker_outside_the_unit_is_refused_and_nothing_is_recorded(running):
    case_id = submitted_case(running, str(uuid.uuid4()))
    other = running.tokens.token("worker-2", roles=("resident", "case_worker"), unit="aldreomsorg")
    code, details = code_of(lambda: running.stub.GetCase(pb.GetCaseRequest(application_id=case_id), metadata=md(other)))
    assert code == grpc.StatusCode.PERMISSION_DENIED and "annan enhet" in details
    assert running.stub.ListUnitCases(pb.ListUnitCasesRequest(), metadata=md(other)).cases == []
    assert access_records(running) == []


def test_residents_admins_and_agents_cannot_open_cases_as_staff(running):
    case_id = submitted_case(running, str(uuid.uuid4()))
    for roles in (("resident",), ("resident", "admin"), ("resident", "contact_agent")):
        token = running.tokens.token(roles=roles, unit=UNIT)
        assert code_of(lambda t=token: running.stub.GetCase(pb.GetCaseRequest(application_id=case_id), metadata=md(t)))[
            0
        ] == (grpc.StatusCode.PERMISSION_DENIED)
        assert code_of(lambda t=token: running.stub.ListUnitCases(pb.ListUnitCasesRequest(), metadata=md(t)))[0] == (
            grpc.StatusCode.PERMISSION_DENIED
        )


def test_a_draft_is_not_shown_to_staff_even_in_the_unit(running):
    token = running.tokens.token()
    draft = running.stub.CreateDraft(pb.CreateDraftRequest(kind=KIND), metadata=md(token))
    worker = running.tokens.token(roles=("resident", "case_worker"), unit=UNIT)
    code, _ = code_of(
        lambda: running.stub.GetCase(pb.GetCaseRequest(application_id=draft.application_id), metadata=md(worker))
    )
    assert code == grpc.StatusCode.PERMISSION_DENIED


def test_a_watch_sees_statuses_without_answers_and_nothing_else(running):
    user = str(uuid.uuid4())
    case_id = submitted_case(running, user)
    glance = running.tokens.token(user, device="watch", scope="glance")
    listed = running.stub.ListMyApplications(pb.ListMyApplicationsRequest(), metadata=md(glance)).applications
    assert [(a.application_id, a.status) for a in listed] == [(case_id, pb.APPLICATION_STATUS_SUBMITTED)]
    assert dict(listed[0].answers) == {}
    code, details = code_of(
        lambda: running.stub.GetApplication(pb.GetApplicationRequest(application_id=case_id), metadata=md(glance))
    )
    assert code == grpc.StatusCode.PERMISSION_DENIED and "Klockan" in details

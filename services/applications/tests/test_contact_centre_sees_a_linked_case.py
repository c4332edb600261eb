"""A contact-centre agent answering a question linked to a case sees its status, the resident's next
step and the time left, through gRPC; every read is in the resident's access log; no one else may."""

from __future__ import annotations

import uuid

import grpc

from fickan.applications.v1 import applications_pb2 as pb

from .test_who_may_read_a_case import access_records, code_of, md, submitted_case


def agent(running, group: str = "ÄSSF") -> str:
    return running.tokens.token(
        str(uuid.uuid4()), roles=("resident", "contact_agent"), name="Vera Vägledare", group=group
    )


def test_an_agent_sees_the_status_next_step_and_time_left_and_the_read_is_logged(running) -> None:
    applicant = str(uuid.uuid4())
    case_id = submitted_case(running, applicant)
    question_id = str(uuid.uuid4())

    glance = running.stub.GetCaseGlanceForContact(
        pb.GetCaseGlanceForContactRequest(application_id=case_id, question_id=question_id), metadata=md(agent(running))
    )

    assert glance.has_case and glance.application_id == case_id
    assert glance.status_text and glance.next_action and glance.status_text_en
    assert glance.seconds_to_decision > 0
    [record] = access_records(running)
    assert list(record.subject_ids) == [applicant]
    assert (record.actor_role, record.action, record.actor_name) == ("contact_agent", "read", "Vera Vägledare")
    assert question_id in record.reason


def test_a_resident_or_a_case_worker_cannot_read_another_case_through_the_contact_view(running) -> None:
    case_id = submitted_case(running, str(uuid.uuid4()))
    for token in (running.tokens.token(), running.tokens.token(roles=("case_worker",), unit="ekonomiskt-bistand")):
        code, _ = code_of(
            lambda t=token: running.stub.GetCaseGlanceForContact(
                pb.GetCaseGlanceForContactRequest(application_id=case_id), metadata=md(t)
            )
        )
        assert code == grpc.StatusCode.PERMISSION_DENIED
    assert access_records(running) == []


def test_an_unknown_case_is_not_found(running) -> None:
    code, _ = code_of(
        lambda: running.stub.GetCaseGlanceForContact(
            pb.GetCaseGlanceForContactRequest(application_id=str(uuid.uuid4())), metadata=md(agent(running))
        )
    )
    assert code == grpc.StatusCode.NOT_FOUND

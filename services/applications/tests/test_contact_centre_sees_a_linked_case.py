"""A contact-centre agent answering a question linked to a case sees its status, the resident's next
step and the time left, through gRPC; every read is in the resident's access log; no one else may,
and an agent sees only the case a question of their own group is about (contact says which).

Contact is not part of this service's suite (it must run alone), so a small contact servicer on a
loopback gRPC server answers GetCaseLink here, by the same rule as contact's (its own suite tests
that rule; tests/e2e/test_contact_centre_one_way_in.py has the two real services together)."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator

import grpc
import pytest

from applications.contact_links import ContactLinks
from fickan.applications.v1 import applications_pb2 as pb
from fickan.contact.v1 import contact_pb2, contact_pb2_grpc
from fickan_common.errors import NotFound, PermissionDenied
from fickan_common.grpc_server import build_server, current_principal

from .test_who_may_read_a_case import access_records, code_of, md, submitted_case


class QuestionsOfContact(contact_pb2_grpc.ContactServiceServicer):
    """question id -> (answer group, linked case), as contact keeps them."""

    def __init__(self) -> None:
        self.questions: dict[str, tuple[str, str]] = {}

    def GetCaseLink(self, request, context):  # noqa: N802
        principal = current_principal()
        if request.question_id not in self.questions:
            raise NotFound("Frågan finns inte.")
        group, application_id = self.questions[request.question_id]
        if not principal.has_role("contact_agent") or principal.group != group:
            raise PermissionDenied("Frågan hör till en annan svarsgrupp.")
        return contact_pb2.CaseLink(question_id=request.question_id, application_id=application_id)


@pytest.fixture
def contact(running) -> Iterator[QuestionsOfContact]:
    servicer = QuestionsOfContact()

    def register(server: grpc.Server) -> list[str]:
        contact_pb2_grpc.add_ContactServiceServicer_to_server(servicer, server)
        return ["fickan.contact.v1.ContactService"]

    server, port = build_server(register, 0, running.tokens.verifier(), host="127.0.0.1")
    running.applications.links = ContactLinks(f"127.0.0.1:{port}")
    yield servicer
    server.stop(0)


def agent(running, group: str = "ÄSSF") -> str:
    return running.tokens.token(
        str(uuid.uuid4()), roles=("resident", "contact_agent"), name="Vera Vägledare", group=group
    )


def glance(running, token: str, case_id: str, question_id: str = ""):  # type: ignore[no-untyped-def]
    request = pb.GetCaseGlanceForContactRequest(application_id=case_id, question_id=question_id)
    return running.stub.GetCaseGlanceForContact(request, metadata=md(token))


def test_an_agent_sees_the_status_next_step_and_time_left_and_the_read_is_logged(running, contact) -> None:
    applicant = str(uuid.uuid4())
    case_id = submitted_case(running, applicant)
    question_id = str(uuid.uuid4())
    contact.questions[question_id] = ("ÄSSF", case_id)

    seen = glance(running, agent(running), case_id, question_id)

    assert seen.has_case and seen.application_id == case_id
    assert seen.status_text and seen.next_action and seen.status_text_en
    assert seen.seconds_to_decision > 0
    [record] = access_records(running)
    assert list(record.subject_ids) == [applicant]
    assert (record.actor_role, record.action, record.actor_name) == ("contact_agent", "read", "Vera Vägledare")
    # Every resident of the case reads this record: it names no question (it may be the other's).
    assert question_id not in record.reason and "kontaktcenter" in record.reason


def test_an_agent_cannot_read_a_case_no_question_of_their_group_is_about(running, contact) -> None:
    case_id, other_case = submitted_case(running, str(uuid.uuid4())), submitted_case(running, str(uuid.uuid4()))
    about_other, of_bbmt = str(uuid.uuid4()), str(uuid.uuid4())
    contact.questions[about_other] = ("ÄSSF", other_case)
    contact.questions[of_bbmt] = ("BBMT", case_id)
    vera = agent(running)
    for question_id in ("", about_other, of_bbmt):
        code, details = code_of(lambda q=question_id: glance(running, vera, case_id, q))
        assert code == grpc.StatusCode.PERMISSION_DENIED, question_id
        assert details
    code, _ = code_of(lambda: glance(running, vera, case_id, str(uuid.uuid4())))
    assert code == grpc.StatusCode.NOT_FOUND  # (a question contact does not know)
    assert access_records(running) == []


def test_a_resident_or_a_case_worker_cannot_read_another_case_through_the_contact_view(running, contact) -> None:
    case_id = submitted_case(running, str(uuid.uuid4()))
    question_id = str(uuid.uuid4())
    contact.questions[question_id] = ("ÄSSF", case_id)
    for token in (running.tokens.token(), running.tokens.token(roles=("case_worker",), unit="ekonomiskt-bistand")):
        code, _ = code_of(lambda t=token: glance(running, t, case_id, question_id))
        assert code == grpc.StatusCode.PERMISSION_DENIED
    assert access_records(running) == []


def test_an_agent_is_told_clearly_when_contact_does_not_answer(running) -> None:
    case_id = submitted_case(running, str(uuid.uuid4()))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        nobody = s.getsockname()[1]
    running.applications.links = ContactLinks(f"127.0.0.1:{nobody}", timeout=1.0)
    code, details = code_of(lambda: glance(running, agent(running), case_id, str(uuid.uuid4())))
    assert code == grpc.StatusCode.UNAVAILABLE and "svarar inte" in details
    assert access_records(running) == []

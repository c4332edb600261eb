"""The contact centre's one way in, through the real grpcio server and the generated stub: a
resident's question routed and linked to her open case, an agent of the group replying and closing
with a contact reason, the thread as each side sees it, guests, registered telephone contacts, moves,
and who may see what."""

from __future__ import annotations

import uuid
from typing import Any

import grpc
import pytest
from sqlalchemy import select

from contact.handlers import handle_case_status_changed
from contact.store import OUTBOX, Question
from contact.testing import case_moved
from fickan.contact.events.v1 import events_pb2
from fickan.contact.v1 import contact_pb2 as pb
from fickan.contact.v1 import contact_pb2_grpc as pb_grpc
from fickan.identity.events.v1 import events_pb2 as identity_events
from fickan_common.db import Database
from fickan_common.events import envelope, parse_data
from fickan_common.grpc_server import FIELD_ERRORS_KEY
from fickan_common.testing import TokenFactory

RESIDENT = str(uuid.uuid4())


def md(token: str) -> list[tuple[str, str]]:
    return [("authorization", f"Bearer {token}")]


def field_errors(error: grpc.RpcError) -> dict[str, str]:
    import json

    for key, value in error.trailing_metadata() or ():
        if key == FIELD_ERRORS_KEY:
            return json.loads(value)
    return {}


def events(db: Database, event_type: str) -> list[dict[str, Any]]:
    with db.read() as session:
        rows = [r[0] for r in session.execute(select(OUTBOX.table.c.envelope).order_by(OUTBOX.table.c.id))]
    return [e for e in rows if e["event_type"] == event_type]


@pytest.fixture
def resident(tokens: TokenFactory) -> str:
    return tokens.token(RESIDENT, name="Anna Andersson")


@pytest.fixture
def vera(tokens: TokenFactory) -> str:
    return tokens.token(str(uuid.uuid4()), roles=("resident", "contact_agent"), name="Vera Vägledare", group="ÄSSF")


@pytest.fixture
def bengt(tokens: TokenFactory) -> str:
    return tokens.token(str(uuid.uuid4()), roles=("resident", "contact_agent"), name="Bengt Bygg", group="BBMT")


def ask(
    stub: pb_grpc.ContactServiceStub, token: str, body: str, topic: str = "", subject: str = "Fråga"
) -> pb.Question:
    request = pb.AskQuestionRequest(subject=subject, body=body, channel="web", topic=topic)
    return stub.AskQuestion(request, metadata=md(token), timeout=5)


def open_case(db: Database, application_id: str, status: str = "submitted", open: bool = True) -> None:
    """Applications' event for the case (`open` is what applications says of the status)."""
    case_moved(db, application_id, [RESIDENT], status, open=open, sent=True)


def test_a_question_about_her_application_is_routed_to_assf_and_linked_to_her_open_case(
    db: Database, stub: pb_grpc.ContactServiceStub, resident: str
) -> None:
    case_id = str(uuid.uuid4())
    open_case(db, case_id)

    question = ask(stub, resident, "Har min ansökan om ekonomiskt bistånd blivit beslutad?")

    assert (question.group, question.group_name) == ("ÄSSF", "Äldreomsorg, stöd och sociala frågor")
    assert question.application_id == case_id
    assert (question.status, question.status_text, question.status_text_en) == ("received", "Mottagen", "Received")
    [received] = events(db, "question_received")
    event = parse_data(received, events_pb2.QuestionReceived)
    assert (event.group, event.application_id, event.asker_id) == ("ÄSSF", case_id, RESIDENT)
    [routed] = events(db, "question_routed")
    assert parse_data(routed, events_pb2.QuestionRouted).routed_by == "text"


def test_a_question_asked_from_a_case_page_is_linked_to_that_case_and_only_if_it_is_hers(
    db: Database, stub: pb_grpc.ContactServiceStub, resident: str, tokens: TokenFactory
) -> None:
    older, newer = str(uuid.uuid4()), str(uuid.uuid4())
    open_case(db, older, "paid")
    open_case(db, newer)  # her open case: a question without a case is linked here
    asked = stub.AskQuestion(
        pb.AskQuestionRequest(
            subject="Om utbetalningen", body="När kom pengarna?", channel="web", application_id=older
        ),
        metadata=md(resident),
    )
    assert asked.application_id == older

    someone_else = tokens.token(str(uuid.uuid4()))
    for case_id, code in (
        (newer, grpc.StatusCode.PERMISSION_DENIED),
        ("inte-ett-id", grpc.StatusCode.INVALID_ARGUMENT),
    ):
        with pytest.raises(grpc.RpcError) as refused:
            stub.AskQuestion(
                pb.AskQuestionRequest(subject="Fråga", body="Hur går det?", channel="web", application_id=case_id),
                metadata=md(someone_else),
            )
        assert refused.value.code() == code
    with db.read() as session:
        assert session.query(Question).count() == 1  # the refusals kept nothing


def test_a_closed_case_is_not_linked_and_a_repeated_event_changes_nothing(
    db: Database, stub: pb_grpc.ContactServiceStub, resident: str
) -> None:
    case_id = str(uuid.uuid4())
    open_case(db, case_id, "closed", open=False)
    body = envelope(
        "applications",
        "case_status_changed",
        {"application_id": case_id, "resident_ids": [RESIDENT], "to_status": "closed", "open": False, "sent": True},
    )
    assert handle_case_status_changed(db, body) and not handle_case_status_changed(db, body)
    assert ask(stub, resident, "Hur söker jag?").application_id == ""


def test_vera_replies_and_closes_with_an_unnecessary_reason_and_the_statistics_count_it(
    db: Database, stub: pb_grpc.ContactServiceStub, resident: str, vera: str, kicked: list[str]
) -> None:
    question = ask(stub, resident, "När kommer pengarna för december?", topic="ekonomiskt-bistand")

    queue = stub.ListQueue(pb.ListQueueRequest(), metadata=md(vera), timeout=5)
    assert queue.group == "ÄSSF" and [q.question_id for q in queue.questions] == [question.question_id]

    claimed = stub.ClaimThread(pb.ThreadRequest(question_id=question.question_id), metadata=md(vera), timeout=5)
    assert (claimed.question.status, claimed.question.agent_name) == ("with_agent", "Vera Vägledare")
    stub.AddNote(
        pb.WriteRequest(question_id=question.question_id, body="Beslut fattat i går."), metadata=md(vera), timeout=5
    )
    replied = stub.Reply(
        pb.WriteRequest(question_id=question.question_id, body="Pengarna betalas ut den 25 december."),
        metadata=md(vera),
        timeout=5,
    )
    assert replied.question.status == "answered"
    [sent] = events(db, "reply_sent")
    reply_event = parse_data(sent, events_pb2.ReplySent)
    assert (reply_event.resident_id, reply_event.question_id) == (RESIDENT, question.question_id)
    assert sent["event_id"] in kicked  # published at once, so the resident hears of it at once

    mine = stub.ListMyQuestions(pb.ListMyQuestionsRequest(), metadata=md(resident), timeout=5).questions
    assert [(q.status_text, q.unread_replies) for q in mine] == [("Besvarad", 1)]
    thread = stub.GetMyThread(pb.ThreadRequest(question_id=question.question_id), metadata=md(resident), timeout=5)
    assert [e.kind for e in thread.entries] == ["question", "reply"]  # never the internal note
    assert thread.entries[1].body == "Pengarna betalas ut den 25 december."
    mine = stub.ListMyQuestions(pb.ListMyQuestionsRequest(), metadata=md(resident), timeout=5).questions
    assert mine[0].unread_replies == 0

    closed = stub.CloseThread(
        pb.CloseThreadRequest(question_id=question.question_id, reason="status-pa-ansokan"),
        metadata=md(vera),
        timeout=5,
    )
    assert (closed.question.status, closed.question.close_reason) == ("closed", "status-pa-ansokan")
    [closing] = events(db, "contact_closed")
    assert parse_data(closing, events_pb2.ContactClosed).unnecessary is True

    stats = stub.GetDemandStatistics(pb.DemandStatisticsRequest(), metadata=md(vera), timeout=5)
    assert (stats.total.contacts, stats.total.unnecessary, stats.total.unnecessary_per_mille) == (1, 1, 1000)
    assert stats.total.median_seconds_to_first_answer >= 0
    assert [(r.key, r.unnecessary) for r in stats.by_reason] == [("status-pa-ansokan", 1)]
    assert stats.baseline_unnecessary_per_year == 12000
    assert stats.baseline_unnecessary_for_period == round(12000 * 30 / 365)

    with pytest.raises(grpc.RpcError) as caught:
        stub.Reply(pb.WriteRequest(question_id=question.question_id, body="Till"), metadata=md(vera), timeout=5)
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION


def test_every_read_of_a_residents_thread_by_an_agent_is_in_the_access_log(
    db: Database, stub: pb_grpc.ContactServiceStub, resident: str, vera: str
) -> None:
    question = ask(stub, resident, "Min ansökan", topic="ekonomiskt-bistand")
    stub.GetThread(pb.ThreadRequest(question_id=question.question_id), metadata=md(vera), timeout=5)
    [access] = events(db, "resident_data_accessed")
    record = parse_data(access, identity_events.ResidentDataAccessed)
    assert list(record.subject_ids) == [RESIDENT]
    assert (record.actor_name, record.actor_role, record.action) == ("Vera Vägledare", "contact_agent", "read")


def test_an_agent_of_bbmt_cannot_open_an_assf_thread_or_its_queue_and_nothing_changes(
    db: Database, stub: pb_grpc.ContactServiceStub, resident: str, bengt: str
) -> None:
    question = ask(stub, resident, "Min ansökan", topic="ekonomiskt-bistand")
    for call in (
        lambda: stub.GetThread(pb.ThreadRequest(question_id=question.question_id), metadata=md(bengt), timeout=5),
        lambda: stub.Reply(
            pb.WriteRequest(question_id=question.question_id, body="Hej"), metadata=md(bengt), timeout=5
        ),
        lambda: stub.ListQueue(pb.ListQueueRequest(group="ÄSSF"), metadata=md(bengt), timeout=5),
    ):
        with pytest.raises(grpc.RpcError) as caught:
            call()
        assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert events(db, "reply_sent") == [] and events(db, "resident_data_accessed") == []


def test_a_resident_cannot_see_or_write_in_another_residents_thread(
    stub: pb_grpc.ContactServiceStub, resident: str, tokens: TokenFactory
) -> None:
    question = ask(stub, resident, "Min fråga")
    other = tokens.token()
    for call in (
        lambda: stub.GetMyThread(pb.ThreadRequest(question_id=question.question_id), metadata=md(other), timeout=5),
        lambda: stub.WriteInThread(
            pb.WriteRequest(question_id=question.question_id, body="x"), metadata=md(other), timeout=5
        ),
        lambda: stub.GetMyThread(pb.ThreadRequest(question_id="inte-ett-id"), metadata=md(other), timeout=5),
    ):
        with pytest.raises(grpc.RpcError) as caught:
            call()
        assert caught.value.code() == grpc.StatusCode.NOT_FOUND


def test_moving_a_thread_is_on_its_timeline_and_hands_it_to_the_other_group(
    db: Database, stub: pb_grpc.ContactServiceStub, resident: str, vera: str, bengt: str
) -> None:
    question = ask(stub, resident, "Min fråga", topic="ekonomiskt-bistand")
    moved = stub.MoveThread(
        pb.MoveThreadRequest(question_id=question.question_id, to_group="BBMT", note="Gäller bygglov"),
        metadata=md(vera),
        timeout=5,
    )
    assert moved.question.group == "BBMT"
    last = moved.entries[-1]
    assert (last.kind, last.from_group, last.to_group, last.body) == ("moved", "ÄSSF", "BBMT", "Gäller bygglov")
    assert parse_data(events(db, "question_routed")[-1], events_pb2.QuestionRouted).routed_by == "agent"
    assert [q.question_id for q in stub.ListQueue(pb.ListQueueRequest(), metadata=md(bengt), timeout=5).questions] == [
        question.question_id
    ]
    with pytest.raises(grpc.RpcError) as caught:
        stub.GetThread(pb.ThreadRequest(question_id=question.question_id), metadata=md(vera), timeout=5)
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_the_resident_writing_again_sends_an_answered_thread_back_to_the_agent(
    stub: pb_grpc.ContactServiceStub, resident: str, vera: str
) -> None:
    question = ask(stub, resident, "Min fråga", topic="ekonomiskt-bistand")
    stub.Reply(pb.WriteRequest(question_id=question.question_id, body="Svar"), metadata=md(vera), timeout=5)
    thread = stub.WriteInThread(
        pb.WriteRequest(question_id=question.question_id, body="Tack, en sak till"), metadata=md(resident), timeout=5
    )
    assert thread.question.status == "with_agent"
    assert [e.kind for e in thread.entries] == ["question", "reply", "message"]


def test_a_telephone_call_registered_and_answered_at_once_counts_in_the_statistics(
    stub: pb_grpc.ContactServiceStub, vera: str
) -> None:
    thread = stub.RegisterContact(
        pb.RegisterContactRequest(
            channel="phone",
            subject="Utbetalningsdag",
            body="Ringde och frågade när pengarna kommer.",
            answer="Den 25:e.",
            close_reason="utbetalning",
        ),
        metadata=md(vera),
        timeout=5,
    )
    assert (thread.question.status, thread.question.channel, thread.question.is_guest) == ("closed", "phone", True)
    assert [e.kind for e in thread.entries] == ["question", "moved", "reply", "closed"]
    stats = stub.GetDemandStatistics(pb.DemandStatisticsRequest(), metadata=md(vera), timeout=5)
    assert [(t.key, t.contacts, t.unnecessary) for t in stats.by_channel] == [("phone", 1, 1)]


def test_a_guest_asks_with_an_address_and_is_rate_limited_per_address(
    db: Database, stub: pb_grpc.ContactServiceStub
) -> None:
    def guest(n: int, address: str = "198.51.100.7") -> pb.Question:
        return stub.AskAsGuest(
            pb.AskAsGuestRequest(
                subject="Bygglov",
                body="Behöver jag bygglov för ett plank?",
                email=f"g{n}@exempel.se",
                client_address=address,
            ),
            timeout=5,
        )

    first = guest(0)
    assert (first.group, first.status) == ("BBMT", "received")
    for n in range(1, 5):
        guest(n)
    with pytest.raises(grpc.RpcError) as caught:
        guest(5)
    assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "Vänta en stund" in caught.value.details()
    guest(6, "203.0.113.9")  # another address still may
    with db.read() as session:
        stored = list(session.scalars(select(Question)))
    assert len(stored) == 6
    assert all("198.51.100.7" not in q.guest_address_hash for q in stored)


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (pb.AskQuestionRequest(subject="Ämne", body="", channel="web"), "body"),
        (pb.AskQuestionRequest(subject="Ämne", body="x" * 100_000, channel="web"), "body"),
        (pb.AskQuestionRequest(subject="Ämne", body="Fråga", channel="web", topic="drakar"), "topic"),
    ],
    ids=["empty", "100000-characters", "unknown-topic"],
)
def test_bad_questions_are_refused_with_a_field_message_and_nothing_is_stored(
    db: Database, stub: pb_grpc.ContactServiceStub, resident: str, request_: pb.AskQuestionRequest, field: str
) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        stub.AskQuestion(request_, metadata=md(resident), timeout=5)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field in field_errors(caught.value)
    with db.read() as session:
        assert session.scalars(select(Question)).first() is None


def test_html_in_a_message_is_kept_as_the_text_it_is(
    stub: pb_grpc.ContactServiceStub, resident: str, vera: str
) -> None:
    text = '<script>alert("x")</script> Min ansökan'
    question = ask(stub, resident, text, topic="ekonomiskt-bistand")
    thread = stub.GetThread(pb.ThreadRequest(question_id=question.question_id), metadata=md(vera), timeout=5)
    assert thread.entries[0].body == text  # stored as typed; every page escapes it when shown


def test_an_unknown_close_reason_or_group_is_refused_and_changes_nothing(
    stub: pb_grpc.ContactServiceStub, resident: str, vera: str
) -> None:
    question = ask(stub, resident, "Min fråga", topic="ekonomiskt-bistand")
    for call, field in (
        (
            lambda: stub.CloseThread(
                pb.CloseThreadRequest(question_id=question.question_id, reason="påhitt"), metadata=md(vera), timeout=5
            ),
            "reason",
        ),
        (
            lambda: stub.MoveThread(
                pb.MoveThreadRequest(question_id=question.question_id, to_group="NASA"), metadata=md(vera), timeout=5
            ),
            "to_group",
        ),
    ):
        with pytest.raises(grpc.RpcError) as caught:
            call()
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT and field in field_errors(caught.value)
    thread = stub.GetThread(pb.ThreadRequest(question_id=question.question_id), metadata=md(vera), timeout=5)
    assert (thread.question.status, thread.question.group) == ("received", "ÄSSF")


def test_the_ask_form_gets_groups_topics_and_reasons_without_logging_in(stub: pb_grpc.ContactServiceStub) -> None:
    centre = stub.GetContactCentre(pb.GetContactCentreRequest(), timeout=5)
    assert len(centre.groups) == 10
    assert sum(1 for g in centre.groups if g.kind == "advisory_service") == 7
    assert any(t.code == "annat" and t.group == "" for t in centre.topics)
    assert {r.code for r in centre.reasons if r.unnecessary} >= {"status-pa-ansokan", "utbetalning"}


def test_residents_cannot_use_the_desk_and_agents_see_only_statistics_not_personal_data(
    stub: pb_grpc.ContactServiceStub, resident: str
) -> None:
    for call in (
        lambda: stub.ListQueue(pb.ListQueueRequest(), metadata=md(resident), timeout=5),
        lambda: stub.GetDemandStatistics(pb.DemandStatisticsRequest(), metadata=md(resident), timeout=5),
    ):
        with pytest.raises(grpc.RpcError) as caught:
            call()
        assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_files_in_a_thread_are_checked_by_their_bytes_and_read_by_the_resident_and_the_group(
    db: Database, stub: pb_grpc.ContactServiceStub, resident: str, vera: str, bengt: str, tokens: TokenFactory
) -> None:
    question = ask(stub, resident, "Min ansökan", topic="ekonomiskt-bistand")
    thread = stub.AddAttachment(
        pb.AddAttachmentRequest(question_id=question.question_id, filename="../../hyra.pdf", content=PDF),
        metadata=md(resident),
        timeout=5,
    )
    entry = thread.entries[-1]
    assert (entry.kind, entry.body) == ("attachment", "hyra.pdf")

    got = stub.GetAttachment(
        pb.GetAttachmentRequest(question_id=question.question_id, attachment_id=entry.attachment_id),
        metadata=md(vera),
        timeout=5,
    )
    assert (got.filename, got.content_type, got.content) == ("hyra.pdf", "application/pdf", PDF)
    assert events(db, "resident_data_accessed")  # the agent's read is in the resident's access log

    for token in (bengt, tokens.token()):
        with pytest.raises(grpc.RpcError) as caught:
            stub.GetAttachment(
                pb.GetAttachmentRequest(question_id=question.question_id, attachment_id=entry.attachment_id),
                metadata=md(token),
                timeout=5,
            )
        assert caught.value.code() in (grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.NOT_FOUND)

    with pytest.raises(grpc.RpcError) as caught:
        stub.AddAttachment(
            pb.AddAttachmentRequest(question_id=question.question_id, filename="virus.pdf", content=b"MZ\x90\x00"),
            metadata=md(resident),
            timeout=5,
        )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "JPEG" in field_errors(caught.value)["file"]


def test_the_case_link_is_told_to_the_questions_group_only_and_reads_nothing_of_the_thread(
    db: Database, stub: pb_grpc.ContactServiceStub, resident: str, vera: str, bengt: str
) -> None:
    """applications asks this before it shows an agent the linked case's status (and only then)."""
    case_id = str(uuid.uuid4())
    open_case(db, case_id)
    linked = ask(stub, resident, "Har min ansökan om ekonomiskt bistånd blivit beslutad?")
    link = stub.GetCaseLink(pb.ThreadRequest(question_id=linked.question_id), metadata=md(vera), timeout=5)
    assert (link.question_id, link.application_id) == (linked.question_id, case_id)

    for token, code in ((bengt, grpc.StatusCode.PERMISSION_DENIED), (resident, grpc.StatusCode.PERMISSION_DENIED)):
        with pytest.raises(grpc.RpcError) as caught:
            stub.GetCaseLink(pb.ThreadRequest(question_id=linked.question_id), metadata=md(token), timeout=5)
        assert caught.value.code() == code
    with pytest.raises(grpc.RpcError) as caught:
        stub.GetCaseLink(pb.ThreadRequest(question_id=str(uuid.uuid4())), metadata=md(vera), timeout=5)
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    assert events(db, "resident_data_accessed") == []

"""The gRPC contract of ContactService, called with the official generated stub over loopback
against the real grpcio server, and the question_received event it commits with each question."""

from __future__ import annotations

import json
import uuid
from typing import Any

import grpc
import pytest
from sqlalchemy import func, select

from contact.store import OUTBOX, Question
from fickan.contact.events.v1 import events_pb2
from fickan.contact.v1 import contact_pb2 as pb
from fickan.contact.v1 import contact_pb2_grpc as pb_grpc
from fickan_common.db import Database
from fickan_common.events import parse_data
from fickan_common.grpc_server import FIELD_ERRORS_KEY
from fickan_common.testing import TokenFactory


def auth(token: str) -> list[tuple[str, str]]:
    return [("authorization", f"Bearer {token}")]


def field_errors(error: grpc.RpcError) -> dict[str, str]:
    for key, value in error.trailing_metadata() or ():
        if key == FIELD_ERRORS_KEY:
            return json.loads(value)
    return {}


def ask(stub: pb_grpc.ContactServiceStub, token: str, subject: str = "Utbetalning", **kw: str) -> pb.Question:
    request = pb.AskQuestionRequest(subject=subject, body=kw.get("body", "När betalas pengarna ut?"))
    request.channel = kw.get("channel", "web")
    request.phone = kw.get("phone", "")
    return stub.AskQuestion(request, metadata=auth(token), timeout=5)


def outbox_envelopes(db: Database, event_type: str = "") -> list[dict[str, Any]]:
    with db.transaction() as session:
        rows = [row[0] for row in session.execute(select(OUTBOX.table.c.envelope).order_by(OUTBOX.table.c.id))]
    return [env for env in rows if not event_type or env["event_type"] == event_type]


def stored_questions(db: Database) -> int:
    with db.transaction() as session:
        return session.execute(select(func.count()).select_from(Question)).scalar_one()


def test_ask_question_stores_it_as_received_and_answers_with_it(
    db: Database, stub: pb_grpc.ContactServiceStub, tokens: TokenFactory
) -> None:
    question = ask(stub, tokens.token(), "  Utbetalning ", body="När betalas pengarna ut?", channel="mobile")

    uuid.UUID(question.question_id)
    assert question.subject == "Utbetalning"
    assert question.body == "När betalas pengarna ut?"
    assert question.channel == "mobile"
    assert question.status == "received"
    assert question.received_at.seconds > 0
    assert stored_questions(db) == 1


def test_question_received_event_is_committed_with_the_question_and_parses_into_the_proto(
    db: Database, stub: pb_grpc.ContactServiceStub, tokens: TokenFactory, kicked: list[str]
) -> None:
    asker = str(uuid.uuid4())
    question = ask(stub, tokens.token(asker), channel="watch", phone="070-123 45 67")

    [env] = outbox_envelopes(db, "question_received")
    assert env["event_type"] == "question_received"
    assert env["producer"] == "contact"
    event = parse_data(env, events_pb2.QuestionReceived)
    assert event.question_id == question.question_id
    assert event.asker_id == asker
    assert event.channel == "watch"
    assert event.received_at == question.received_at
    [routed] = outbox_envelopes(db, "question_routed")
    assert kicked == [env["event_id"], routed["event_id"]]


def test_question_received_event_carries_no_question_text(
    db: Database, stub: pb_grpc.ContactServiceStub, tokens: TokenFactory
) -> None:
    ask(stub, tokens.token(), "Skulder hos Kronofogden", body="Jag har skulder och undrar ...")
    as_text = json.dumps(outbox_envelopes(db), ensure_ascii=False)
    assert "Kronofogden" not in as_text and "skulder" not in as_text


def test_correlation_id_from_the_caller_is_carried_into_the_event(
    db: Database, stub: pb_grpc.ContactServiceStub, tokens: TokenFactory
) -> None:
    request = pb.AskQuestionRequest(subject="Ämne", body="Fråga", channel="web")
    stub.AskQuestion(request, metadata=[*auth(tokens.token()), ("x-correlation-id", "bff-req-77")], timeout=5)
    assert {env["correlation_id"] for env in outbox_envelopes(db)} == {"bff-req-77"}


def test_invalid_question_is_invalid_argument_with_swedish_field_errors_and_nothing_stored(
    db: Database, stub: pb_grpc.ContactServiceStub, tokens: TokenFactory, kicked: list[str]
) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        ask(stub, tokens.token(), "  ", body="", channel="telegraph")

    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    errors = field_errors(caught.value)
    assert errors["subject"] == "Skriv vad frågan gäller."
    assert errors["body"] == "Skriv din fråga."
    assert set(errors) == {"subject", "body", "channel"}
    assert stored_questions(db) == 0
    assert outbox_envelopes(db) == []
    assert kicked == []


def test_too_long_subject_is_refused_with_its_limit(stub: pb_grpc.ContactServiceStub, tokens: TokenFactory) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        ask(stub, tokens.token(), "x" * 201)
    assert field_errors(caught.value) == {"subject": "Får vara högst 200 tecken."}  # the contract's limit


def test_staff_cannot_ask_as_a_resident(db: Database, stub: pb_grpc.ContactServiceStub, tokens: TokenFactory) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        ask(stub, tokens.token(roles=("staff",)))
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert stored_questions(db) == 0


def test_list_my_questions_returns_only_the_callers_newest_first(
    stub: pb_grpc.ContactServiceStub, tokens: TokenFactory
) -> None:
    me, other = tokens.token(str(uuid.uuid4())), tokens.token(str(uuid.uuid4()))
    ask(stub, me, "Första")
    ask(stub, other, "Någon annans")
    ask(stub, me, "Andra")

    listed = stub.ListMyQuestions(pb.ListMyQuestionsRequest(), metadata=auth(me), timeout=5).questions

    assert [q.subject for q in listed] == ["Andra", "Första"]
    assert all(q.status == "received" for q in listed)


def test_list_my_questions_is_empty_for_someone_who_never_asked(
    stub: pb_grpc.ContactServiceStub, tokens: TokenFactory
) -> None:
    ask(stub, tokens.token(), "Någon annans")
    listed = stub.ListMyQuestions(pb.ListMyQuestionsRequest(), metadata=auth(tokens.token()), timeout=5)
    assert list(listed.questions) == []


CALLS = {
    "AskQuestion": lambda stub, md: stub.AskQuestion(
        pb.AskQuestionRequest(subject="Ämne", body="Fråga", channel="web"), metadata=md, timeout=5
    ),
    "ListMyQuestions": lambda stub, md: stub.ListMyQuestions(pb.ListMyQuestionsRequest(), metadata=md, timeout=5),
}
BAD_TOKENS = {
    "missing": lambda tokens: [],
    "expired": lambda tokens: auth(tokens.token(expires_in=-60)),
    "forged": lambda tokens: auth(TokenFactory().token()),
    "garbage": lambda tokens: auth("abc.def.ghi"),
}


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
@pytest.mark.parametrize("metadata", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
def test_every_method_refuses_a_missing_expired_or_forged_token_and_stores_nothing(
    db: Database, stub: pb_grpc.ContactServiceStub, tokens: TokenFactory, call, metadata
) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        call(stub, metadata(tokens))
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert stored_questions(db) == 0

"""Races, fired for real: N identical requests at the same moment (a double click, a client that
retries, the api's immediate receive beside the worker's fallback) change a case exactly once — one
timeline row, one event — on SQLite and PostgreSQL. The losers get a clear conflict; a repeat with the
same idempotency key gets the first answer; a signature repeated once it is on the case gets the case as
it is (the signing workflow, and older apps, hand it over again). Each race runs several rounds: rare
interleavings count."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import grpc
import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from applications.api import COMMANDS, GLANCE_METHODS, PUBLIC_METHODS, register
from applications.casework import Casework, CaseworkSettings
from applications.service import Applications
from applications.store import IDEMPOTENCY, OUTBOX, CaseEvent, CompletionRequest, Payment
from fickan.applications.v1 import applications_pb2 as pb
from fickan.applications.v1 import applications_pb2_grpc
from fickan_common.db import Database
from fickan_common.grpc_server import REPLAYED_KEY, build_server
from fickan_common.idempotency import IdempotencyStore
from fickan_common.testing import TokenFactory
from fickan_common.tokens import Principal
from tests.case_helpers import PDF, TODAY, UNIT, FakeIdentity, first_application

N = 8  # identical requests fired together
ROUNDS = 3  # fresh cases per race, in one database
LOST_RACE = {grpc.StatusCode.ABORTED, grpc.StatusCode.FAILED_PRECONDITION}
WORKER = {"roles": ("resident", "case_worker"), "unit": UNIT, "name": "Karin Handläggare"}


@dataclass
class Desk:
    stub: applications_pb2_grpc.ApplicationsServiceStub
    tokens: TokenFactory
    identity: FakeIdentity
    casework: Casework
    db: Database
    today: list[date]

    def auth(self, user_id: str, key: str = "", **claims: object) -> list[tuple[str, str]]:
        metadata = [("authorization", f"Bearer {self.tokens.token(user_id, **claims)}")]
        return [*metadata, ("idempotency-key", key)] if key else metadata

    def staff(self, key: str = "") -> list[tuple[str, str]]:
        return self.auth("worker-1", key, **WORKER)

    def rows(self, application_id: str, status: str) -> int:
        """Timeline entries of moves to `status`."""
        with self.db.read() as session:
            return session.scalar(
                select(func.count())
                .select_from(CaseEvent)
                .where(
                    CaseEvent.application_id == application_id, CaseEvent.status == status, CaseEvent.kind == "status"
                )
            )

    def events(self, application_id: str, event_type: str) -> int:
        with self.db.read() as session:
            envelopes = session.execute(
                select(OUTBOX.table.c.envelope).where(OUTBOX.table.c.event_type == event_type)
            ).scalars()
            return sum(1 for e in envelopes if e["data"].get("application_id") == application_id)

    # -- a case in each state, made step by step through the api ---------------------------------
    def draft(self, resident: str, partner: bool = False) -> pb.Application:
        draft = self.stub.CreateDraft(pb.CreateDraftRequest(kind="eb_grundansokan"), metadata=self.auth(resident))
        answers = first_application(partner)
        for question in ("kontoutdrag", "hyreskontrakt", "hyresavi"):
            upload = pb.UploadAttachmentRequest(application_id=draft.application_id, filename="a.pdf", content=PDF)
            stored = self.stub.UploadAttachment(upload, metadata=self.auth(resident))
            answers[question] = json.dumps([stored.attachment_id])
        request = pb.SaveAnswersRequest(
            application_id=draft.application_id, answers=answers, expected_version=draft.version
        )
        return self.stub.SaveAnswers(request, metadata=self.auth(resident))

    def signature(self, user_id: str, application_id: str) -> str:
        text = self.stub.GetSigningText(
            pb.GetSigningTextRequest(application_id=application_id), metadata=self.auth(user_id)
        )
        return self.identity.sign(user_id, text.text, text.reference)

    def submitted(self, resident: str) -> pb.Application:
        draft = self.draft(resident)
        request = pb.SubmitRequest(
            application_id=draft.application_id,
            expected_version=draft.version,
            signature_id=self.signature(resident, draft.application_id),
        )
        return self.stub.Submit(request, metadata=self.auth(resident))

    def case(self, application_id: str) -> pb.Application:
        return self.stub.GetCase(pb.GetCaseRequest(application_id=application_id), metadata=self.staff())

    def in_progress(self, resident: str) -> pb.Application:
        sent = self.submitted(resident)
        return self.stub.StartWork(pb.CaseActionRequest(application_id=sent.application_id), metadata=self.staff())

    def decided(self, resident: str) -> pb.Application:
        case = self.in_progress(resident)
        request = pb.DecideRequest(
            application_id=case.application_id, outcome="approved", expected_version=case.version
        )
        return self.stub.Decide(request, metadata=self.staff())

    def completion_requested(self, resident: str) -> pb.Application:
        case = self.in_progress(resident)
        request = pb.RequestCompletionRequest(
            application_id=case.application_id, items=["Lönebesked"], due_date="2026-12-02"
        )
        return self.stub.RequestCompletion(request, metadata=self.staff())


@pytest.fixture
def desk(database_url: str) -> Iterator[Desk]:
    from applications.migrate import MIGRATIONS
    from fickan_common.migrations import upgrade

    upgrade(MIGRATIONS, database_url)
    db = Database(database_url)
    tokens, identity, today = TokenFactory(), FakeIdentity(), [TODAY]
    casework = Casework(db, settings=CaseworkSettings(), today=lambda: today[0])
    # As in production: the api receives a sent case at once.
    applications = Applications(db, unit=UNIT, people=identity, today=lambda: today[0], receive=casework.receive)
    server, port = build_server(
        register(applications, casework),
        0,
        tokens.verifier(),
        PUBLIC_METHODS,
        max_workers=2 * N,
        host="127.0.0.1",
        glance_methods=GLANCE_METHODS,
        commands=COMMANDS,
        idempotency=IdempotencyStore(db, IDEMPOTENCY),
    )
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    yield Desk(applications_pb2_grpc.ApplicationsServiceStub(channel), tokens, identity, casework, db, today)
    channel.close()
    server.stop(0)
    db.dispose()


def fire(call: Callable[[], Any], n: int = N) -> tuple[list[Any], list[grpc.StatusCode]]:
    """Run `call` in n threads released at the same moment: (answers, error codes)."""
    gate = threading.Barrier(n)
    answers: list[Any] = []
    codes: list[grpc.StatusCode] = []
    lock = threading.Lock()

    def run() -> None:
        gate.wait()
        try:
            answer = call()
        except grpc.RpcError as error:
            with lock:
                codes.append(error.code())
        else:
            with lock:
                answers.append(answer)

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return answers, codes


def exactly_one(answers: list[Any], codes: list[grpc.StatusCode]) -> Any:
    assert len(answers) == 1, f"{len(answers)} of {N} identical requests changed the case ({codes})"
    assert set(codes) <= LOST_RACE, codes
    return answers[0]


def signed_once(answers: list[Any], codes: list[grpc.StatusCode]) -> Any:
    """A signature sent N times: the losers of the race are told; a repeat that comes after the
    signature is on the case answers the case as it is. The rows and events counted after it prove
    the case changed once. Returns the newest state answered."""
    assert answers and len(answers) + len(codes) == N and set(codes) <= LOST_RACE, codes
    return max(answers, key=lambda a: a.version)


def resident() -> str:
    return str(uuid.uuid4())


def test_submit_race_sends_and_receives_once(desk: Desk) -> None:
    for _ in range(ROUNDS):
        anna = resident()
        draft = desk.draft(anna)
        request = pb.SubmitRequest(
            application_id=draft.application_id,
            expected_version=draft.version,
            signature_id=desk.signature(anna, draft.application_id),
        )
        sent = signed_once(
            *fire(lambda request=request, anna=anna: desk.stub.Submit(request, metadata=desk.auth(anna)))
        )
        assert sent.status == pb.APPLICATION_STATUS_RECEIVED
        case_id = draft.application_id
        assert desk.rows(case_id, "submitted") == 1 and desk.rows(case_id, "received") == 1
        assert desk.events(case_id, "application_submitted") == 1


def test_co_applicant_signing_race_submits_once(desk: Desk) -> None:
    for _ in range(ROUNDS):
        anna = resident()
        draft = desk.draft(anna, partner=True)
        request = pb.SubmitRequest(
            application_id=draft.application_id,
            expected_version=draft.version,
            signature_id=desk.signature(anna, draft.application_id),
        )
        pending = desk.stub.Submit(request, metadata=desk.auth(anna))
        sara = pending.co_applicant_id
        sign = pb.SignRequest(
            application_id=draft.application_id, signature_id=desk.signature(sara, draft.application_id)
        )
        signed_once(*fire(lambda sign=sign, sara=sara: desk.stub.Sign(sign, metadata=desk.auth(sara))))
        assert desk.rows(draft.application_id, "submitted") == 1
        assert desk.events(draft.application_id, "application_submitted") == 1


def test_receive_race_between_api_and_worker_receives_once(desk: Desk) -> None:
    # Receiving left to the worker (the immediate receive failed), then both paths at once, with
    # every case picked for a random check: the dice are rolled once.
    picky = Casework(desk.db, settings=CaseworkSettings(random_check_rate=1.0), today=lambda: TODAY)
    failing = Applications(
        desk.db, unit=UNIT, people=desk.identity, today=lambda: TODAY, receive=lambda _id, _session: 1 / 0
    )
    for _ in range(ROUNDS):
        anna = resident()
        draft = desk.draft(anna)
        principal = Principal(anna, ("resident",))
        signature = desk.signature(anna, draft.application_id)
        sent = failing.submit(principal, draft.application_id, draft.version, signature)
        assert sent.status == "submitted"
        proposals, codes = fire(lambda sent=sent: picky.receive(sent.id))
        assert not codes and sum(1 for p in proposals if p is not None) == 1
        assert desk.rows(sent.id, "received") == 1 and desk.rows(sent.id, "random_check") == 1
        with desk.db.read() as session:
            asked = session.scalar(
                select(func.count()).select_from(CompletionRequest).where(CompletionRequest.application_id == sent.id)
            )
        assert asked == 1


def test_start_work_race_starts_once(desk: Desk) -> None:
    for _ in range(ROUNDS):
        sent = desk.submitted(resident())
        request = pb.CaseActionRequest(
            application_id=sent.application_id, expected_version=desk.case(sent.application_id).version
        )
        exactly_one(*fire(lambda request=request: desk.stub.StartWork(request, metadata=desk.staff())))
        assert desk.rows(sent.application_id, "in_progress") == 1


@pytest.mark.parametrize("random_check", [False, True], ids=["completion", "random_check"])
def test_completion_request_race_asks_once(desk: Desk, random_check: bool) -> None:
    status = "random_check" if random_check else "completion_requested"
    for _ in range(ROUNDS):
        case = desk.in_progress(resident())
        request = pb.RequestCompletionRequest(
            application_id=case.application_id,
            items=["Kontoutdrag"],
            due_date="2026-12-02",
            random_check=random_check,
            expected_version=case.version,
        )
        exactly_one(*fire(lambda request=request: desk.stub.RequestCompletion(request, metadata=desk.staff())))
        assert desk.rows(case.application_id, status) == 1
        assert desk.events(case.application_id, "completion_requested") == 1


def test_completion_answer_race_answers_once(desk: Desk) -> None:
    for _ in range(ROUNDS):
        anna = resident()
        case = desk.completion_requested(anna)
        request = pb.SubmitCompletionRequest(
            application_id=case.application_id, text="Lönebeskedet kommer i morgon.", expected_version=case.version
        )
        exactly_one(
            *fire(lambda request=request, anna=anna: desk.stub.SubmitCompletion(request, metadata=desk.auth(anna)))
        )
        assert desk.rows(case.application_id, "completion_submitted") == 1
        assert desk.events(case.application_id, "completion_submitted") == 1


def test_adjust_race_adjusts_once(desk: Desk) -> None:
    for _ in range(ROUNDS):
        case = desk.in_progress(resident())
        request = pb.AdjustCalculationRequest(
            application_id=case.application_id,
            adjustments=[pb.Adjustment(code="cost.housing", amount=6500, reason="Skälig hyra för orten.")],
            expected_version=case.version,
        )
        exactly_one(*fire(lambda request=request: desk.stub.AdjustCalculation(request, metadata=desk.staff())))
        with desk.db.read() as session:
            notes = session.scalar(
                select(func.count())
                .select_from(CaseEvent)
                .where(CaseEvent.application_id == case.application_id, CaseEvent.kind == "note")
            )
        assert notes == 1


def test_decision_race_decides_once(desk: Desk) -> None:
    for _ in range(ROUNDS):
        case = desk.in_progress(resident())
        request = pb.DecideRequest(
            application_id=case.application_id, outcome="approved", expected_version=case.version
        )
        exactly_one(*fire(lambda request=request: desk.stub.Decide(request, metadata=desk.staff())))
        assert desk.rows(case.application_id, "decided") == 1
        assert desk.events(case.application_id, "decision_made") == 1


def test_repeated_decision_with_one_key_decides_once_and_answers_every_click(desk: Desk) -> None:
    """A double click on "Fatta beslut": both clicks carry the page's one-time form token."""
    for _ in range(ROUNDS):
        case = desk.in_progress(resident())
        request = pb.DecideRequest(
            application_id=case.application_id, outcome="approved", expected_version=case.version
        )
        key = uuid.uuid4().hex

        def click(request: pb.DecideRequest = request, key: str = key) -> tuple[pb.Application, bool]:
            answer, call = desk.stub.Decide.with_call(request, metadata=desk.staff(key))
            return answer, any(k == REPLAYED_KEY for k, _ in call.trailing_metadata() or ())

        answers, codes = fire(click)
        assert not codes and len(answers) == N
        assert {a.SerializeToString(deterministic=True) for a, _ in answers} == {
            answers[0][0].SerializeToString(deterministic=True)
        }
        assert sum(1 for _, replayed in answers if not replayed) == 1  # the others were given its answer
        assert all(a.status == pb.APPLICATION_STATUS_DECIDED for a, _ in answers)
        assert desk.rows(case.application_id, "decided") == 1
        assert desk.events(case.application_id, "decision_made") == 1


def test_an_idempotency_key_never_repeats_another_request(desk: Desk) -> None:
    # The same key on a different request (another case) is that request's own, not a repeat.
    key = uuid.uuid4().hex
    first, second = desk.in_progress(resident()), desk.in_progress(resident())
    for case in (first, second):
        request = pb.DecideRequest(
            application_id=case.application_id, outcome="approved", expected_version=case.version
        )
        assert desk.stub.Decide(request, metadata=desk.staff(key)).application_id == case.application_id
    # A refused command stores nothing: once it is put right, the same key runs it.
    third = desk.in_progress(resident())
    wrong = pb.DecideRequest(application_id=third.application_id, outcome="rejected", expected_version=third.version)
    with pytest.raises(grpc.RpcError) as refused:
        desk.stub.Decide(wrong, metadata=desk.staff(key))
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with desk.db.read() as session:
        stored = session.scalar(select(func.count()).select_from(IDEMPOTENCY))
    assert stored == 2
    with pytest.raises(grpc.RpcError) as bad_key:
        desk.stub.Decide(wrong, metadata=desk.staff("x" * 201))
    assert bad_key.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "Idempotency-Key" in bad_key.value.details()


def test_payment_scheduling_race_schedules_once(desk: Desk) -> None:
    for _ in range(ROUNDS):
        case = desk.decided(resident())
        request = pb.SchedulePaymentRequest(
            application_id=case.application_id, payment_date="2026-11-27", expected_version=case.version
        )
        exactly_one(*fire(lambda request=request: desk.stub.SchedulePayment(request, metadata=desk.staff())))
        assert desk.rows(case.application_id, "payment_scheduled") == 1
        assert desk.events(case.application_id, "payment_scheduled") == 1


def test_payment_runs_at_once_pay_each_payment_once(desk: Desk) -> None:
    ids = []
    for _ in range(ROUNDS):
        case = desk.decided(resident())
        request = pb.SchedulePaymentRequest(
            application_id=case.application_id, payment_date="2026-11-27", expected_version=case.version
        )
        desk.stub.SchedulePayment(request, metadata=desk.staff())
        ids.append(case.application_id)
    desk.today[0] = date(2026, 11, 27)
    paid, codes = fire(desk.casework.pay_due)
    assert not codes and sum(paid) == ROUNDS
    assert desk.casework.pay_due() == 0  # and a later run finds nothing left to pay
    for case_id in ids:
        assert desk.rows(case_id, "paid") == 1 and desk.events(case_id, "payment_made") == 1


def test_the_database_refuses_a_second_payment(desk: Desk) -> None:
    case = desk.decided(resident())
    request = pb.SchedulePaymentRequest(
        application_id=case.application_id, payment_date="2026-11-27", expected_version=case.version
    )
    desk.stub.SchedulePayment(request, metadata=desk.staff())
    with desk.db.read() as session:
        first = session.scalars(select(Payment).where(Payment.application_id == case.application_id)).one()
    twin = {c.name: getattr(first, c.name) for c in Payment.__table__.columns} | {"id": str(uuid.uuid4())}
    with pytest.raises(IntegrityError):  # the same case again
        with desk.db.transaction() as session:
            session.execute(insert(Payment).values(**twin))
    other_case = desk.decided(resident())
    with pytest.raises(IntegrityError):  # the same resident and month, another case
        with desk.db.transaction() as session:
            session.execute(insert(Payment).values(**twin | {"application_id": other_case.application_id}))


def test_withdraw_race_withdraws_once(desk: Desk) -> None:
    for _ in range(ROUNDS):
        anna = resident()
        sent = desk.submitted(anna)
        request = pb.WithdrawRequest(application_id=sent.application_id, reason="Jag har fått jobb.")
        exactly_one(*fire(lambda request=request, anna=anna: desk.stub.Withdraw(request, metadata=desk.auth(anna))))
        assert desk.rows(sent.application_id, "withdrawn") == 1


def test_close_race_closes_once(desk: Desk) -> None:
    for _ in range(ROUNDS):
        case = desk.in_progress(resident())
        decided = desk.stub.Decide(
            pb.DecideRequest(
                application_id=case.application_id,
                outcome="rejected",
                reasons="Inkomsten räcker.",
                expected_version=case.version,
            ),
            metadata=desk.staff(),
        )
        request = pb.CaseActionRequest(application_id=case.application_id, expected_version=decided.version)
        exactly_one(*fire(lambda request=request: desk.stub.CloseCase(request, metadata=desk.staff())))
        assert desk.rows(case.application_id, "closed") == 1
        assert desk.events(case.application_id, "case_closed") == 1


def test_draft_race_makes_one_application_for_the_month(desk: Desk) -> None:
    for _ in range(ROUNDS):
        anna = resident()
        request = pb.CreateDraftRequest(kind="eb_lopande")
        answers, codes = fire(
            lambda request=request, anna=anna: desk.stub.CreateDraft(request, metadata=desk.auth(anna))
        )
        assert len(answers) == 1 and set(codes) == {grpc.StatusCode.FAILED_PRECONDITION}, codes


def test_an_answer_is_forgotten_after_a_day_and_the_key_then_runs_again(desk: Desk) -> None:
    case = desk.in_progress(resident())
    key = uuid.uuid4().hex
    request = pb.CaseActionRequest(application_id=case.application_id, expected_version=case.version)
    store = IdempotencyStore(desk.db, IDEMPOTENCY)
    with pytest.raises(grpc.RpcError):  # refused (not decided): nothing stored
        desk.stub.CloseCase(request, metadata=desk.staff(key))
    decide = pb.DecideRequest(application_id=case.application_id, outcome="approved", expected_version=case.version)
    desk.stub.Decide(decide, metadata=desk.staff(key))
    assert store.purge() == 0  # a fresh answer is kept
    with desk.db.transaction() as session:
        session.execute(IDEMPOTENCY.update().values(created_at=datetime.now(UTC) - timedelta(days=2)))
    assert store.purge() == 1
    with pytest.raises(grpc.RpcError) as again:  # the key is free: the command runs, and the case says no
        desk.stub.Decide(decide, metadata=desk.staff(key))
    assert again.value.code() in LOST_RACE

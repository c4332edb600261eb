"""A completion as residents need it: the answer can be added to (text and files) until the due date;
after it, the case says so, nothing more is accepted, and the case worker decides (never
automatically). Two sends of one page (the same version) add once."""

# ruff: noqa: F811 - test functions take the imported `desk` fixture as their argument
from __future__ import annotations

import uuid
from datetime import timedelta

import grpc

from fickan.applications.v1 import applications_pb2 as pb

# The races' desk fixture (the real server with a controllable today), shared by importing it.
from .test_every_case_change_happens_once import Desk, desk, exactly_one, fire  # noqa: F401

PDF = b"%PDF-1.4\n%%EOF\n"


def upload(desk: Desk, anna: str, application_id: str, name: str) -> str:
    request = pb.UploadAttachmentRequest(application_id=application_id, filename=name, content=PDF)
    return desk.stub.UploadAttachment(request, metadata=desk.auth(anna)).attachment_id


def get(desk: Desk, anna: str, application_id: str) -> pb.Application:
    return desk.stub.GetApplication(pb.GetApplicationRequest(application_id=application_id), metadata=desk.auth(anna))


def test_a_second_file_before_the_due_date_is_added_to_the_answer(desk: Desk) -> None:
    anna = str(uuid.uuid4())
    case = desk.completion_requested(anna)
    first = upload(desk, anna, case.application_id, "lonebesked.pdf")
    answered = desk.stub.SubmitCompletion(
        pb.SubmitCompletionRequest(application_id=case.application_id, text="Här är det.", attachment_ids=[first]),
        metadata=desk.auth(anna),
    )
    assert answered.status == pb.APPLICATION_STATUS_COMPLETION_SUBMITTED
    assert get(desk, anna, case.application_id).completion_requests[-1].open_for_resident

    second = upload(desk, anna, case.application_id, "kontoutdrag.pdf")
    added = desk.stub.SubmitCompletion(
        pb.SubmitCompletionRequest(
            application_id=case.application_id, text="Och kontoutdraget.", attachment_ids=[second]
        ),
        metadata=desk.auth(anna),
    )
    request = get(desk, anna, case.application_id).completion_requests[-1]
    assert added.status == pb.APPLICATION_STATUS_COMPLETION_SUBMITTED
    assert list(request.answer_attachment_ids) == [first, second]
    assert request.answer_text == "Här är det.\n\nOch kontoutdraget."
    assert any(e.text == "Du lade till i kompletteringen." for e in get(desk, anna, case.application_id).timeline)


def test_after_the_due_date_nothing_more_is_accepted_and_the_case_says_so(desk: Desk) -> None:
    anna = str(uuid.uuid4())
    case = desk.completion_requested(anna)
    due = get(desk, anna, case.application_id).completion_requests[-1].due_date
    desk.today[0] = desk.today[0].fromisoformat(due) + timedelta(days=1)
    try:
        shown = get(desk, anna, case.application_id).completion_requests[-1]
        assert shown.overdue and not shown.open_for_resident
        for call in (
            lambda: desk.stub.SubmitCompletion(
                pb.SubmitCompletionRequest(application_id=case.application_id, text="Sent"), metadata=desk.auth(anna)
            ),
            lambda: upload(desk, anna, case.application_id, "sent.pdf"),
        ):
            try:
                call()
            except grpc.RpcError as refused:
                assert refused.code() == grpc.StatusCode.FAILED_PRECONDITION
                assert "Tiden för kompletteringen gick ut" in refused.details()
            else:
                raise AssertionError("accepted after the due date")
        waiting = get(desk, anna, case.application_id).status
        assert waiting == pb.APPLICATION_STATUS_COMPLETION_REQUESTED  # no automatic decision
    finally:
        desk.today[0] = desk.today[0] - timedelta(days=1)


def test_two_sends_of_one_page_add_once(desk: Desk) -> None:
    anna = str(uuid.uuid4())
    case = desk.completion_requested(anna)
    desk.stub.SubmitCompletion(
        pb.SubmitCompletionRequest(application_id=case.application_id, text="Svar."), metadata=desk.auth(anna)
    )
    seen = get(desk, anna, case.application_id)
    request = pb.SubmitCompletionRequest(
        application_id=case.application_id, text="Tillägg.", expected_version=seen.version
    )
    exactly_one(*fire(lambda: desk.stub.SubmitCompletion(request, metadata=desk.auth(anna))))
    assert get(desk, anna, case.application_id).completion_requests[-1].answer_text == "Svar.\n\nTillägg."


def test_the_case_worker_decides_an_unanswered_completion_only_after_its_due_date(desk: Desk) -> None:
    """Nothing is rejected by itself: before the due date the case worker waits; after it they may
    decide on what there is, and a rejection carries how to appeal."""
    anna = str(uuid.uuid4())
    case = desk.completion_requested(anna)
    reject = pb.DecideRequest(
        application_id=case.application_id, outcome="rejected", reasons="Lönebeskedet kom inte in."
    )
    try:
        desk.stub.Decide(reject, metadata=desk.staff())
    except grpc.RpcError as refused:
        assert refused.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert "på sig att komplettera" in refused.details()
    else:
        raise AssertionError("decided before the due date")

    due = get(desk, anna, case.application_id).completion_requests[-1].due_date
    desk.today[0] = desk.today[0].fromisoformat(due) + timedelta(days=1)
    try:
        waiting = get(desk, anna, case.application_id).status
        assert waiting == pb.APPLICATION_STATUS_COMPLETION_REQUESTED  # still waiting for a person
        decided = desk.stub.Decide(reject, metadata=desk.staff())
        assert decided.status == pb.APPLICATION_STATUS_DECIDED
        shown = get(desk, anna, case.application_id)
        assert shown.decision.outcome == "rejected" and "överklaga" in shown.decision.appeal
        assert shown.decision.reasons == "Lönebeskedet kom inte in."
    finally:
        desk.today[0] = desk.today[0] - timedelta(days=1)

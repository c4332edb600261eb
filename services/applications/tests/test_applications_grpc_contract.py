"""applications over real gRPC with the official client: the draft-to-submitted slice and every
refusal, each leaving the stored application unchanged."""

from __future__ import annotations

import uuid

import grpc
import pytest
from sqlalchemy import select

from applications.store import OUTBOX, Application
from fickan.applications.events.v1 import events_pb2
from fickan.applications.v1 import applications_pb2 as pb
from fickan_common.events import parse_data

from .test_forms import COMPLETE

KIND = "ekonomiskt_bistand"


def md(token):
    return [("authorization", f"Bearer {token}")]


def rpc_error(call):
    with pytest.raises(grpc.RpcError) as err:
        call()
    return err.value


def stored(db, application_id):
    with db.transaction() as session:
        app = session.get(Application, application_id)
        return app.status, app.version, dict(app.answers)


def test_draft_save_and_submit_publishes_application_submitted(running):
    user = str(uuid.uuid4())
    token = running.tokens.token(user)
    draft = running.stub.CreateDraft(pb.CreateDraftRequest(kind=KIND), metadata=md(token))
    assert (draft.status, draft.version) == (pb.APPLICATION_STATUS_DRAFT, 1)
    assert draft.title == "Ansökan om ekonomiskt bistånd"
    saved = running.stub.SaveAnswers(
        pb.SaveAnswersRequest(application_id=draft.application_id, answers=COMPLETE, expected_version=1),
        metadata=md(token),
    )
    assert saved.version == 2 and dict(saved.answers) == COMPLETE
    done = running.stub.Submit(
        pb.SubmitRequest(application_id=draft.application_id, expected_version=2), metadata=md(token)
    )
    assert done.status == pb.APPLICATION_STATUS_SUBMITTED
    assert done.status_text.startswith("Skickad") and done.submitted_at.seconds
    with running.db.transaction() as session:
        envelopes = session.execute(select(OUTBOX.table.c.envelope)).scalars().all()
    assert [e["event_type"] for e in envelopes] == ["case_status_changed", "application_submitted"]
    assert running.kicked == [e["event_id"] for e in envelopes]
    event = parse_data(envelopes[1], events_pb2.ApplicationSubmitted)
    assert (event.application_id, event.applicant_id, event.period) == (draft.application_id, user, "2026-12")
    listed = running.stub.ListMyApplications(pb.ListMyApplicationsRequest(), metadata=md(token)).applications
    assert [a.application_id for a in listed] == [draft.application_id]


def test_the_form_definition_is_served_in_swedish(running):
    form = running.stub.GetForm(pb.GetFormRequest(kind=KIND), metadata=md(running.tokens.token()))
    assert form.title == "Ansökan om ekonomiskt bistånd"
    assert [f.name for f in form.fields][:2] == ["period", "household_adults"]


def test_another_resident_can_neither_read_nor_change_nor_submit_the_case(running):
    owner = running.tokens.token()
    draft = running.stub.CreateDraft(pb.CreateDraftRequest(kind=KIND), metadata=md(owner))
    running.stub.SaveAnswers(
        pb.SaveAnswersRequest(application_id=draft.application_id, answers=COMPLETE), metadata=md(owner)
    )
    before = stored(running.db, draft.application_id)
    other = running.tokens.token()
    calls = [
        lambda: running.stub.GetApplication(
            pb.GetApplicationRequest(application_id=draft.application_id), metadata=md(other)
        ),
        lambda: running.stub.SaveAnswers(
            pb.SaveAnswersRequest(application_id=draft.application_id, answers={"income": "1"}), metadata=md(other)
        ),
        lambda: running.stub.Submit(pb.SubmitRequest(application_id=draft.application_id), metadata=md(other)),
    ]
    for call in calls:
        assert rpc_error(call).code() == grpc.StatusCode.PERMISSION_DENIED
    assert stored(running.db, draft.application_id) == before
    assert running.stub.ListMyApplications(pb.ListMyApplicationsRequest(), metadata=md(other)).applications == []


def test_malformed_answers_are_refused_field_by_field_and_nothing_is_saved(running):
    token = running.tokens.token()
    draft = running.stub.CreateDraft(pb.CreateDraftRequest(kind=KIND), metadata=md(token))
    error = rpc_error(
        lambda: running.stub.SaveAnswers(
            pb.SaveAnswersRequest(
                application_id=draft.application_id, answers={"income": "tusen", "period": "2026-12"}
            ),
            metadata=md(token),
        )
    )
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "income" in dict(error.trailing_metadata())["fickan-field-errors-bin"].decode()
    assert stored(running.db, draft.application_id) == ("draft", 1, {})


def test_an_incomplete_application_cannot_be_submitted(running):
    token = running.tokens.token()
    draft = running.stub.CreateDraft(pb.CreateDraftRequest(kind=KIND), metadata=md(token))
    error = rpc_error(
        lambda: running.stub.Submit(pb.SubmitRequest(application_id=draft.application_id), metadata=md(token))
    )
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert stored(running.db, draft.application_id) == ("draft", 1, {})
    with running.db.transaction() as session:
        assert session.execute(select(OUTBOX.table.c.id)).first() is None


def test_a_stale_write_from_a_second_device_is_refused(running):
    token = running.tokens.token()
    draft = running.stub.CreateDraft(pb.CreateDraftRequest(kind=KIND), metadata=md(token))
    running.stub.SaveAnswers(
        pb.SaveAnswersRequest(application_id=draft.application_id, answers={"income": "100"}, expected_version=1),
        metadata=md(token),
    )
    error = rpc_error(
        lambda: running.stub.SaveAnswers(
            pb.SaveAnswersRequest(application_id=draft.application_id, answers={"income": "999"}, expected_version=1),
            metadata=md(token),
        )
    )
    assert error.code() == grpc.StatusCode.ABORTED and "annan enhet" in error.details()
    assert stored(running.db, draft.application_id)[2] == {"income": "100"}


def test_submitting_twice_is_refused_and_publishes_once(running):
    token = running.tokens.token()
    draft = running.stub.CreateDraft(pb.CreateDraftRequest(kind=KIND), metadata=md(token))
    running.stub.SaveAnswers(
        pb.SaveAnswersRequest(application_id=draft.application_id, answers=COMPLETE), metadata=md(token)
    )
    running.stub.Submit(pb.SubmitRequest(application_id=draft.application_id), metadata=md(token))
    error = rpc_error(
        lambda: running.stub.Submit(pb.SubmitRequest(application_id=draft.application_id), metadata=md(token))
    )
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert len(running.kicked) == 2  # the one move: case_status_changed and application_submitted


def test_bad_ids_unknown_cases_and_unknown_e_services_are_refused(running):
    token = running.tokens.token()
    get = running.stub.GetApplication
    assert rpc_error(lambda: get(pb.GetApplicationRequest(application_id="1 OR 1=1"), metadata=md(token))).code() == (
        grpc.StatusCode.INVALID_ARGUMENT
    )
    unknown = str(uuid.uuid4())
    assert rpc_error(lambda: get(pb.GetApplicationRequest(application_id=unknown), metadata=md(token))).code() == (
        grpc.StatusCode.NOT_FOUND
    )
    assert (
        rpc_error(lambda: running.stub.CreateDraft(pb.CreateDraftRequest(kind="hundbidrag"), metadata=md(token))).code()
        == grpc.StatusCode.NOT_FOUND
    )


def test_staff_tokens_cannot_create_resident_applications(running):
    staff = running.tokens.token(roles=("case_worker",))
    error = rpc_error(lambda: running.stub.CreateDraft(pb.CreateDraftRequest(kind=KIND), metadata=md(staff)))
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED


@pytest.mark.parametrize("kind", ["missing", "expired", "forged"])
def test_calls_without_a_valid_token_are_unauthenticated(running, kind):
    from fickan_common.testing import TokenFactory

    metadata = {
        "missing": [],
        "expired": md(running.tokens.token(expires_in=-60)),
        "forged": md(TokenFactory().token()),
    }[kind]
    error = rpc_error(lambda: running.stub.ListMyApplications(pb.ListMyApplicationsRequest(), metadata=metadata))
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED

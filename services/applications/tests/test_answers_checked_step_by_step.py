"""Errors that guide: a step's missing answers, each with its question's own message (or one that
names the question), asked when the resident continues; the whole form before signing. Saving an
incomplete draft stays possible."""

from __future__ import annotations

import uuid

import grpc

from fickan.applications.v1 import applications_pb2 as pb

from .test_who_may_read_a_case import code_of, md

KIND = "eb_grundansokan"


def draft(running, token: str) -> str:
    return running.stub.CreateDraft(pb.CreateDraftRequest(kind=KIND), metadata=md(token)).application_id


def test_an_empty_first_step_names_each_missing_question_and_saving_still_works(running) -> None:
    token = running.tokens.token(str(uuid.uuid4()))
    app_id = draft(running, token)

    saved = running.stub.SaveAnswers(pb.SaveAnswersRequest(application_id=app_id, answers={}), metadata=md(token))
    problems = running.stub.CheckAnswers(pb.CheckAnswersRequest(application_id=app_id, step=0), metadata=md(token))

    assert saved.version >= 1
    messages = {p.question_id: p.message for p in problems.problems}
    assert messages["period"] == "Ange vilken månad du söker för."
    assert messages["sysselsattning"] == "Svara på frågan: Vad gör du just nu?"
    assert {p.step for p in problems.problems} == {0}
    assert len(set(messages.values())) == len(messages)  # never the same words twice


def test_the_whole_form_lists_every_step_in_order_and_files_ask_to_be_uploaded(running) -> None:
    token = running.tokens.token(str(uuid.uuid4()))
    app_id = draft(running, token)

    problems = running.stub.CheckAnswers(pb.CheckAnswersRequest(application_id=app_id, step=-1), metadata=md(token))

    steps = [p.step for p in problems.problems]
    assert steps == sorted(steps) and len(set(steps)) > 3
    assert any(p.message == "Ladda upp: Kontoutdrag för de senaste tre månaderna" for p in problems.problems)


def test_a_step_that_does_not_exist_and_another_residents_case_are_refused(running) -> None:
    token = running.tokens.token(str(uuid.uuid4()))
    app_id = draft(running, token)
    code, _ = code_of(
        lambda: running.stub.CheckAnswers(pb.CheckAnswersRequest(application_id=app_id, step=99), metadata=md(token))
    )
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    code, _ = code_of(
        lambda: running.stub.CheckAnswers(
            pb.CheckAnswersRequest(application_id=app_id, step=0), metadata=md(running.tokens.token())
        )
    )
    assert code in (grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.NOT_FOUND)

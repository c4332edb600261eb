"""Bodies are checked by the marshmallow schemas before any service is asked: wrong types, missing
fields and unknown fields are 400 with a Swedish message per field, and nothing changes."""

from __future__ import annotations

import pytest

from applications.store import Application
from bff_mobile.schemas.common import MAX_ANSWER_LENGTH, MAX_ANSWERS


@pytest.fixture
def case_id(world, resident) -> str:
    return world.applications.draft(resident, answers={"sysselsattning": "arbetssokande"}).id


def _unchanged(world, case_id) -> None:
    with world.applications.db.read() as session:
        case = session.get(Application, case_id)
    assert case.answers == {"sysselsattning": "arbetssokande"}
    assert case.version == 2  # made, then answered once
    assert case.status == "draft"
    assert "SaveAnswers" not in world.spies["applications"].names()
    assert "Submit" not in world.spies["applications"].names()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"answers": {"income": 1}}, "version", "Fältet saknas."),
        ({"version": 3}, "answers", "Fältet saknas."),
        ({"answers": {"income": 1}, "version": "3"}, "version", "Versionen ska vara ett heltal, 0 eller större."),
        ({"answers": {"income": 1}, "version": True}, "version", "Versionen ska vara ett heltal, 0 eller större."),
        ({"answers": {"income": 1}, "version": -1}, "version", "Versionen ska vara ett heltal, 0 eller större."),
        ({"answers": {"income": 1}, "version": 3.5}, "version", "Versionen ska vara ett heltal, 0 eller större."),
        ({"answers": {"income": 1}, "version": None}, "version", "Fältet får inte vara tomt."),
        ({"answers": ["income", 1], "version": 3}, "answers", "Svaren ska skickas som frågor med svar."),
        ({"answers": "income=1", "version": 3}, "answers", "Svaren ska skickas som frågor med svar."),
        ({"answers": {"income": [1]}, "version": 3}, "answers.income", "Svaret ska vara text eller ett heltal."),
        ({"answers": {"income": {"a": 1}}, "version": 3}, "answers.income", "Svaret ska vara text eller ett heltal."),
        ({"answers": {"income": True}, "version": 3}, "answers.income", "Svaret ska vara text eller ett heltal."),
        ({"answers": {"income": 1.5}, "version": 3}, "answers.income", "Svaret ska vara text eller ett heltal."),
        ({"answers": {"income": None}, "version": 3}, "answers.income", "Fältet får inte vara tomt."),
        ({"answers": {"Income Tax": "1"}, "version": 3}, "answers.Income Tax", "Fältet finns inte. Uppdatera appen."),
        (
            {"answers": {"income": 1}, "version": 3, "status": "submitted"},
            "status",
            "Fältet finns inte. Uppdatera appen.",
        ),
    ],
)
def test_bad_answer_bodies_are_400_per_field_and_change_nothing(client, resident, world, case_id, body, field, message):
    answer = client.put(f"/v1/applications/{case_id}/answers", json=body, headers=resident.headers)

    assert answer.status_code == 400
    error = answer.get_json()["error"]
    assert error["code"] == "invalid_request"
    assert error["message"] == "Några uppgifter behöver rättas. Se meddelandena vid fälten."
    assert error["message_en"]
    assert error["fields"][field] == message
    _unchanged(world, case_id)


def test_every_wrong_field_is_reported_at_once(client, resident, world, case_id):
    answer = client.put(
        f"/v1/applications/{case_id}/answers",
        json={"answers": {"income": [1], "other": "ok"}, "version": "x", "extra": 1},
        headers=resident.headers,
    )

    assert answer.status_code == 400
    assert set(answer.get_json()["error"]["fields"]) == {"answers.income", "version", "extra"}
    _unchanged(world, case_id)


def test_too_many_or_too_long_answers_are_400(client, resident, world, case_id):
    many = {f"q{i}": "1" for i in range(MAX_ANSWERS + 1)}
    long_text = {"other": "x" * (MAX_ANSWER_LENGTH + 1)}

    for answers in (many, long_text):
        answer = client.put(
            f"/v1/applications/{case_id}/answers", json={"answers": answers, "version": 3}, headers=resident.headers
        )
        assert answer.status_code == 400
    _unchanged(world, case_id)


@pytest.mark.parametrize(
    "raw",
    [b"", b"{not json", b"[1, 2]", b'"text"', b"null", b"42"],
)
def test_a_body_that_is_not_a_json_object_is_400(client, resident, world, case_id, raw):
    answer = client.put(
        f"/v1/applications/{case_id}/answers",
        data=raw,
        headers={**resident.headers, "Content-Type": "application/json"},
    )

    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == "invalid_json"
    _unchanged(world, case_id)


@pytest.mark.parametrize(
    "body",
    [{}, {"version": "3"}, {"version": 3, "answers": {}}],
)
def test_bad_submit_bodies_are_400_and_nothing_is_submitted(client, resident, world, case_id, body):
    answer = client.post(f"/v1/applications/{case_id}/submit", json=body, headers=resident.headers)

    assert answer.status_code == 400
    _unchanged(world, case_id)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "kind"),
        ({"kind": 7}, "kind"),
        ({"kind": "Ekonomiskt Bistånd"}, "kind"),
        ({"kind": "ekonomiskt_bistand", "owner": "resident-2"}, "owner"),
    ],
)
def test_bad_draft_bodies_are_400_and_no_draft_is_made(client, resident, world, body, field):
    answer = client.post("/v1/applications", json=body, headers=resident.headers)

    assert answer.status_code == 400
    assert field in answer.get_json()["error"]["fields"]
    assert "CreateDraft" not in world.spies["applications"].names()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"subject": "Hej"}, "body"),
        ({"subject": "", "body": "Fråga"}, "subject"),
        ({"subject": 1, "body": "Fråga"}, "subject"),
        ({"subject": "Hej", "body": "x" * 5001}, "body"),
        ({"subject": "Hej", "body": "Fråga", "channel": "web"}, "channel"),
    ],
)
def test_bad_questions_are_400_and_nothing_is_asked(client, resident, world, body, field):
    answer = client.post("/v1/questions", json=body, headers=resident.headers)

    assert answer.status_code == 400
    assert field in answer.get_json()["error"]["fields"]
    assert world.contact.questions == []


@pytest.mark.parametrize(
    "body",
    [
        {"personalNumber": 199001019802},
        {"personalNumber": "19900101980"},
        {"personalNumber": "199001019802\n"},
        {"personalNumber": ""},
        {"personalNumber": None},
        {"pnr": "199001019802"},
        {"returnUrl": "not a url"},
        {"returnUrl": "https://fickan.example/\n"},
        {"returnUrl": "https://fickan.example/a b"},
        {"returnUrl": "https://fickan.example/\x00"},
        {"returnUrl": 42},
        {"returnUrl": "https://fickan.example/" + "x" * 500},
    ],
)
def test_bad_login_bodies_are_400_and_identity_is_not_asked(client, world, body):
    answer = client.post("/v1/auth/bankid", json=body)

    assert answer.status_code == 400
    assert "StartLogin" not in world.spies["identity"].names()


def test_an_inbox_limit_out_of_range_is_400(client, resident, world):
    for limit in ("0", "101", "many"):
        answer = client.get(f"/v1/inbox?limit={limit}", headers=resident.headers)
        assert answer.status_code == 400
        assert "limit" in answer.get_json()["error"]["fields"]
    assert "ListMessages" not in world.spies["notifications"].names()

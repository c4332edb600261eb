"""Ids in paths must be UUIDs: anything else is a 400 before any service is asked."""

from __future__ import annotations

import pytest

BAD_IDS = [
    "123",
    "not-a-uuid",
    "6f1c1b8e-0f5e-4a43-9b8b-3e2f0a1d2c3",
    "6f1c1b8e0f5e4a439b8b3e2f0a1d2c3bff",
    "' OR 1=1 --",
]


@pytest.mark.parametrize("bad_id", BAD_IDS)
def test_a_bad_application_id_is_400_and_the_service_is_not_asked(client, resident, world, bad_id):
    for method, path, body in (
        ("get", f"/v1/applications/{bad_id}", None),
        ("put", f"/v1/applications/{bad_id}/answers", {"answers": {}, "version": 0}),
        ("post", f"/v1/applications/{bad_id}/submit", {"version": 0}),
        ("get", f"/v1/applications/{bad_id}/signing-text", None),
        ("post", f"/v1/applications/{bad_id}/sign/start", {}),
        ("post", f"/v1/applications/{bad_id}/sign/collect", {"orderRef": "abc"}),
        ("post", f"/v1/applications/{bad_id}/sign/cancel", {"orderRef": "abc"}),
        ("post", f"/v1/applications/{bad_id}/co-sign", {"signatureId": "6f1c1b8e-0f5e-4a43-9b8b-3e2f0a1d2c3b"}),
        ("post", f"/v1/applications/{bad_id}/completion", {"text": "Hej"}),
        ("post", f"/v1/applications/{bad_id}/withdraw", {}),
        ("post", f"/v1/applications/{bad_id}/attachments", None),
        ("get", f"/v1/applications/{bad_id}/attachments/6f1c1b8e-0f5e-4a43-9b8b-3e2f0a1d2c3b", None),
    ):
        answer = getattr(client, method)(path, json=body, headers=resident.headers)
        assert answer.status_code == 400, path
        error = answer.get_json()["error"]
        assert error["code"] == "invalid_id"
        assert error["fields"] == {"application_id": "Länken pekar inte på något giltigt. Gå tillbaka och försök igen."}
    assert world.spies["applications"].names() == []
    assert world.spies["identity"].names() == []


@pytest.mark.parametrize("bad_id", BAD_IDS)
def test_a_bad_message_id_is_400(client, resident, world, bad_id):
    answer = client.post(f"/v1/inbox/{bad_id}/read", headers=resident.headers)

    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == "invalid_id"
    assert world.spies["notifications"].names() == []


def test_an_uppercase_uuid_is_accepted_and_passed_on_in_canonical_form(client, resident, world):
    case_id = world.applications.draft(resident).id

    answer = client.get(f"/v1/applications/{case_id.upper()}", headers=resident.headers)

    assert answer.status_code == 200
    assert answer.get_json()["id"] == case_id


def test_a_bad_form_kind_is_400(client, resident, world):
    answer = client.get("/v1/forms/Ekonomiskt-Bistånd", headers=resident.headers)

    assert answer.status_code == 400
    assert "kind" in answer.get_json()["error"]["fields"]
    assert world.spies["applications"].names() == []

"""Every /v1 route except login needs a valid resident token; a refusal says in Swedish what to do."""

from __future__ import annotations

import pytest

from fickan_common.testing import TokenFactory


def _error(answer):
    return answer.get_json()["error"]


def test_a_missing_token_is_401_asking_the_resident_to_log_in(client):
    answer = client.get("/v1/applications")

    assert answer.status_code == 401
    assert _error(answer)["code"] == "token_missing"
    assert _error(answer)["message"] == "Du behöver logga in med BankID för att fortsätta."
    assert _error(answer)["message_en"] == "You need to log in with BankID to continue."
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_token_is_401_asking_to_log_in_again(client, world):
    expired = world.identity.token("resident-1", ttl=-60, device="mobile")

    answer = client.get("/v1/applications", headers={"Authorization": f"Bearer {expired}"})

    assert answer.status_code == 401
    assert _error(answer)["code"] == "token_expired"
    assert "Logga in med BankID igen" in _error(answer)["message"]
    assert 'error="invalid_token"' in answer.headers["WWW-Authenticate"]


def test_a_token_signed_by_another_key_is_401(client):
    forged = TokenFactory().token("resident-1")

    answer = client.get("/v1/applications", headers={"Authorization": f"Bearer {forged}"})

    assert answer.status_code == 401
    assert _error(answer)["code"] == "token_invalid"
    assert "logga in med BankID igen" in _error(answer)["message"]


def test_a_token_forged_with_identitys_key_id_is_401(client, world):
    forger = TokenFactory()
    forger.kid = world.identity.keys.current_kid
    forged = forger.token("resident-1")

    answer = client.get("/v1/me", headers={"Authorization": f"Bearer {forged}"})

    assert answer.status_code == 401
    assert _error(answer)["code"] == "token_invalid"


@pytest.mark.parametrize("header", ["Bearer", "Bearer not-a-jwt", "Basic dXNlcjpwYXNz", "bearer a.b.c"])
def test_garbage_authorization_headers_are_401(client, header):
    answer = client.get("/v1/me", headers={"Authorization": header})

    assert answer.status_code == 401
    assert _error(answer)["code"] in {"token_missing", "token_invalid"}


def test_a_staff_token_is_403_in_the_residents_app(client, world):
    staff = world.identity.token("staff-1", roles=("case_worker",), unit="socialtjansten", device="web")

    answer = client.get("/v1/applications", headers={"Authorization": f"Bearer {staff}"})

    assert answer.status_code == 403
    assert _error(answer)["code"] == "forbidden"
    assert world.spies["applications"].calls == []


def test_the_token_is_checked_before_the_body_so_strangers_learn_nothing(client, world):
    answer = client.put("/v1/applications/not-a-uuid/answers", json={"nonsense": True})

    assert answer.status_code == 401
    assert world.spies["applications"].calls == []


def test_the_service_verifies_the_token_again(client, world, resident):
    """Defence in depth: the BFF forwards the caller's own token and the service sees that caller."""
    client.post("/v1/applications", json={"kind": "ekonomiskt_bistand"}, headers=resident.headers)

    [call] = world.spies["applications"].of("CreateDraft")
    assert call.caller.user_id == resident.user_id and call.caller.token == resident.token
    [case] = world.applications.applications.list_mine(call.caller)
    assert case.applicant_id == resident.user_id


def test_a_paired_watchs_glance_token_is_403_in_the_app(client, world, resident):
    glance = world.identity.glance_token(resident)

    for path in ("/v1/applications", "/v1/me", "/v1/devices", "/v1/access-log"):
        answer = client.get(path, headers={"Authorization": f"Bearer {glance}"})
        assert answer.status_code == 403, path
        assert _error(answer)["code"] == "forbidden"
    assert world.spies["applications"].calls == []
    assert world.spies["identity"].names() == []


NEW_PROTECTED = [
    ("get", "/v1/applications/{id}/signing-text", None),
    ("post", "/v1/applications/{id}/sign/start", {}),
    ("post", "/v1/applications/{id}/sign/collect", {"orderRef": "abc"}),
    ("post", "/v1/applications/{id}/co-sign", {"signatureId": "6f1c1b8e-0f5e-4a43-9b8b-3e2f0a1d2c3b"}),
    ("post", "/v1/applications/{id}/completion", {"text": "Hej"}),
    ("post", "/v1/applications/{id}/withdraw", {}),
    ("get", "/v1/applications/{id}/attachments/6f1c1b8e-0f5e-4a43-9b8b-3e2f0a1d2c3b", None),
]


@pytest.mark.parametrize(("method", "path", "body"), NEW_PROTECTED)
def test_the_new_case_routes_need_a_residents_token_and_refuse_a_watch(client, world, resident, method, path, body):
    case_id = world.applications.draft(resident).id
    glance = world.identity.glance_token(resident)
    url = path.format(id=case_id)

    missing = getattr(client, method)(url, json=body)
    watch = getattr(client, method)(url, json=body, headers={"Authorization": f"Bearer {glance}"})

    assert missing.status_code == 401
    assert watch.status_code == 403
    assert world.spies["applications"].calls == []
    assert world.spies["identity"].names() == []

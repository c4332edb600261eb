"""Refresh tokens and logging out: a refresh token works once and gives the next pair; an unknown or
spent one is a 401 asking for BankID again; logout ends the session of the refresh token or of the
bearer token. Neither token ever reaches a log line."""

from __future__ import annotations

import pytest
from conftest import PEOPLE, asked

from fickan_common.testing import TokenFactory, captured_logs
from identity import sessions as identity_sessions


def _login(client) -> dict:
    """A whole BankID login through the BFF (the simulator's app opens the order by itself)."""
    started = client.post("/v1/auth/bankid", json={"personalNumber": PEOPLE[0]}).get_json()
    order = {"orderRef": started["orderRef"], "collectSecret": started["collectSecret"]}
    done = client.post("/v1/auth/collect", json=order).get_json()
    while done["status"] == "pending":
        done = client.post("/v1/auth/collect", json=order).get_json()
    assert done["status"] == "complete"
    return done


def _calls(world) -> list[str]:  # type: ignore[no-untyped-def]
    return world.spies["identity"].names()


def _revoked(world) -> set[str]:  # type: ignore[no-untyped-def]
    return {sid for sid, _ in world.identity.identity.sessions.revoked()}


def test_a_refresh_token_gives_a_new_access_token_and_the_next_refresh_token(client, world):
    first = _login(client)

    answer = client.post("/v1/auth/refresh", json={"refreshToken": first["refreshToken"]})

    assert answer.status_code == 200
    body = answer.get_json()
    assert set(body) == {"accessToken", "expiresIn", "refreshToken"}
    assert body["expiresIn"] == 600  # identity's access token lifetime (IdentityForTests)
    assert body["refreshToken"] != first["refreshToken"]
    assert answer.headers["Cache-Control"] == "no-store"
    me = client.get("/v1/me", headers={"Authorization": f"Bearer {body['accessToken']}"})
    assert me.status_code == 200
    assert me.get_json()["id"] == first["user"]["id"]
    # the new one works in turn
    assert client.post("/v1/auth/refresh", json={"refreshToken": body["refreshToken"]}).status_code == 200


@pytest.mark.parametrize("spent", [False, True])
def test_an_unknown_or_spent_refresh_token_is_401_asking_for_bankid_again(client, world, spent, monkeypatch):
    monkeypatch.setattr(identity_sessions, "REFRESH_RACE_GRACE", 0)  # a second use is reuse, not a race
    token = "x" * 43
    if spent:
        token = _login(client)["refreshToken"]
        assert client.post("/v1/auth/refresh", json={"refreshToken": token}).status_code == 200

    answer = client.post("/v1/auth/refresh", json={"refreshToken": token})

    assert answer.status_code == 401
    error = answer.get_json()["error"]
    assert error["code"] == "session_ended"
    assert error["message"] == "Din inloggning har upphört. Logga in med BankID igen."
    assert error["message_en"] == "Your login has ended. Please log in with BankID again."
    assert 'error="invalid_token"' in answer.headers["WWW-Authenticate"]
    assert _calls(world).count("RefreshToken") == (2 if spent else 1)


def test_a_refresh_race_of_the_apps_own_requests_is_409_not_a_logout(client, world):
    token = _login(client)["refreshToken"]
    assert client.post("/v1/auth/refresh", json={"refreshToken": token}).status_code == 200

    answer = client.post("/v1/auth/refresh", json={"refreshToken": token})  # the app's other request, at once

    assert answer.status_code == 409
    error = answer.get_json()["error"]
    assert error["code"] == "already_refreshed"
    assert error["message"].startswith("Inloggningen förnyades nyss")
    assert error["message_en"].startswith("Your login was just renewed")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "Fältet saknas."),
        ({"refreshToken": None}, "Fältet får inte vara tomt."),
        ({"refreshToken": 12345}, "Skriv text här."),
        ({"refreshToken": ""}, "Skriv något här."),
        ({"refreshToken": "x" * 201}, "Texten får vara högst 200 tecken."),
        ({"refreshToken": "abc def"}, "Inloggningen känns inte igen. Logga in med BankID igen."),
        ({"refreshToken": "abc\n"}, "Inloggningen känns inte igen. Logga in med BankID igen."),
        ({"refreshToken": "abc", "userId": "resident-2"}, None),
    ],
)
def test_bad_refresh_bodies_are_400_and_identity_is_not_asked(client, world, body, message):
    answer = client.post("/v1/auth/refresh", json=body)

    assert answer.status_code == 400
    error = answer.get_json()["error"]
    assert error["code"] == "invalid_request"
    if message is None:
        assert error["fields"] == {"userId": "Fältet finns inte. Uppdatera appen."}
    else:
        assert error["fields"] == {"refreshToken": message}
    assert "RefreshToken" not in _calls(world)


def test_refresh_is_post_only(client, world):
    answer = client.get("/v1/auth/refresh")

    assert answer.status_code == 405
    assert answer.get_json()["error"]["code"] == "method_not_allowed"
    assert _calls(world) == []


def test_logout_with_the_refresh_token_needs_no_access_token_and_ends_that_session(client, world):
    token = _login(client)["refreshToken"]

    answer = client.post("/v1/auth/logout", json={"refreshToken": token})

    assert answer.status_code == 204
    assert answer.get_data() == b""
    [sent] = asked(world, "identity", "Logout")
    assert sent.refresh_token == token
    assert client.post("/v1/auth/refresh", json={"refreshToken": token}).status_code == 401


def test_logout_without_a_body_ends_the_session_of_the_bearer_token(client, world, resident):
    answer = client.post("/v1/auth/logout", headers=resident.headers)

    assert answer.status_code == 204
    assert _revoked(world) == {resident.session_id}


def test_logout_with_an_empty_json_object_uses_the_bearer_token_too(client, world, resident):
    answer = client.post("/v1/auth/logout", json={}, headers=resident.headers)

    assert answer.status_code == 204
    assert _revoked(world) == {resident.session_id}


@pytest.mark.parametrize("kind", ["none", "expired", "forged"])
def test_logout_without_a_refresh_token_or_a_valid_bearer_token_is_401(client, world, kind):
    headers = {}
    if kind == "expired":
        headers = {"Authorization": f"Bearer {world.identity.token('resident-1', ttl=-60, device='mobile')}"}
    elif kind == "forged":
        headers = {"Authorization": f"Bearer {TokenFactory().token('resident-1')}"}

    answer = client.post("/v1/auth/logout", headers=headers)

    assert answer.status_code == 401
    expected = {"none": "token_missing", "expired": "token_expired", "forged": "token_invalid"}[kind]
    assert answer.get_json()["error"]["code"] == expected
    assert "Logout" not in _calls(world)


@pytest.mark.parametrize(
    "raw",
    [b'{"refreshToken": 7}', b'{"refreshToken": "a b"}', b'{"token": "abc"}', b"[1]", b"{not json"],
)
def test_bad_logout_bodies_are_400_and_nobody_is_logged_out(client, world, resident, raw):
    answer = client.post("/v1/auth/logout", data=raw, headers={**resident.headers, "Content-Type": "application/json"})

    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] in {"invalid_request", "invalid_json"}
    assert "Logout" not in _calls(world) and _revoked(world) == set()


def test_no_token_is_ever_in_a_log_line(client, world, resident):
    with captured_logs() as stream:
        done = _login(client)
        refreshed = client.post("/v1/auth/refresh", json={"refreshToken": done["refreshToken"]}).get_json()
        client.post("/v1/auth/refresh", json={"refreshToken": done["refreshToken"]})  # spent: 401
        client.post("/v1/auth/refresh", json={"refreshToken": refreshed["refreshToken"] + " "})  # 400
        client.post("/v1/auth/logout", json={"refreshToken": refreshed["refreshToken"]})
        client.post("/v1/auth/logout", headers={"Authorization": f"Bearer {done['accessToken']}"})
        client.post("/v1/auth/logout", headers={"Authorization": f"Bearer {done['accessToken']}x"})

    logged = stream.getvalue()
    assert "logged out" in logged  # the app did log these requests, so the checks below mean something
    for secret in (done["refreshToken"], done["accessToken"], refreshed["refreshToken"], refreshed["accessToken"]):
        assert secret not in logged
        assert secret[:20] not in logged

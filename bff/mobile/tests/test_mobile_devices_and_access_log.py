"""The resident's devices (sessions and paired watches), pairing a watch with the code it shows, and
the access log of who at the municipality read their data. Bad ids and codes never reach identity.
All against the real identity: sessions from BankID logins, watches paired as residents pair them,
access entries recorded by real staff."""

from __future__ import annotations

import uuid

import pytest
from conftest import asked

from fickan_common.testing import captured_logs

SESSION_ID = "0123456789abcdef0123456789abcdef"
WATCH_ID = "watch:6f1c1b8e-0f5e-4a43-9b8b-3e2f0a1d2c3b"


def _watch_id(world, person) -> str:  # type: ignore[no-untyped-def]
    """A watch `person` paired; its device id."""
    device_code, user_code = world.identity.start_watch_pairing()
    device_id = world.identity.confirm_watch(person, user_code)
    world.identity.parts.pairings.poll(device_code)
    return device_id


def _calls(world) -> list[str]:  # type: ignore[no-untyped-def]
    return world.spies["identity"].names()


# --- devices -----------------------------------------------------------------------------------
def test_my_devices_are_listed_with_the_current_one_marked(client, world, resident):
    watch_id = _watch_id(world, resident)

    answer = client.get("/v1/devices", headers=resident.headers)

    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    devices = {d["id"]: d for d in answer.get_json()["devices"]}
    assert set(devices) == {f"session:{resident.session_id}", watch_id}
    phone, watch = devices[f"session:{resident.session_id}"], devices[watch_id]
    assert (phone["kind"], phone["current"], watch["kind"], watch["current"]) == ("mobile", True, "watch", False)
    assert set(phone) == {"id", "kind", "createdAt", "lastUsedAt", "current"}
    assert phone["createdAt"].endswith("+00:00") and phone["lastUsedAt"].endswith("+00:00")


def test_devices_need_a_resident_token(client, world):
    assert client.get("/v1/devices").status_code == 401
    assert client.delete(f"/v1/devices/{WATCH_ID}").status_code == 401
    assert client.post("/v1/devices/watch", json={"userCode": "BCDF-GHJK"}).status_code == 401
    assert client.get("/v1/access-log").status_code == 401
    assert _calls(world) == []


@pytest.mark.parametrize("which", ["watch", "session", "upper-case watch"])
def test_a_device_is_revoked_with_204(client, world, resident, which):
    watch_id = _watch_id(world, resident)
    other_phone = world.log_in(resident.personal_number, device="mobile")
    device_id = {
        "watch": watch_id,
        "session": f"session:{other_phone.session_id}",
        "upper-case watch": watch_id.upper().replace("WATCH", "watch"),
    }[which]

    answer = client.delete(f"/v1/devices/{device_id}", headers=resident.headers)

    assert answer.status_code == 204
    [sent] = asked(world, "identity", "RevokeDevice")
    assert sent.device_id == device_id.lower()  # identity's own form
    left = {d["id"] for d in client.get("/v1/devices", headers=resident.headers).get_json()["devices"]}
    assert device_id.lower() not in left and f"session:{resident.session_id}" in left


def test_revoking_a_device_that_is_not_mine_is_404_with_identitys_message(client, world, resident, neighbour):
    theirs = _watch_id(world, neighbour)

    answer = client.delete(f"/v1/devices/{theirs}", headers=resident.headers)

    assert answer.status_code == 404
    assert answer.get_json()["error"]["message"] == "Enheten finns inte bland dina inloggade enheter."
    assert theirs in {d["id"] for d in client.get("/v1/devices", headers=neighbour.headers).get_json()["devices"]}


@pytest.mark.parametrize(
    "device_id",
    [
        "123",
        "session:",
        "watch:",
        "session:0123456789abcdef",  # too short
        f"session:{SESSION_ID}00",
        f"session:{SESSION_ID[:-1]}g",
        "watch:6f1c1b8e0f5e4a439b8b3e2f0a1d2c3b",  # a uuid, but not in identity's form
        "watch:6f1c1b8e-0f5e-4a43-9b8b-3e2f0a1d2c3",
        f"user:{SESSION_ID}",
        f"session:{SESSION_ID}%0A",
        f"{WATCH_ID}%20",
        "' OR 1=1 --",
    ],
)
def test_a_malformed_device_id_is_400_and_identity_is_not_asked(client, world, resident, device_id):
    answer = client.delete(f"/v1/devices/{device_id}", headers=resident.headers)

    assert answer.status_code == 400
    error = answer.get_json()["error"]
    assert error["code"] == "invalid_id"
    assert error["fields"] == {"device_id": "Enheten känns inte igen. Ladda om listan och försök igen."}
    assert "RevokeDevice" not in _calls(world)


def test_the_pairing_path_is_not_a_device_id(client, world, resident):
    """/v1/devices/watch is a path of its own (POST pairs a watch): DELETE there is a 405 naming what
    the path takes, not a 400 about a malformed device id (found by schemathesis)."""
    answer = client.delete("/v1/devices/watch", headers=resident.headers)

    assert answer.status_code == 405
    assert answer.headers["Allow"] == "OPTIONS, POST"
    assert answer.get_json()["error"]["code"] == "method_not_allowed"
    assert "RevokeDevice" not in _calls(world)


def test_devices_answer_get_and_delete_only(client, world, resident):
    assert client.put(f"/v1/devices/{WATCH_ID}", headers=resident.headers).status_code == 405
    assert client.post("/v1/devices", headers=resident.headers).status_code == 405
    assert client.get("/v1/devices/watch", headers=resident.headers).status_code == 405
    assert _calls(world) == []


# --- pairing a watch ----------------------------------------------------------------------------
TYPED = {
    "as shown": lambda c: c,
    "lower case": str.lower,
    "no dash": lambda c: c.replace("-", "").lower(),
    "spaces": lambda c: f" {c[:4].lower()} {c[5:].lower()} ",
    "mixed": lambda c: f"{c[:2]}{c[2:4].lower()} - {c[5:7].lower()}{c[7:]}",
}


@pytest.mark.parametrize("typed", TYPED)
def test_the_code_the_watch_shows_pairs_it_however_it_was_typed(client, world, resident, typed):
    device_code, shown = world.identity.start_watch_pairing()

    answer = client.post("/v1/devices/watch", json={"userCode": TYPED[typed](shown)}, headers=resident.headers)

    assert answer.status_code == 200, answer.get_json()
    device_id = answer.get_json()["deviceId"]
    assert device_id.startswith("watch:")
    [sent] = asked(world, "identity", "ConfirmWatchPairing")
    assert sent.user_code == shown  # the BFF sends identity's own form
    assert world.identity.parts.pairings.poll(device_code).status == "complete"  # the watch is paired
    assert device_id in {d["id"] for d in client.get("/v1/devices", headers=resident.headers).get_json()["devices"]}


def test_a_wrong_or_expired_code_is_404_with_identitys_swedish_message(client, world, resident):
    answer = client.post("/v1/devices/watch", json={"userCode": "BCDF-GHJK"}, headers=resident.headers)

    assert answer.status_code == 404
    error = answer.get_json()["error"]
    assert error["code"] == "not_found"
    assert error["message"] == "Koden stämmer inte eller har gått ut. Kontrollera koden på klockan och försök igen."
    assert error["message_en"]


def test_too_many_tries_is_429(client, world, resident):
    codes = [f"BCDF-GHJ{c}" for c in "BCDFGHJKLMN"]  # identity allows ten tries in ten minutes

    statuses = [
        client.post("/v1/devices/watch", json={"userCode": c}, headers=resident.headers).status_code for c in codes
    ]

    assert statuses == [404] * 10 + [429]
    last = client.post("/v1/devices/watch", json={"userCode": "BCDF-GHJN"}, headers=resident.headers)
    assert last.get_json()["error"]["code"] == "rate_limited"
    assert last.get_json()["error"]["message"] == "För många försök. Vänta en stund och försök igen."


def test_a_watch_cannot_pair_another_watch(client, world, resident):
    glance_token = world.identity.glance_token(resident)
    _, shown = world.identity.start_watch_pairing()
    world.spies["identity"].reset()

    answer = client.post(
        "/v1/devices/watch", json={"userCode": shown}, headers={"Authorization": f"Bearer {glance_token}"}
    )

    assert answer.status_code == 403
    assert answer.get_json()["error"]["code"] == "forbidden"
    assert _calls(world) == []  # refused by the BFF already


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "Fältet saknas."),
        ({"userCode": None}, "Fältet får inte vara tomt."),
        ({"userCode": 12345678}, "Skriv text här."),
        ({"userCode": ["BCDF-GHJK"]}, "Skriv text här."),
        ({"userCode": ""}, "Skriv de åtta bokstäverna som klockan visar, till exempel BCDF-GHJK."),
        ({"userCode": "BCDF-GHJ"}, "Skriv de åtta bokstäverna som klockan visar, till exempel BCDF-GHJK."),
        ({"userCode": "BCDF-GHJKL"}, "Skriv de åtta bokstäverna som klockan visar, till exempel BCDF-GHJK."),
        ({"userCode": "BCDF-GHJ1"}, "Skriv de åtta bokstäverna som klockan visar, till exempel BCDF-GHJK."),
        ({"userCode": "BCDF-GHJÅ"}, "Skriv de åtta bokstäverna som klockan visar, till exempel BCDF-GHJK."),
        ({"userCode": "BCDF-GHJK\n"}, "Skriv de åtta bokstäverna som klockan visar, till exempel BCDF-GHJK."),
        ({"userCode": " " * 13 + "BCDFGHJK"}, "Texten får vara högst 20 tecken."),  # 21 characters
        ({"userCode": "B" * 5000}, "Texten får vara högst 20 tecken."),
    ],
)
def test_bad_codes_are_400_and_identity_is_not_asked(client, world, resident, body, message):
    answer = client.post("/v1/devices/watch", json=body, headers=resident.headers)

    assert answer.status_code == 400
    error = answer.get_json()["error"]
    assert error["code"] == "invalid_request"
    assert error["fields"]["userCode"] == message
    assert "ConfirmWatchPairing" not in _calls(world)


def test_pairing_a_watch_is_post_only(client, world, resident):
    answer = client.put("/v1/devices/watch", json={"userCode": "BCDF-GHJK"}, headers=resident.headers)

    assert answer.status_code == 405
    assert _calls(world) == []


# --- the access log -----------------------------------------------------------------------------
STAFF = {  # role → (a test number of Skatteverket's, name, unit, answer group)
    "case_worker": ("198501012382", "Karin Handläggare", "ekonomiskt-bistand", ""),
    "contact_agent": ("198501032380", "Vera Vägledare", "", "Konsumentvägledning"),
    "admin": ("198501042389", "Adam Administratör", "", ""),
}
CASE = "application:6f1c1b8e-0f5e-4a43-9b8b-3e2f0a1d2c3b"


def _read_by(world, role: str, resident, resource: str = CASE) -> None:  # type: ignore[no-untyped-def]
    """A staff member with `role` reads the resident's data (recorded as a BFF records it)."""
    pnr, name, unit, group = STAFF[role]
    staff = world.identity.log_in_staff(pnr, name, [role], unit, group, device="web")
    world.identity.parts.access_log.record(
        world.identity.principal(staff),
        [resident.user_id],
        "read",
        resource,
        "Ansökan om ekonomiskt bistånd",
        "Handläggning",
    )


def test_the_access_log_names_the_role_in_swedish_and_english(client, world, resident):
    for role in STAFF:
        _read_by(world, role, resident)

    answer = client.get("/v1/access-log", headers=resident.headers)

    assert answer.status_code == 200
    entries = answer.get_json()["entries"]
    karin = next(e for e in entries if e["actorRole"] == "case_worker")
    assert karin == {
        "at": karin["at"],
        "actorName": "Karin Handläggare",
        "actorRole": "case_worker",
        "actorRoleText": "Handläggare",
        "actorRoleTextEn": "Case worker",
        "actorUnit": "ekonomiskt-bistand",
        "action": "read",
        "resource": CASE,
        "description": "Ansökan om ekonomiskt bistånd",
        "reason": "Handläggning",
    }
    assert karin["at"].endswith("+00:00")
    assert sorted((e["actorRole"], e["actorRoleText"]) for e in entries) == [
        ("admin", "Administratör"),
        ("case_worker", "Handläggare"),
        ("contact_agent", "Kommunvägledare"),
    ]
    assert [r.resource for r in asked(world, "identity", "ListMyAccessLog")] == [""]


def test_the_access_log_of_one_resource(client, world, resident):
    case = f"application:{uuid.uuid4()}"
    _read_by(world, "case_worker", resident)
    _read_by(world, "admin", resident, resource=case)

    answer = client.get("/v1/access-log", query_string={"resource": case}, headers=resident.headers)

    assert answer.status_code == 200
    assert [e["resource"] for e in answer.get_json()["entries"]] == [case]
    assert [r.resource for r in asked(world, "identity", "ListMyAccessLog")] == [case]


def test_only_my_own_access_log_is_shown(client, world, resident, neighbour):
    _read_by(world, "case_worker", neighbour)

    assert client.get("/v1/access-log", headers=resident.headers).get_json() == {"entries": []}


@pytest.mark.parametrize(
    ("resource", "message"),
    [
        ("", "Skriv något här."),
        ("application", "Det finns inget sådant att visa."),
        ("Application:abc", "Det finns inget sådant att visa."),
        ("application:", "Det finns inget sådant att visa."),
        ("application:abc def", "Det finns inget sådant att visa."),
        ("application:abc\n", "Det finns inget sådant att visa."),
        ("application:" + "a" * 65, "Det finns inget sådant att visa."),
        ("a" * 90 + ":" + "b" * 20, "Texten får vara högst 100 tecken."),
    ],
)
def test_a_bad_resource_filter_is_400_and_identity_is_not_asked(client, world, resident, resource, message):
    answer = client.get("/v1/access-log", query_string={"resource": resource}, headers=resident.headers)

    assert answer.status_code == 400
    assert answer.get_json()["error"]["fields"] == {"resource": message}
    assert "ListMyAccessLog" not in _calls(world)


# --- /me -----------------------------------------------------------------------------------------
def test_me_has_the_unit_when_the_token_has_one(client, world):
    karin = world.identity.log_in_staff("198501012382", "Karin", ["case_worker"], "forsorjningsstod", device="mobile")

    me = client.get("/v1/me", headers=karin.headers).get_json()

    assert me["unit"] == "forsorjningsstod"
    assert me["roles"] == ["resident", "case_worker"]


def test_me_has_no_unit_when_there_is_none(client, resident):
    assert "unit" not in client.get("/v1/me", headers=resident.headers).get_json()


def test_pairing_and_devices_never_log_tokens_or_codes(client, world, resident):
    _, shown = world.identity.start_watch_pairing()
    with captured_logs() as stream:
        paired = client.post("/v1/devices/watch", json={"userCode": shown.lower()}, headers=resident.headers)
        client.post("/v1/devices/watch", json={"userCode": "BCDF-XXXX"}, headers=resident.headers)
        client.get("/v1/devices", headers=resident.headers)
        client.delete(f"/v1/devices/{paired.get_json()['deviceId']}", headers=resident.headers)

    logged = stream.getvalue()
    assert "watch pairing confirmed" in logged and "device revoked" in logged
    assert resident.token not in logged
    assert resident.token.split(".")[1] not in logged  # not even the claims
    assert shown not in logged and shown.replace("-", "") not in logged
    assert "GHJK" not in logged.upper() and "XXXX" not in logged

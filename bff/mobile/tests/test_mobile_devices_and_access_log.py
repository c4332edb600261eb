"""The resident's devices (sessions and paired watches), pairing a watch with the code it shows, and
the access log of who at the municipality read their data. Bad ids and codes never reach identity."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from mobile_fakes import fake_app, fake_client, fake_neighbour, fake_resident, fake_world, on_fakes  # noqa: F401 - not moved yet

from fickan.identity.v1 import identity_pb2 as identity_pb
from fickan_common.testing import captured_logs

SESSION_ID = "0123456789abcdef0123456789abcdef"
WATCH_ID = "watch:6f1c1b8e-0f5e-4a43-9b8b-3e2f0a1d2c3b"
NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def _ts(value: datetime) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(value)
    return ts


@pytest.fixture
def on_my_phone(world, resident):
    """The resident's token carries the session id, as identity's do."""
    token = world.tokens.token(resident.user_id, name="Tove Svensson", device="mobile", sid=SESSION_ID)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def my_devices(world, resident):
    world.identity.devices[resident.user_id] = [
        {
            "device_id": f"session:{SESSION_ID}",
            "kind": "mobile",
            "created_at": NOW - timedelta(days=2),
            "last_used_at": NOW,
            "sid": SESSION_ID,
        },
        {"device_id": WATCH_ID, "kind": "watch", "created_at": NOW - timedelta(days=9), "last_used_at": None},
    ]


# --- devices -----------------------------------------------------------------------------------
def test_my_devices_are_listed_with_the_current_one_marked(client, world, on_my_phone, my_devices):
    answer = client.get("/v1/devices", headers=on_my_phone)

    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.get_json() == {
        "devices": [
            {
                "id": f"session:{SESSION_ID}",
                "kind": "mobile",
                "createdAt": "2026-11-18T09:30:00+00:00",
                "lastUsedAt": "2026-11-20T09:30:00+00:00",
                "current": True,
            },
            {
                "id": WATCH_ID,
                "kind": "watch",
                "createdAt": "2026-11-11T09:30:00+00:00",
                "lastUsedAt": None,
                "current": False,
            },
        ]
    }


def test_devices_need_a_resident_token(client, world):
    assert client.get("/v1/devices").status_code == 401
    assert client.delete(f"/v1/devices/{WATCH_ID}").status_code == 401
    assert client.post("/v1/devices/watch", json={"userCode": "BCDF-GHJK"}).status_code == 401
    assert client.get("/v1/access-log").status_code == 401
    assert world.identity.calls == []


@pytest.mark.parametrize("device_id", [WATCH_ID, f"session:{SESSION_ID}", WATCH_ID.upper().replace("WATCH", "watch")])
def test_a_device_is_revoked_with_204(client, world, resident, my_devices, device_id):
    answer = client.delete(f"/v1/devices/{device_id}", headers=resident.headers)

    assert answer.status_code == 204
    assert world.identity.revoked == [device_id.lower()]  # identity's own form


def test_revoking_a_device_that_is_not_mine_is_404_with_identitys_message(client, world, resident, neighbour):
    world.identity.devices[neighbour.user_id] = [
        {"device_id": WATCH_ID, "kind": "watch", "created_at": NOW, "last_used_at": NOW}
    ]

    answer = client.delete(f"/v1/devices/{WATCH_ID}", headers=resident.headers)

    assert answer.status_code == 404
    assert answer.get_json()["error"]["message"] == "Enheten finns inte bland dina inloggade enheter."
    assert world.identity.revoked == []


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
    assert "RevokeDevice" not in world.identity.calls


def test_the_pairing_path_is_not_a_device_id(client, world, resident):
    """/v1/devices/watch is a path of its own (POST pairs a watch): DELETE there is a 405 naming what
    the path takes, not a 400 about a malformed device id (found by schemathesis)."""
    answer = client.delete("/v1/devices/watch", headers=resident.headers)

    assert answer.status_code == 405
    assert answer.headers["Allow"] == "OPTIONS, POST"
    assert answer.get_json()["error"]["code"] == "method_not_allowed"
    assert "RevokeDevice" not in world.identity.calls


def test_devices_answer_get_and_delete_only(client, world, resident):
    assert client.put(f"/v1/devices/{WATCH_ID}", headers=resident.headers).status_code == 405
    assert client.post("/v1/devices", headers=resident.headers).status_code == 405
    assert client.get("/v1/devices/watch", headers=resident.headers).status_code == 405
    assert world.identity.calls == []


# --- pairing a watch ----------------------------------------------------------------------------
@pytest.mark.parametrize("typed", ["BCDF-GHJK", "bcdf-ghjk", "bcdfghjk", " bcdf ghjk ", "BcDf - gHjK"])
def test_the_code_the_watch_shows_pairs_it_however_it_was_typed(client, world, resident, typed):
    world.identity.pairing_codes["BCDF-GHJK"] = WATCH_ID

    answer = client.post("/v1/devices/watch", json={"userCode": typed}, headers=resident.headers)

    assert answer.status_code == 200
    assert answer.get_json() == {"deviceId": WATCH_ID}
    assert world.identity.confirmations == [(resident.user_id, "BCDF-GHJK")]
    assert world.identity.devices[resident.user_id][0]["device_id"] == WATCH_ID


def test_a_wrong_or_expired_code_is_404_with_identitys_swedish_message(client, world, resident):
    answer = client.post("/v1/devices/watch", json={"userCode": "BCDF-GHJK"}, headers=resident.headers)

    assert answer.status_code == 404
    error = answer.get_json()["error"]
    assert error["code"] == "not_found"
    assert error["message"] == "Koden stämmer inte eller har gått ut. Kontrollera koden på klockan och försök igen."
    assert error["message_en"]


def test_too_many_tries_is_429(client, world, resident):
    world.identity.confirm_limit = 2
    codes = ["BCDF-GHJK", "BCDF-GHJL", "BCDF-GHJM"]

    statuses = [
        client.post("/v1/devices/watch", json={"userCode": c}, headers=resident.headers).status_code for c in codes
    ]

    assert statuses == [404, 404, 429]
    last = client.post("/v1/devices/watch", json={"userCode": "BCDF-GHJN"}, headers=resident.headers)
    assert last.get_json()["error"]["code"] == "rate_limited"
    assert last.get_json()["error"]["message"] == "För många försök. Vänta en stund och försök igen."


def test_a_watch_cannot_pair_another_watch(client, world):
    glance_token = world.tokens.token("resident-1", device="watch", scope="glance")
    world.identity.pairing_codes["BCDF-GHJK"] = WATCH_ID

    answer = client.post(
        "/v1/devices/watch", json={"userCode": "BCDF-GHJK"}, headers={"Authorization": f"Bearer {glance_token}"}
    )

    assert answer.status_code == 403
    assert answer.get_json()["error"]["code"] == "forbidden"
    assert world.identity.calls == []  # refused by the BFF already


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
    assert "ConfirmWatchPairing" not in world.identity.calls


def test_pairing_a_watch_is_post_only(client, world, resident):
    answer = client.put("/v1/devices/watch", json={"userCode": "BCDF-GHJK"}, headers=resident.headers)

    assert answer.status_code == 405
    assert world.identity.calls == []


# --- the access log -----------------------------------------------------------------------------
def _entry(role: str, resource: str = "application:6f1c1b8e-0f5e-4a43-9b8b-3e2f0a1d2c3b") -> identity_pb.AccessEntry:
    return identity_pb.AccessEntry(
        at=_ts(NOW),
        actor_name="Karin Handläggare",
        actor_role=role,
        actor_unit="Försörjningsstöd",
        action="read",
        resource=resource,
        description="Ansökan om ekonomiskt bistånd",
        reason="Handläggning",
        source="applications",
    )


def test_the_access_log_names_the_role_in_swedish_and_english(client, world, resident):
    world.identity.access_log[resident.user_id] = [
        _entry("case_worker"),
        _entry("contact_agent"),
        _entry("admin"),
        _entry("auditor"),
    ]

    answer = client.get("/v1/access-log", headers=resident.headers)

    assert answer.status_code == 200
    entries = answer.get_json()["entries"]
    assert entries[0] == {
        "at": "2026-11-20T09:30:00+00:00",
        "actorName": "Karin Handläggare",
        "actorRole": "case_worker",
        "actorRoleText": "Handläggare",
        "actorRoleTextEn": "Case worker",
        "actorUnit": "Försörjningsstöd",
        "action": "read",
        "resource": "application:6f1c1b8e-0f5e-4a43-9b8b-3e2f0a1d2c3b",
        "description": "Ansökan om ekonomiskt bistånd",
        "reason": "Handläggning",
    }
    assert [(e["actorRole"], e["actorRoleText"]) for e in entries] == [
        ("case_worker", "Handläggare"),
        ("contact_agent", "Kommunvägledare"),
        ("admin", "Administratör"),
        ("auditor", "Kommunens personal"),
    ]
    assert world.identity.access_queries == [""]


def test_the_access_log_of_one_resource(client, world, resident):
    case = f"application:{uuid.uuid4()}"
    world.identity.access_log[resident.user_id] = [_entry("case_worker"), _entry("admin", resource=case)]

    answer = client.get("/v1/access-log", query_string={"resource": case}, headers=resident.headers)

    assert answer.status_code == 200
    assert [e["resource"] for e in answer.get_json()["entries"]] == [case]
    assert world.identity.access_queries == [case]


def test_only_my_own_access_log_is_shown(client, world, resident, neighbour):
    world.identity.access_log[neighbour.user_id] = [_entry("case_worker")]

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
    assert world.identity.access_queries == []


# --- /me -----------------------------------------------------------------------------------------
def test_me_has_the_unit_when_the_token_has_one(client, world):
    token = world.tokens.token("staff-1", roles=("resident", "case_worker"), name="Karin", unit="Försörjningsstöd")

    me = client.get("/v1/me", headers={"Authorization": f"Bearer {token}"}).get_json()

    assert me["unit"] == "Försörjningsstöd"
    assert me["roles"] == ["resident", "case_worker"]


def test_me_has_no_unit_when_there_is_none(client, resident):
    assert "unit" not in client.get("/v1/me", headers=resident.headers).get_json()


def test_pairing_and_devices_never_log_tokens_or_codes(client, world, resident):
    world.identity.pairing_codes["BCDF-GHJK"] = WATCH_ID
    with captured_logs() as stream:
        client.post("/v1/devices/watch", json={"userCode": "bcdf ghjk"}, headers=resident.headers)
        client.post("/v1/devices/watch", json={"userCode": "BCDF-XXXX"}, headers=resident.headers)
        client.get("/v1/devices", headers=resident.headers)
        client.delete(f"/v1/devices/{WATCH_ID}", headers=resident.headers)

    logged = stream.getvalue()
    assert "watch pairing confirmed" in logged and "device revoked" in logged
    assert resident.token not in logged
    assert resident.token.split(".")[1] not in logged  # not even the claims
    assert "GHJK" not in logged.upper() and "XXXX" not in logged

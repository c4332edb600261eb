"""Pairing the watch like RFC 8628: it gets a device code and a user code, polls with the device code
(every answer a 200 with a status) and, once the resident confirmed the code, gets its watch token."""

from __future__ import annotations

import pytest

from bff_watch.app import create_app
from fickan.identity.v1 import identity_pb2 as identity_pb


def _polled(world) -> list[str]:
    return [c.request.device_code for c in world.spies["identity"].of("PollWatchPairing")]


def _start(client, **headers) -> dict:
    answer = client.post("/v1/pairing", headers=headers)
    assert answer.status_code == 200
    return answer.get_json()


def _poll(client, device_code, **headers):
    return client.post("/v1/pairing/poll", json={"deviceCode": device_code}, headers=headers)


def test_a_pairing_starts_without_a_token_and_says_what_to_do_in_swedish(client, world):
    answer = client.post("/v1/pairing")

    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    assert len(answer.get_data()) < 1024
    body = answer.get_json()
    assert set(body) == {"deviceCode", "userCode", "expiresIn", "interval", "verificationText"}
    assert len(body["deviceCode"]) >= 40 and len(body["userCode"]) == 9  # XXXX-XXXX, as identity shows it
    assert world.spies["identity"].names() == ["StartWatchPairing"]
    assert body["expiresIn"] == 600
    assert body["interval"] == 5
    assert body["verificationText"] == "Öppna Fickan i mobilen eller på webben och skriv koden."


def test_the_pairing_text_is_english_when_the_watch_asks_for_it(client):
    body = _start(client, **{"Accept-Language": "en-US,en;q=0.8"})

    assert body["verificationText"] == "Open Fickan on your phone or the web and enter the code."


def test_polling_is_pending_until_the_resident_confirms_then_complete_with_a_watch_token(client, world, tove):
    started = _start(client)

    pending = _poll(client, started["deviceCode"])
    assert pending.status_code == 200
    assert pending.get_json() == {"status": "authorization_pending", "text": "Väntar på att du skriver koden."}

    world.identity.confirm_watch(tove, started["userCode"])
    world.identity.age_pairings(10)  # the watch waits its interval before polling again
    done = _poll(client, started["deviceCode"])

    assert done.status_code == 200
    assert len(done.get_data()) < 1024
    body = done.get_json()
    assert body["status"] == "complete"
    assert body["name"] == "Tove Svensson"
    assert body["text"] == "Klockan är kopplad."
    # the token works for the glance, as Tove's
    glance = client.get("/v1/glance", headers={"Authorization": f"Bearer {body['watchToken']}"})
    assert glance.status_code == 200
    assert [c.user_id for c in world.spies["applications"].of("GetMyCaseGlance")] == [tove.user_id]


def test_the_watch_token_is_handed_out_once_then_the_pairing_is_expired(client, world, tove):
    started = _start(client)
    world.identity.confirm_watch(tove, started["userCode"])
    assert _poll(client, started["deviceCode"]).get_json()["status"] == "complete"

    again = _poll(client, started["deviceCode"]).get_json()

    assert again == {"status": "expired", "text": "Koden har gått ut. Börja om."}


def test_slow_down_is_a_status_too(client, world):
    started = _start(client)
    assert _poll(client, started["deviceCode"]).get_json()["status"] == "authorization_pending"

    answer = _poll(client, started["deviceCode"], **{"Accept-Language": "en"})  # sooner than the interval

    assert answer.status_code == 200
    assert answer.get_json() == {"status": "slow_down", "text": "Waiting for you to enter the code."}


def test_an_unknown_device_code_is_404_asking_to_start_again(client, world):
    answer = _poll(client, "A" * 43)

    assert answer.status_code == 404
    assert answer.get_json() == {
        "error": {"code": "not_found", "message": "Kopplingen finns inte. Börja om på klockan."}
    }
    assert _polled(world) == ["A" * 43]


def test_a_status_identity_should_not_send_is_500_not_a_guess(client, world):
    started = _start(client)
    world.spies["identity"].inject(  # failure injection: an answer identity never gives
        "PollWatchPairing", lambda request, context: identity_pb.PollWatchPairingResponse()
    )

    answer = _poll(client, started["deviceCode"])

    assert answer.status_code == 500
    assert answer.get_json()["error"]["code"] == "internal"


def test_a_very_long_name_keeps_the_answer_under_1_kb(client, world):
    started = _start(client)
    long_named = world.log_in("199001022384", "Å" * 5000)
    world.identity.confirm_watch(long_named, started["userCode"])

    answer = _poll(client, started["deviceCode"])

    assert len(answer.get_data()) < 1024
    assert answer.get_json()["name"].endswith("…")


@pytest.mark.parametrize(
    ("raw", "code", "field"),
    [
        (b"{}", "invalid_request", "deviceCode"),
        (b'{"deviceCode": null}', "invalid_request", "deviceCode"),
        (b'{"deviceCode": 12345}', "invalid_request", "deviceCode"),
        (b'{"deviceCode": ["abc"]}', "invalid_request", "deviceCode"),
        (b'{"deviceCode": ""}', "invalid_request", "deviceCode"),
        (b'{"deviceCode": "' + b"a" * 101 + b'"}', "invalid_request", "deviceCode"),
        (b'{"deviceCode": "abc def"}', "invalid_request", "deviceCode"),
        (b'{"deviceCode": "abc\\n"}', "invalid_request", "deviceCode"),
        (b'{"deviceCode": "abc", "userId": "resident-2"}', "invalid_request", "userId"),
        (b"[1, 2]", "invalid_json", None),
        (b"{not json", "invalid_json", None),
        (b"", "invalid_json", None),
    ],
)
def test_bad_poll_bodies_are_a_compact_400_and_identity_is_not_asked(client, world, raw, code, field):
    answer = client.post("/v1/pairing/poll", data=raw, headers={"Content-Type": "application/json"})

    assert answer.status_code == 400
    assert len(answer.get_data()) < 1024
    error = answer.get_json()["error"]
    assert error["code"] == code
    assert error.get("field") == field
    assert error["message"]
    assert _polled(world) == []


def test_a_device_code_of_100_characters_is_still_asked_about(client, world):
    assert _poll(client, "a" * 100).status_code == 404
    assert _polled(world) == ["a" * 100]


@pytest.mark.parametrize(
    ("method", "path"), [("get", "/v1/pairing"), ("get", "/v1/pairing/poll"), ("put", "/v1/pairing")]
)
def test_pairing_is_post_only(client, world, method, path):
    answer = getattr(client, method)(path)

    assert answer.status_code == 405
    assert answer.get_json()["error"]["code"] == "method_not_allowed"
    assert world.spies["identity"].calls == []


def test_identity_down_is_a_quick_503(world, dead_target):
    client = create_app(world.services(identity=dead_target)).test_client()

    answer = client.post("/v1/pairing")

    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "5"
    assert answer.get_json()["error"]["code"] == "unavailable"

"""BankID login through the BFF: start, poll until the token comes, cancel; the personnummer travels
only in a request body and never into a log line."""

from __future__ import annotations

import pytest
from conftest import asked

from bff_mobile.app import create_app
from fickan.identity.v1 import identity_pb2 as identity_pb
from fickan_common.testing import captured_logs
from identity.domain import bankid
from identity.service import ORDER_GONE, PNR_MESSAGE

PERSONAL_NUMBER = "199001019802"  # a test number of Skatteverket's


@pytest.fixture(autouse=True)
def _named(world) -> None:  # type: ignore[no-untyped-def]
    world.identity.simulator.names[PERSONAL_NUMBER] = "Tove Svensson"  # the name BankID gives


def ref(order: dict) -> dict:
    """What the app sends to collect or cancel: the order and the secret its start answered."""
    return {"orderRef": order["orderRef"], "collectSecret": order["collectSecret"]}


def test_start_sends_the_personal_number_to_identity_as_a_mobile_login(client, world):
    answer = client.post("/v1/auth/bankid", json={"personalNumber": PERSONAL_NUMBER})

    assert answer.status_code == 200
    body = answer.get_json()
    assert set(body) == {"orderRef", "collectSecret", "autoStartToken", "autoStartUrl", "qrData"}
    assert body["autoStartToken"] and body["qrData"].startswith("bankid.")
    assert body["autoStartUrl"] == f"bankid:///?autostarttoken={body['autoStartToken']}&redirect=null"
    [sent] = asked(world, "identity", "StartLogin")
    assert sent.personal_number == PERSONAL_NUMBER
    assert sent.device == identity_pb.DEVICE_MOBILE
    assert sent.end_user_ip == "127.0.0.1"


def test_collect_is_pending_then_complete_with_a_token_that_works(client, world):
    order = client.post("/v1/auth/bankid", json={"personalNumber": PERSONAL_NUMBER}).get_json()

    pending = client.post("/v1/auth/collect", json=ref(order)).get_json()
    assert pending["status"] == "pending"
    assert pending["hintCode"] == "userSign"  # the simulator's app opened it by itself
    assert pending["message"] == bankid.user_message("pending", "userSign")
    assert pending["accessToken"] is None
    assert pending["qrData"].startswith("bankid.")

    done = client.post("/v1/auth/collect", json=ref(order)).get_json()
    assert done["status"] == "complete"
    assert done["expiresIn"] == 600
    user_id = done["user"]["id"]
    assert done["user"] == {"id": user_id, "name": "Tove Svensson", "roles": ["resident"]}

    me = client.get("/v1/me", headers={"Authorization": f"Bearer {done['accessToken']}"})
    assert me.status_code == 200
    assert me.get_json() == {"id": user_id, "name": "Tove Svensson", "roles": ["resident"], "device": "mobile"}


def test_cancel_ends_the_order_and_an_unknown_order_is_404_with_the_service_message(client, world):
    order = client.post("/v1/auth/bankid", json={"personalNumber": PERSONAL_NUMBER}).get_json()

    assert client.post("/v1/auth/cancel", json=ref(order)).status_code == 204
    assert world.identity.simulator.pending_orders() == []
    again = client.post("/v1/auth/collect", json=ref(order))
    assert again.status_code == 404
    assert again.get_json()["error"]["message"] == ORDER_GONE.sv


def test_a_malformed_personal_number_is_refused_before_identity_is_asked(client, world):
    answer = client.post("/v1/auth/bankid", json={"personalNumber": "12345"})

    assert answer.status_code == 400
    error = answer.get_json()["error"]
    assert error["code"] == "invalid_request"
    assert "12 siffror" in error["fields"]["personalNumber"]
    assert world.spies["identity"].calls == []


def test_identity_field_errors_come_back_under_the_apps_field_names(client, world):
    answer = client.post("/v1/auth/bankid", json={"personalNumber": BAD_CHECK_DIGIT})

    assert answer.status_code == 400
    error = answer.get_json()["error"]
    assert len(asked(world, "identity", "StartLogin")) == 1  # identity refused it, not the BFF
    assert error["message"] == PNR_MESSAGE.sv
    assert error["fields"] == {"personalNumber": PNR_MESSAGE.sv}
    assert BAD_CHECK_DIGIT not in answer.get_data(as_text=True)


BAD_CHECK_DIGIT = "199001019803"  # twelve digits, so the BFF passes it on; the check digit is wrong


def test_the_personal_number_is_never_in_a_log_line(client, world):
    with captured_logs() as stream:
        order = client.post("/v1/auth/bankid", json={"personalNumber": PERSONAL_NUMBER}).get_json()
        client.post("/v1/auth/collect", json=ref(order))
        client.post("/v1/auth/bankid", json={"personalNumber": BAD_CHECK_DIGIT})
        client.post("/v1/auth/bankid", json={"personalNumber": PERSONAL_NUMBER, "extra": PERSONAL_NUMBER})
        client.post("/v1/auth/bankid", data=f"personalNumber={PERSONAL_NUMBER}")

    logged = stream.getvalue()
    assert logged  # grpc and the app did log something, so the check below means something
    for number in (PERSONAL_NUMBER, BAD_CHECK_DIGIT):
        assert number not in logged
        assert number[2:] not in logged


def test_no_login_route_takes_a_personal_number_in_the_url(app):
    for rule in app.url_map.iter_rules():
        assert "personal" not in rule.rule.lower()
        assert "pnr" not in rule.rule.lower()


def test_behind_a_trusted_proxy_bankid_gets_the_residents_address(world, monkeypatch):
    monkeypatch.setenv("FICKAN_PROXY_HOPS", "1")
    client = create_app(world.services()).test_client()

    client.post(
        "/v1/auth/bankid",
        json={"personalNumber": PERSONAL_NUMBER},
        headers={"X-Forwarded-For": "198.51.100.7"},
        environ_base={"REMOTE_ADDR": "10.0.0.2"},
    )

    assert asked(world, "identity", "StartLogin")[-1].end_user_ip == "198.51.100.7"


def test_without_a_trusted_proxy_a_forwarded_address_is_ignored(client, world):
    client.post("/v1/auth/bankid", json={"personalNumber": PERSONAL_NUMBER}, headers={"X-Forwarded-For": "6.6.6.6"})

    assert asked(world, "identity", "StartLogin")[-1].end_user_ip == "127.0.0.1"


def test_without_a_personal_number_whoever_opens_bankid_logs_in(client, world):
    answer = client.post("/v1/auth/bankid", json={})

    assert answer.status_code == 200
    [sent] = asked(world, "identity", "StartLogin")
    assert sent.personal_number == ""
    assert sent.return_url == ""
    token = answer.get_json()["autoStartToken"]
    assert answer.get_json()["autoStartUrl"] == f"bankid:///?autostarttoken={token}&redirect=null"


def test_a_return_url_goes_to_identity_and_into_the_auto_start_url_encoded(client, world):
    return_url = "fickan://login/done?from=bankid&next=/ärenden#top"

    answer = client.post("/v1/auth/bankid", json={"returnUrl": return_url})

    assert answer.status_code == 200
    body = answer.get_json()
    assert asked(world, "identity", "StartLogin")[-1].return_url == return_url
    assert body["autoStartUrl"] == (
        f"bankid:///?autostarttoken={body['autoStartToken']}"
        "&redirect=fickan%3A%2F%2Flogin%2Fdone%3Ffrom%3Dbankid%26next%3D%2F%C3%A4renden%23top"
    )


@pytest.mark.parametrize("url", ["javascript:alert(1)", "https://evil.example/phish"])
def test_a_return_url_identity_does_not_allow_is_400_on_the_apps_field_name(client, world, url):
    answer = client.post("/v1/auth/bankid", json={"returnUrl": url})

    assert answer.status_code == 400
    error = answer.get_json()["error"]
    assert error["fields"] == {"returnUrl": "Adressen att återvända till är inte tillåten."}


def test_collect_gives_the_english_message_and_a_refresh_token_on_completion(client, world):
    order = client.post("/v1/auth/bankid", json={}).get_json()

    pending = client.post("/v1/auth/collect", json=ref(order)).get_json()
    assert pending["messageEn"] == "Trying to start your BankID app."  # an order without a number: this phone
    assert pending["refreshToken"] is None

    world.identity.simulator.autostart(order["autoStartToken"], PERSONAL_NUMBER)  # Tove opens BankID on the phone
    done = client.post("/v1/auth/collect", json=ref(order)).get_json()
    while done["status"] == "pending":
        done = client.post("/v1/auth/collect", json=ref(order)).get_json()
    assert done["messageEn"] == "You are logged in."
    assert world.identity.identity.sessions.refresh(done["refreshToken"]).access_token  # identity's own, and live
    assert done["user"]["name"] == "Tove Svensson"


def test_a_leaked_order_ref_alone_collects_nobodys_login_and_is_never_logged(client, world):
    """The probe: "bankid login started", "order_ref": … in the log, and the orderRef alone was
    enough to collect someone else's login and get their tokens."""
    with captured_logs() as stream:
        order = client.post("/v1/auth/bankid", json={}).get_json()
        client.post("/v1/auth/collect", json=ref(order))  # pending
        stolen = client.post("/v1/auth/collect", json={"orderRef": order["orderRef"]})
        guessed = client.post("/v1/auth/collect", json={"orderRef": order["orderRef"], "collectSecret": "x" * 43})
        cancelled = client.post("/v1/auth/cancel", json={"orderRef": order["orderRef"], "collectSecret": "x" * 43})
        world.identity.simulator.autostart(order["autoStartToken"], PERSONAL_NUMBER)
        done = client.post("/v1/auth/collect", json=ref(order)).get_json()
        while done.get("status") == "pending":
            done = client.post("/v1/auth/collect", json=ref(order)).get_json()

    assert stolen.status_code == 400 and "collectSecret" in stolen.get_json()["error"]["fields"]
    assert guessed.status_code == 404 and "accessToken" not in guessed.get_json()
    assert cancelled.status_code == 404
    assert done["status"] == "complete" and done["accessToken"]  # the phone that started it logs in
    assert asked(world, "identity", "CollectLogin")[-1].end_user_ip == "127.0.0.1"
    logged = stream.getvalue()
    assert "bankid login" in logged
    assert order["orderRef"] not in logged and order["collectSecret"] not in logged


def test_the_phones_installation_id_reaches_identity_only_as_a_hash(client, world):
    client.post("/v1/auth/bankid", json={}, headers={"X-Device-Id": "install-1234"})
    client.post("/v1/auth/bankid", json={})

    keyed, unkeyed = asked(world, "identity", "StartLogin")
    assert keyed.client_key.startswith("mobile:") and "install-1234" not in keyed.client_key
    assert unkeyed.client_key == ""

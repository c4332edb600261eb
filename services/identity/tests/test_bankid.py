"""The animated QR and the simulator behave like BankID."""

from __future__ import annotations

import json

import pytest

from identity.domain.bankid import BankIdError, Simulator, qr_content, user_message

from .conftest import DATA


def test_animated_qr_matches_the_published_vectors():
    data = json.loads((DATA / "bankid_qr_test_vectors.json").read_text())
    for vector in data["vectors"]:
        assert qr_content(data["qrStartToken"], data["qrStartSecret"], vector["time"]) == vector["qr"]


def test_simulator_is_pending_then_complete_with_v6_completion_data():
    sim = Simulator(pending_collects=2, names={"199001012385": "Anna Andersson"})
    order = sim.auth("127.0.0.1", "199001012385")
    assert set(order) == {"orderRef", "autoStartToken", "qrStartToken", "qrStartSecret"}
    assert sim.collect(order["orderRef"])["status"] == "pending"
    assert sim.collect(order["orderRef"])["status"] == "pending"
    done = sim.collect(order["orderRef"])
    assert done["status"] == "complete"
    assert done["completionData"]["user"] == {
        "personalNumber": "199001012385",
        "name": "Anna Andersson",
        "givenName": "Anna",
        "surname": "Andersson",
    }
    assert set(done["completionData"]) >= {"user", "device", "bankIdIssueDate", "signature", "ocspResponse"}
    with pytest.raises(BankIdError) as err:  # BankID: a completed order cannot be collected twice
        sim.collect(order["orderRef"])
    assert err.value.error_code == "invalidParameters"


def test_simulator_refuses_a_second_order_for_a_person_with_one_pending():
    sim = Simulator()
    sim.auth("127.0.0.1", "199001012385")
    with pytest.raises(BankIdError) as err:
        sim.auth("127.0.0.1", "199001012385")
    assert err.value.error_code == "alreadyInProgress"


def test_unknown_hint_codes_get_the_generic_message():
    assert user_message("pending", "somethingNew") == "Identifiering eller underskrift pågår."
    assert user_message("failed", "somethingNew") == "Okänt fel. Försök igen."  # RFA22


def test_the_simulator_never_runs_unless_a_setting_says_so(monkeypatch):
    from identity import settings as settings_module
    from identity.api import bankid_client

    for name in ("FICKAN_BANKID_SIMULATOR", "FICKAN_BANKID_URL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SystemExit) as err:
        bankid_client(settings_module.load())
    assert "FICKAN_BANKID_SIMULATOR=1" in str(err.value)
    monkeypatch.setenv("FICKAN_BANKID_URL", "https://appapi2.test.bankid.com/rp/v6.0/")
    client, simulator = bankid_client(settings_module.load())
    assert simulator is None and client.base_url == "https://appapi2.test.bankid.com/rp/v6.0/"


def test_the_simulators_page_opens_a_waiting_order_as_the_chosen_person(simulator_server):
    import requests

    base = simulator_server.url.split("/rp/")[0]
    sim = simulator_server.simulator
    order = sim.auth("127.0.0.1")
    page = requests.get(f"{base}/simulator/", timeout=5)
    assert page.status_code == 200 and order["orderRef"] in page.text and "Legitimera" in page.text
    opened = requests.post(
        f"{base}/simulator/open",
        data={"orderRef": order["orderRef"], "personalNumber": "199001022384", "outcome": "complete"},
        timeout=5,
    )
    assert opened.status_code == 200 and "Klart" in opened.text
    done = sim.collect(order["orderRef"])
    assert done["completionData"]["user"]["personalNumber"] == "199001022384"
    refused = requests.post(f"{base}/simulator/open", data={"orderRef": "x", "personalNumber": "1"}, timeout=5)
    assert refused.status_code == 400


def test_the_rp_api_refuses_what_bankid_refuses(simulator_server):
    import requests

    url = simulator_server.url
    cases = [
        ("auth", {"endUserIp": "not-an-ip"}, 400, "invalidParameters"),
        (
            "auth",
            {"endUserIp": "192.0.2.1", "requirement": {"personalNumber": "19900101238"}},
            400,
            "invalidParameters",
        ),
        ("sign", {"endUserIp": "192.0.2.1"}, 400, "invalidParameters"),  # sign needs userVisibleData
        ("sign", {"endUserIp": "192.0.2.1", "userVisibleData": "not base64!"}, 400, "invalidParameters"),
        ("collect", {"orderRef": "6f1c1c1e-0000-4000-8000-000000000000"}, 400, "invalidParameters"),
        ("nothing", {}, 404, "notFound"),
    ]
    for path, body, status, code in cases:
        answer = requests.post(url + path, json=body, timeout=5)
        assert (answer.status_code, answer.json()["errorCode"]) == (status, code), path
    wrong_type = requests.post(url + "auth", data="{}", headers={"Content-Type": "text/plain"}, timeout=5)
    assert wrong_type.status_code == 415
    assert requests.get(url + "auth", timeout=5).status_code == 405

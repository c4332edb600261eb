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

"""A dead or hung service gives the app a fast 503 with a Swedish "try again", never a hang."""

from __future__ import annotations

import time

from bff_mobile.app import create_app


def test_a_dead_applications_service_is_a_quick_503(world, resident, dead_target):
    services = world.services(applications=dead_target)
    client = create_app(services).test_client()

    started = time.perf_counter()
    answer = client.get("/v1/applications", headers=resident.headers)
    elapsed = time.perf_counter() - started

    assert answer.status_code == 503
    error = answer.get_json()["error"]
    assert error["code"] == "unavailable"
    assert error["message"] == "Tjänsten svarar inte just nu. Försök igen om en liten stund."
    assert error["message_en"]
    assert answer.headers["Retry-After"] == "5"
    assert elapsed < 2.0


def test_a_hung_service_is_503_when_the_deadline_passes(world, resident, dead_target):
    services = world.services(timeout=0.5, applications=world.target("stuck"))
    client = create_app(services).test_client()

    started = time.perf_counter()
    answer = client.get("/v1/applications", headers=resident.headers)
    elapsed = time.perf_counter() - started

    assert answer.status_code == 503
    assert answer.get_json()["error"]["code"] == "unavailable"
    assert 0.4 < elapsed < 2.0


def test_a_dead_identity_means_tokens_cannot_be_checked_so_503_not_401(world, resident, dead_target):
    client = create_app(world.services(identity=dead_target)).test_client()

    answer = client.get("/v1/me", headers=resident.headers)

    assert answer.status_code == 503


def test_a_bff_stays_ready_with_one_service_down_and_says_which(world, resident, dead_target):
    client = create_app(world.services(contact=dead_target)).test_client()

    answer = client.get("/readyz")

    # Taken out of rotation, the BFF could not answer anything; in rotation it answers the contact
    # pages with a clear 503 and everything else as usual.
    assert answer.status_code == 200
    assert answer.get_json()["degraded"] == ["contact"]
    assert answer.get_json()["services"] == {
        "identity": True,
        "applications": True,
        "notifications": True,
        "contact": False,
        "insights": True,
    }
    assert client.get("/healthz").status_code == 200
    assert client.get("/v1/applications", headers=resident.headers).status_code == 200
    contact = client.get("/v1/questions", headers=resident.headers)
    assert contact.status_code == 503
    assert contact.get_json()["error"]["message"] == "Tjänsten svarar inte just nu. Försök igen om en liten stund."

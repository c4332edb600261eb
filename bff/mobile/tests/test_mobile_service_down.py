"""A dead or hung service gives the app a fast 503 with a Swedish "try again", never a hang; a
saturated one is waited for briefly, then a 429 with Retry-After."""

from __future__ import annotations

import time

from bff_mobile.app import create_app
from fickan_common.errors import BUSY_MESSAGE, Busy


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


def test_a_hung_service_is_503_when_the_deadline_passes(world, resident, stuck_target):
    services = world.services(timeout=0.5, applications=stuck_target)
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


def test_a_saturated_service_is_waited_for_briefly_then_429_with_retry_after_never_503(world, resident):
    def busy(request, context):  # failure injection: applications refuses every call as busy
        raise Busy(BUSY_MESSAGE)

    world.spies["applications"].inject("ListMyApplications", busy)
    services = world.services()
    services.applications.busy_wait = 0.6
    client = create_app(services).test_client()

    started = time.perf_counter()
    answer = client.get("/v1/applications", headers=resident.headers)
    elapsed = time.perf_counter() - started

    assert answer.status_code == 429
    error = answer.get_json()["error"]
    assert error["code"] == "busy"
    assert error["message"] == "Många använder tjänsten just nu. Försök igen om en liten stund."
    assert error["message_en"]
    assert answer.headers["Retry-After"] == "2"
    assert len(world.spies["applications"].of("ListMyApplications")) >= 2  # sent again while it waited
    assert 0.1 < elapsed < 5.0  # it waited, then answered (no deadline of 3 s per try passed)

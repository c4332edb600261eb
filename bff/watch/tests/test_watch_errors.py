"""Failures on the watch are compact JSON with a short Swedish message, and fast."""

from __future__ import annotations

import socket
import time
import urllib.request

import pytest

from bff_watch.app import create_app
from fickan_common.testing import TokenFactory


def _error(answer) -> dict:
    assert answer.mimetype == "application/json"
    assert len(answer.get_data()) < 1024
    return answer.get_json()["error"]


def test_no_token_is_401_telling_to_pair_the_watch(client, world):
    answer = client.get("/v1/glance")

    assert answer.status_code == 401
    assert _error(answer) == {"code": "token_missing", "message": "Klockan är inte kopplad. Koppla den till Fickan."}
    assert world.spies["applications"].calls == []
    assert world.spies["identity"].calls == []


def test_an_expired_token_is_401_asking_to_log_in_again(client, world):
    expired = world.identity.token("resident-1", ttl=-60, device="watch", scope="glance")

    answer = client.get("/v1/glance", headers={"Authorization": f"Bearer {expired}"})

    assert answer.status_code == 401
    assert _error(answer)["code"] == "token_expired"
    assert "Logga in igen" in _error(answer)["message"]


@pytest.mark.parametrize("same_kid", [False, True])
def test_a_forged_token_is_401(client, world, same_kid):
    forger = TokenFactory()
    if same_kid:
        forger.kid = world.identity.keys.current_kid

    answer = client.get("/v1/glance", headers={"Authorization": f"Bearer {forger.token('resident-1')}"})

    assert answer.status_code == 401
    assert _error(answer)["code"] == "token_invalid"
    assert world.spies["applications"].calls == []


def test_a_staff_token_is_403(client, world):
    staff = world.identity.token("staff-1", roles=("case_worker",), device="web")  # no resident role

    answer = client.get("/v1/glance", headers={"Authorization": f"Bearer {staff}"})

    assert answer.status_code == 403
    assert _error(answer)["code"] == "forbidden"


def test_english_error_when_asked_for(client):
    answer = client.get("/v1/glance", headers={"Accept-Language": "en"})

    assert _error(answer)["message"] == "The watch is not paired. Pair it with Fickan."


def test_a_dead_applications_service_is_a_quick_503(world, auth, dead_target):
    client = create_app(world.services(applications=dead_target)).test_client()

    started = time.perf_counter()
    answer = client.get("/v1/glance", headers=auth)

    assert time.perf_counter() - started < 2.0
    assert answer.status_code == 503
    assert _error(answer) == {
        "code": "unavailable",
        "message": "Tjänsten svarar inte just nu. Försök igen om en liten stund.",
    }
    assert answer.headers["Retry-After"] == "5"


def test_an_unknown_path_is_compact_json_too(client):
    answer = client.get("/v1/nothing")

    assert answer.status_code == 404
    assert _error(answer)["code"] == "not_found"


def test_health_is_served_and_metrics_only_on_their_own_port(world, monkeypatch):
    """The probe found /metrics public on the BFFs' own ports (8080-8082)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("FICKAN_METRICS_PORT", str(port))
    client = create_app(world.services()).test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/metrics").status_code == 404
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
        assert b"fickan_http_requests_total" in answer.read()

"""Service messages in the mobile API, from the real notifications service in-process: a notice an
admin publishes is in GET /v1/service-messages (no login needed) and in the resident's overview,
with BankID's own status beside it; a service that is away leaves its part empty, never the
screen. Documented in /openapi.json."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bff_mobile.app import create_app
from fickan.notifications.v1 import notifications_pb2 as notes_pb
from fickan.notifications.v1 import notifications_pb2_grpc as notes_grpc
from fickan_bff.testing import RealServices as World
from fickan_common.grpc_client import ServiceClient
from notifications.testing import RunningNotifications


def _close(services) -> None:  # type: ignore[no-untyped-def]
    for client in services.all().values():
        client.close()


@pytest.fixture
def notes(world: World) -> RunningNotifications:
    return world.notifications


@pytest.fixture
def api(world: World, notes: RunningNotifications):  # type: ignore[no-untyped-def]
    services = world.services()
    yield create_app(services).test_client()
    _close(services)


def publish(world: World, notes: RunningNotifications, kind: str, text: str, starts: timedelta) -> str:
    """An admin publishes a notice, as the web's admin page does (over gRPC, with an admin token)."""
    client = ServiceClient(notes.target, notes_grpc.NotificationsServiceStub)
    now = datetime.now(UTC)
    try:
        published = client.call(
            "PublishServiceMessage",
            notes_pb.PublishServiceMessageRequest(
                kind=kind,
                text=text,
                starts_at=(now + starts).isoformat(),
                ends_at=(now + starts + timedelta(hours=2)).isoformat(),
            ),
            token=world.identity.log_in_staff("198501042389", "Adam Administratör", ["admin"]).access_token,
        )
    finally:
        client.close()
    return published.message_id


def test_a_published_notice_is_in_the_api_without_a_login(world: World, notes: RunningNotifications, api) -> None:  # type: ignore[no-untyped-def]
    assert api.get("/v1/service-messages").get_json() == {
        "messages": [],
        "bankid": {"disrupted": False, "message": "", "messageEn": ""},
    }
    on_now = publish(world, notes, "disruption", "E-tjänsterna är långsamma.", timedelta(minutes=-5))
    planned = publish(world, notes, "maintenance", "Underhåll i natt.", timedelta(days=1))
    answer = api.get("/v1/service-messages")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    first, second = answer.get_json()["messages"]
    assert first["id"] == on_now and first["active"] and first["kindText"] == "Driftstörning"
    assert first["text"] == "E-tjänsterna är långsamma." and first["short"].startswith("Driftstörning till ")
    assert second["id"] == planned and not second["active"] and second["kindTextEn"] == "Planned maintenance"
    assert second["startsAt"].startswith(str(datetime.now(UTC).year)[:2])


def test_the_overview_carries_the_notices_and_bankids_status(  # type: ignore[no-untyped-def]
    world: World, notes: RunningNotifications, api, resident
) -> None:
    publish(world, notes, "disruption", "Inloggningen krånglar.", timedelta(minutes=-1))
    world.identity.simulator.set_maintenance(True)  # BankID answers "maintenance" to identity's next call
    assert api.post("/v1/auth/bankid", json={}).status_code == 503
    answer = api.get("/v1/overview", headers=resident.headers)
    body = answer.get_json()
    assert answer.status_code == 200
    assert body["name"] == "Tove Svensson" and body["unread"] == 0
    assert [m["text"] for m in body["serviceMessages"]] == ["Inloggningen krånglar."]
    assert body["bankid"]["disrupted"] and body["bankid"]["message"].startswith("BankID har driftstörningar.")
    assert api.get("/v1/overview").status_code == 401


def test_when_notifications_is_away_the_screens_still_answer(world: World, dead_target: str, resident) -> None:  # type: ignore[no-untyped-def]
    services = world.services(notifications=dead_target)
    try:
        api = create_app(services).test_client()
        assert api.get("/v1/service-messages").get_json()["messages"] == []
        body = api.get("/v1/overview", headers=resident.headers).get_json()
        assert body["serviceMessages"] == [] and body["unread"] is None
    finally:
        _close(services)


def test_the_endpoints_are_in_the_openapi_document(client) -> None:  # type: ignore[no-untyped-def]
    paths = client.get("/openapi.json").get_json()["paths"]
    assert paths["/v1/overview"]["get"].get("security") != []  # the Bearer token, as every resident route
    assert paths["/v1/service-messages"]["get"]["security"] == []

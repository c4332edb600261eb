"""The watch and the contact centre (the real contact service in-process): "ring me" with one tap,
and the number of the contact centre's replies the resident has not read, in the glance."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from contact.desk import Desk
from fickan_common.errors import PermissionDenied
from fickan_common.tokens import Principal


def test_ring_me_puts_a_callback_in_the_contact_centres_queue(client, auth, world):
    answer = client.post("/v1/ring-me", json={"phone": "070-123 45 67"}, headers=auth)

    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["message"] == "Kontaktcenter ringer upp dig så snart de kan."
    [stored] = world.contact.questions
    assert (stored["channel"], stored["subject"], stored["phone"]) == ("watch", "Ring mig", "070-123 45 67")
    assert len(answer.data) < 1024


def test_ring_me_without_a_usable_number_is_a_short_swedish_400_and_nothing_is_asked(client, auth, world):
    for body in ({}, {"phone": ""}, {"phone": "x" * 41}, {"phone": "123", "extra": 1}, {"phone": "ring mig"}):
        answer = client.post("/v1/ring-me", json=body, headers=auth)
        assert answer.status_code == 400, (body, answer.get_json())
        assert answer.get_json()["error"]["message"]
    assert world.contact.questions == []


def test_the_glance_counts_the_contact_centres_unread_replies(client, auth, world):
    client.post("/v1/ring-me", json={"phone": "070-123 45 67"}, headers=auth)
    [asked] = world.contact.questions
    vera = world.identity.log_in_staff("198501012382", "Vera Vägledare", ["contact_agent"], answer_group=asked["group"])
    desk: Desk = world.contact.servicer.desk  # the agent answers through the service's own use case
    desk.reply(world.identity.principal(vera), asked["id"], "Vi ringer dig klockan 14.")

    assert client.get("/v1/glance", headers=auth).get_json()["replies"] == 1


def test_a_watch_token_may_only_ask_to_be_rung(world):
    watch = Principal(user_id="resident-1", roles=("resident",), device="watch", scope=("glance",))
    with pytest.raises(PermissionDenied):
        world.contact.servicer.contact.ask(watch, "Ämne", "Fråga", "web")
    assert world.contact.questions == []


def test_the_glance_shows_the_next_advisory_booking(client, auth, world, tove):
    assert "booking" not in client.get("/v1/glance", headers=auth).get_json()  # none booked yet
    day = (datetime.now(ZoneInfo("Europe/Stockholm")) + timedelta(days=1)).date()
    _, second = world.contact.publish_times("Konsumentvägledning", day, start="13:00", end="14:00", kind="telephone")
    world.contact.servicer.bookings.book(world.identity.principal(tove), second)

    glance = client.get("/v1/glance", headers=auth).get_json()

    months = ("jan", "feb", "mars", "apr", "maj", "juni", "juli", "aug", "sep", "okt", "nov", "dec")
    assert glance["booking"] == f"Bokad tid {day.day} {months[day.month - 1]} kl. 13:30, Telefon"

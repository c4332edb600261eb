"""The glance shows the latest case, the unread count and the one next step, in Swedish."""

from __future__ import annotations

from bff_watch.app import create_app


def test_no_cases_shows_none_and_suggests_applying(client, auth):
    answer = client.get("/v1/glance", headers=auth)

    assert answer.status_code == 200
    assert answer.get_json() == {
        "case": None,
        "unread": 0,
        "next": "Inga ärenden just nu. Ansök i Fickan-appen.",
    }
    assert answer.headers["Cache-Control"] == "no-store"


def test_a_submitted_case_with_a_short_title_and_the_status_in_swedish(client, auth, world):
    world.applications.add("resident-1", status="submitted")

    glance = client.get("/v1/glance", headers=auth).get_json()

    assert glance["case"] == {
        "title": "Ekonomiskt bistånd",
        "status": "submitted",
        "statusText": "Skickad – vi har tagit emot din ansökan",
    }
    assert glance["next"].startswith("Vi handlägger din ansökan.")


def test_a_draft_asks_to_finish_it(client, auth, world):
    world.applications.add("resident-1", status="draft")

    glance = client.get("/v1/glance", headers=auth).get_json()

    assert glance["case"]["status"] == "draft"
    assert glance["next"] == "Din ansökan är inte skickad. Gör klart den i appen."


def test_unread_messages_come_first_in_the_next_step(client, auth, world):
    world.applications.add("resident-1", status="draft")
    world.notifications.unread["resident-1"] = 3

    glance = client.get("/v1/glance", headers=auth).get_json()

    assert glance["unread"] == 3
    assert glance["next"] == "Du har 3 olästa meddelanden. Läs dem i appen."


def test_one_unread_message_is_said_in_the_singular(client, auth, world):
    world.notifications.unread["resident-1"] = 1

    assert client.get("/v1/glance", headers=auth).get_json()["next"] == "Du har ett oläst meddelande. Läs det i appen."


def test_the_latest_case_is_shown(client, auth, world):
    world.applications.add("resident-1", status="submitted", days_ago=30, title="Ansökan om gammalt")
    world.applications.add("resident-1", status="draft", days_ago=1, title="Ansökan om nytt")
    world.applications.add("resident-1", status="submitted", days_ago=5, title="Ansökan om mellan")

    assert client.get("/v1/glance", headers=auth).get_json()["case"]["title"] == "Nytt"


def test_only_my_own_cases_are_asked_for_with_my_token(client, auth, world):
    world.applications.add("resident-2", status="draft")

    glance = client.get("/v1/glance", headers=auth).get_json()

    assert glance["case"] is None
    assert world.applications.callers == ["resident-1"]


def test_english_when_the_watch_asks_for_it(client, auth, world):
    world.applications.add("resident-1", status="submitted")

    glance = client.get("/v1/glance", headers={**auth, "Accept-Language": "en-GB,en;q=0.9"}).get_json()

    assert glance["case"]["statusText"] == "Sent – we have received your application"
    assert glance["next"].startswith("We are handling your application.")


def test_a_down_inbox_still_shows_the_case_without_a_count(world, auth, dead_target):
    world.applications.add("resident-1", status="draft")
    client = create_app(world.services(notifications=dead_target)).test_client()

    answer = client.get("/v1/glance", headers=auth)

    assert answer.status_code == 200
    assert answer.get_json()["unread"] is None
    assert answer.get_json()["case"]["status"] == "draft"

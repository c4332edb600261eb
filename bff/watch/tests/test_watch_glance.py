"""The glance shows the latest case, the unread count and the one next step, in Swedish."""

from __future__ import annotations

import pytest

from bff_watch.app import create_app
from bff_watch.glance import decision_in


def test_no_cases_shows_none_and_suggests_applying(client, auth):
    answer = client.get("/v1/glance", headers=auth)

    assert answer.status_code == 200
    assert answer.get_json() == {
        "case": None,
        "unread": 0,
        "replies": 0,
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
    assert glance["next"] == "Följ ditt ärende i appen."  # the service gave no step of its own


def test_a_draft_shows_the_services_step_to_finish_it(client, auth, world):
    world.applications.add(
        "resident-1", status="draft", resident_must_act=True, next_action="Fyll i ansökan och skicka den."
    )

    glance = client.get("/v1/glance", headers=auth).get_json()

    assert glance["case"]["status"] == "draft"
    assert glance["next"] == "Fyll i ansökan och skicka den."


def test_the_resident_acts_first_only_when_the_service_says_so(client, auth, world):
    world.applications.add("resident-1", status="submitted", next_action="Du behöver inte göra något.")
    world.notifications.unread["resident-1"] = 2

    glance = client.get("/v1/glance", headers=auth).get_json()

    assert glance["next"] == "Du har 2 olästa meddelanden. Läs dem i appen."


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
    assert glance["next"] == "Follow your case in the app."


def test_a_down_inbox_still_shows_the_case_without_a_count(world, auth, dead_target):
    world.applications.add("resident-1", status="draft")
    client = create_app(world.services(notifications=dead_target)).test_client()

    answer = client.get("/v1/glance", headers=auth)

    assert answer.status_code == 200
    assert answer.get_json()["unread"] is None
    assert answer.get_json()["case"]["status"] == "draft"


# --- The case's own next step, time to decision and payment (GetMyCaseGlance) -------------------
WAITING_SV = "Du behöver inte göra något. Beslut väntas senast 11 december 2026."
WAITING_EN = "Nothing to do. A decision is expected by 2026-12-11."


def _waiting_case(world, **values) -> None:
    world.applications.add(
        "resident-1",
        status="submitted",
        title="Ansökan om ekonomiskt bistånd för en månad",
        status_text_en="Sent – we have received your application",
        next_action=WAITING_SV,
        next_action_en=WAITING_EN,
        seconds_to_decision=5 * 3600 - 120,
        **values,
    )


def test_the_services_next_step_and_the_time_to_decision(client, auth, world):
    _waiting_case(world)

    glance = client.get("/v1/glance", headers=auth).get_json()

    assert glance == {
        "case": {
            "title": "Ekonomiskt bistånd för en månad",
            "status": "submitted",
            "statusText": "Skickad – vi har tagit emot din ansökan",
            "decisionIn": "Beslut inom 5 h",
            "secondsToDecision": 5 * 3600 - 120,
        },
        "unread": 0,
        "replies": 0,
        "next": WAITING_SV,
    }
    assert world.applications.callers == ["resident-1"]  # one GetMyCaseGlance, no list of cases


def test_the_services_next_step_and_the_time_to_decision_in_english(client, auth, world):
    _waiting_case(world)

    glance = client.get("/v1/glance", headers={**auth, "Accept-Language": "en"}).get_json()

    assert glance["case"]["statusText"] == "Sent – we have received your application"
    assert glance["case"]["decisionIn"] == "Decision within 5 h"
    assert glance["next"] == WAITING_EN


def test_unread_messages_come_before_waiting(client, auth, world):
    _waiting_case(world)
    world.notifications.unread["resident-1"] = 2

    glance = client.get("/v1/glance", headers=auth).get_json()

    assert glance["next"] == "Du har 2 olästa meddelanden. Läs dem i appen."
    assert glance["case"]["decisionIn"] == "Beslut inom 5 h"


@pytest.mark.parametrize(
    ("status", "step"),
    [
        ("completion_requested", "Skicka in det som saknas senast 3 december 2026."),
        ("random_check", "Skicka in det som saknas senast 3 december 2026."),
        ("signature_pending", "Skriv under ansökan med ditt BankID."),
        ("draft", "Fyll i ansökan och skicka den."),
    ],
)
def test_a_step_the_resident_must_take_comes_before_unread_messages(client, auth, world, status, step):
    world.applications.add(
        "resident-1", status=status, resident_must_act=True, next_action=step, next_action_en="Do it."
    )
    world.notifications.unread["resident-1"] = 3

    glance = client.get("/v1/glance", headers=auth).get_json()
    english = client.get("/v1/glance", headers={**auth, "Accept-Language": "en"}).get_json()

    assert glance["next"] == step
    assert glance["unread"] == 3
    assert english["next"] == "Do it."


def test_the_payment_day_and_amount(client, auth, world):
    world.applications.add(
        "resident-1",
        status="payment_scheduled",
        status_text="Beviljad – utbetalning planerad",
        status_text_en="Approved – payment scheduled",
        next_action="Pengarna betalas ut 25 januari 2027.",
        payment_date="2027-01-25",
        payment_amount=6480,
    )

    swedish = client.get("/v1/glance", headers=auth).get_json()["case"]
    english = client.get("/v1/glance", headers={**auth, "Accept-Language": "en"}).get_json()["case"]

    assert swedish["payment"] == "Utbetalning 25 jan: 6 480 kr"
    assert swedish["paymentDate"] == "2027-01-25"
    assert swedish["paymentAmount"] == 6480
    assert "decisionIn" not in swedish and "secondsToDecision" not in swedish  # not waiting for a decision
    assert english["payment"] == "Payment 25 Jan: SEK 6,480"
    assert english["statusText"] == "Approved – payment scheduled"


def test_a_payment_day_without_an_amount_and_a_bad_day_from_the_service(client, auth, world):
    world.applications.add("resident-1", status="payment_scheduled", payment_date="2027-01-25")
    only_day = client.get("/v1/glance", headers=auth).get_json()["case"]
    world.applications.cases.clear()
    world.applications.add("resident-1", status="payment_scheduled", payment_date="snart", payment_amount=6480)
    bad_day = client.get("/v1/glance", headers=auth).get_json()["case"]

    assert only_day["payment"] == "Utbetalning 25 jan"
    assert "paymentAmount" not in only_day
    assert not {"payment", "paymentDate", "paymentAmount"} & set(bad_day)


@pytest.mark.parametrize(
    ("seconds", "sv", "en"),
    [
        (1, "Beslut inom 1 min", "Decision within 1 min"),
        (59 * 60 + 1, "Beslut inom 60 min", "Decision within 60 min"),
        (3600, "Beslut inom 1 h", "Decision within 1 h"),
        (5 * 3600, "Beslut inom 5 h", "Decision within 5 h"),
        (5 * 3600 + 1, "Beslut inom 6 h", "Decision within 6 h"),
        (48 * 3600 - 1, "Beslut inom 48 h", "Decision within 48 h"),
        (48 * 3600, "Beslut inom 2 dagar", "Decision within 2 days"),
        (10 * 86400 + 1, "Beslut inom 11 dagar", "Decision within 11 days"),
    ],
)
def test_the_time_to_decision_is_rounded_up(seconds, sv, en):
    assert decision_in(seconds, "sv") == sv
    assert decision_in(seconds, "en") == en


def test_no_time_to_decision_when_not_waiting():
    assert decision_in(0, "sv") is None
    assert decision_in(-5, "en") is None

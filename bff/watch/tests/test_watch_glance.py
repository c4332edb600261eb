"""The glance shows the latest case, the unread count and the one next step, in Swedish. The cases
are made as a resident and a case worker make them, through the real applications service; the
messages by the real notifications service from real events."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from conftest import glance_callers, messages_to

from bff_watch.app import create_app
from bff_watch.glance import decision_in
from fickan.applications.v1 import applications_pb2 as apps_pb

UNIT = "ekonomiskt-bistand"


@pytest.fixture
def karin(world):
    """A case worker of the unit, logged in on the web."""
    return world.identity.log_in_staff("198501012382", "Karin Handläggare", ["case_worker"], UNIT)


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


def test_a_sent_case_with_a_short_title_and_the_status_in_swedish(client, auth, world, tove):
    world.applications.submitted(tove)

    glance = client.get("/v1/glance", headers=auth).get_json()

    # The first application's title does not start "Ansökan om", so it is only cut to fit.
    assert glance["case"]["title"] == "Grundansökan om ekonomiskt bist…"
    assert (glance["case"]["status"], glance["case"]["statusText"]) == (RECEIVED, RECEIVED_SV)
    assert glance["next"].startswith(WAITING_SV)
    assert glance["case"]["decisionIn"].startswith("Beslut inom ")


def test_a_draft_asks_to_finish_it(client, auth, world, tove):
    world.applications.draft(tove)

    glance = client.get("/v1/glance", headers=auth).get_json()

    assert glance["case"]["status"] == "draft"
    assert glance["next"] == DRAFT_SV


def test_unread_messages_come_first_in_the_next_step(client, auth, world, tove):
    world.applications.submitted(tove)
    messages_to(world, tove, 3)

    glance = client.get("/v1/glance", headers=auth).get_json()

    assert glance["unread"] == 3
    assert glance["next"] == "Du har 3 olästa meddelanden. Läs dem i appen."


def test_one_unread_message_is_said_in_the_singular(client, auth, world, tove):
    messages_to(world, tove, 1)

    assert client.get("/v1/glance", headers=auth).get_json()["next"] == "Du har ett oläst meddelande. Läs det i appen."


def test_the_latest_case_is_shown(client, auth, world, tove):
    world.applications.submitted(tove)
    world.applications.draft(tove, "eb_lopande")  # next month's, started after

    assert client.get("/v1/glance", headers=auth).get_json()["case"]["title"] == "Ekonomiskt bistånd för en månad"


def test_only_my_own_cases_are_asked_for_with_my_token(client, auth, world, tove, nils):
    world.applications.draft(nils)

    glance = client.get("/v1/glance", headers=auth).get_json()

    assert glance["case"] is None
    assert glance_callers(world) == [tove.user_id]


def test_english_when_the_watch_asks_for_it(client, auth, world, tove):
    world.applications.submitted(tove)

    glance = client.get("/v1/glance", headers={**auth, "Accept-Language": "en-GB,en;q=0.9"}).get_json()

    assert glance["case"]["statusText"] == RECEIVED_EN
    assert glance["next"].startswith(WAITING_EN)
    assert glance["case"]["decisionIn"].startswith("Decision within ")


def test_a_down_inbox_still_shows_the_case_without_a_count(world, auth, dead_target, tove):
    world.applications.draft(tove)
    client = create_app(world.services(notifications=dead_target)).test_client()

    answer = client.get("/v1/glance", headers=auth)

    assert answer.status_code == 200
    assert answer.get_json()["unread"] is None
    assert answer.get_json()["case"]["status"] == "draft"


# --- The case's own next step, time to decision and payment (GetMyCaseGlance) -------------------
RECEIVED, RECEIVED_SV, RECEIVED_EN = (
    "received",
    "Mottagen – står i kö för handläggning",
    "Received – queued for a case worker",
)
PAYMENT_SCHEDULED = apps_pb.APPLICATION_STATUS_PAYMENT_SCHEDULED
WAITING_SV, WAITING_EN = (
    "Du behöver inte göra något. Beslut väntas senast ",
    "Nothing to do. A decision is expected by ",
)
DRAFT_SV = "Fyll i ansökan och skicka den."


def test_the_services_next_step_and_the_time_to_decision(client, auth, world, tove):
    case = world.applications.submitted(tove)

    glance = client.get("/v1/glance", headers=auth).get_json()
    english = client.get("/v1/glance", headers={**auth, "Accept-Language": "en"}).get_json()

    due = case.due_at.replace(tzinfo=UTC)
    seconds = glance["case"]["secondsToDecision"]
    assert set(glance["case"]) == {"title", "status", "statusText", "decisionIn", "secondsToDecision"}
    assert 0 <= (due - datetime.now(UTC)).total_seconds() - seconds < 60
    assert glance["case"]["decisionIn"] == decision_in(seconds, "sv")
    assert english["case"]["decisionIn"] == decision_in(seconds, "en")
    assert glance["next"] == f"{WAITING_SV}{due.day} {MONTHS[due.month - 1]} {due.year}."
    assert english["next"] == f"{WAITING_EN}{due.date().isoformat()}."
    assert glance_callers(world) == [tove.user_id, tove.user_id]  # one GetMyCaseGlance each, no list of cases


MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
          "november", "december")  # fmt: skip


def test_unread_messages_come_before_waiting(client, auth, world, tove):
    world.applications.submitted(tove)
    messages_to(world, tove, 2)

    glance = client.get("/v1/glance", headers=auth).get_json()

    assert glance["next"] == "Du har 2 olästa meddelanden. Läs dem i appen."
    assert glance["case"]["decisionIn"].startswith("Beslut inom ")


@pytest.mark.parametrize("status", ["completion_requested", "random_check", "signature_pending", "draft"])
def test_a_step_the_resident_must_take_comes_before_unread_messages(client, auth, world, tove, karin, status):
    if status in ("completion_requested", "random_check"):
        world.applications.completion_requested(tove, karin, random_check=status == "random_check")
    elif status == "signature_pending":
        world.applications.signature_pending(tove, "19900102-2384")
    else:
        world.applications.draft(tove)
    messages_to(world, tove, 3)

    glance = client.get("/v1/glance", headers=auth).get_json()
    english = client.get("/v1/glance", headers={**auth, "Accept-Language": "en"}).get_json()

    assert glance["case"]["status"] == status
    assert glance["next"] == STEPS[status][0]
    assert glance["unread"] == 3
    assert english["next"] == STEPS[status][1]


STEPS = {  # what applications says the resident must do (TODAY is 25 November 2026, due in a week)
    "completion_requested": ("Skicka in det som saknas senast 2 december 2026.", "Send what is missing by 2026-12-02."),
    "random_check": ("Skicka in det som saknas senast 2 december 2026.", "Send what is missing by 2026-12-02."),
    "signature_pending": (
        "Väntar på att din medsökande skriver under med BankID.",
        "Waiting for your co-applicant to sign with BankID.",
    ),
    "draft": (DRAFT_SV, "Fill in the application and send it."),
}


def test_the_payment_day_and_amount(client, auth, world, tove, karin):
    case = world.applications.payment_scheduled(tove, karin)
    day = case.payment_date

    swedish = client.get("/v1/glance", headers=auth).get_json()["case"]
    english = client.get("/v1/glance", headers={**auth, "Accept-Language": "en"}).get_json()["case"]

    assert swedish["paymentDate"] == day.isoformat()
    assert swedish["paymentAmount"] == case.payment_amount > 0
    assert swedish["payment"].startswith(f"Utbetalning {day.day} ")
    assert "decisionIn" not in swedish and "secondsToDecision" not in swedish  # not waiting for a decision
    assert english["payment"].startswith(f"Payment {day.day} ")
    assert english["statusText"] == "Approved – payment scheduled"


def test_a_payment_day_without_an_amount_and_a_bad_day_from_the_service(client, auth, world, tove):
    """Failure injection: answers applications should not give (no amount; a day that is no date)."""
    glances = iter(
        [
            apps_pb.CaseGlance(has_case=True, title="Ansökan", status=PAYMENT_SCHEDULED, payment_date="2027-01-25"),
            apps_pb.CaseGlance(
                has_case=True, title="Ansökan", status=PAYMENT_SCHEDULED, payment_date="snart", payment_amount=6480
            ),
        ]
    )
    world.spies["applications"].inject("GetMyCaseGlance", lambda request, context: next(glances))
    only_day = client.get("/v1/glance", headers=auth).get_json()["case"]
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

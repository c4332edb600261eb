"""The glance stays under 1 KB whatever the services send: long texts are cut safely."""

from __future__ import annotations

import json
import unicodedata

import pytest
from conftest import messages_to

from bff_watch.glance import MAX_BYTES, Case, dumps, fit, glance
from fickan.applications.v1 import applications_pb2 as apps_pb

LONG_TEXTS = [
    "Ansökan om " + "ekonomiskt bistånd och hyra och el " * 200,
    "å" * 5000,
    "😀" * 5000,  # four bytes each
    '"\\' * 3000,  # characters JSON must escape
    "\x07\x1b[31m" * 500 + "röd",  # control characters
    "e\u0301" * 3000,  # letters with combining accents
]


@pytest.mark.parametrize("text", LONG_TEXTS)
def test_a_glance_of_long_texts_is_under_1_kb(text):
    payload = glance(Case(title=text, status=text, status_text=text), unread=2_000_000_000)

    raw = dumps(payload)
    assert len(raw) < MAX_BYTES
    assert json.loads(raw.decode("utf-8")) == payload
    assert payload["case"]["title"].endswith("…")
    assert payload["case"]["statusText"].endswith("…")


@pytest.mark.parametrize("text", LONG_TEXTS)
def test_fit_cuts_at_a_character_boundary_within_both_budgets(text):
    cut = fit(text, 40, 100)

    assert len(cut) <= 40
    assert len(dumps(cut)) - 2 <= 100
    assert cut.endswith("…")
    assert not any(unicodedata.category(ch) == "Cc" for ch in cut)


def test_fit_never_separates_a_letter_from_its_accent():
    text = "e\u0301" * 3000

    for max_chars in range(2, 30):
        kept = fit(text, max_chars, 1000)[:-1]
        assert text.startswith(kept)
        assert not unicodedata.combining(text[len(kept)])  # the next character starts a new letter


def test_short_texts_are_left_alone():
    assert fit("Skickad", 40, 100) == "Skickad"
    assert fit("  två   ord \n", 40, 100) == "två ord"


def _glance_answers(world, **values) -> None:
    """Failure injection: applications answers the glance with texts far longer than its own."""
    world.spies["applications"].inject(
        "GetMyCaseGlance", lambda request, context: apps_pb.CaseGlance(has_case=True, **values)
    )


def test_the_glance_over_grpc_stays_under_1_kb_with_long_service_texts(client, auth, world, tove):
    _glance_answers(world, status=apps_pb.APPLICATION_STATUS_SUBMITTED, title="Ä" * 10_000, status_text='😀"' * 10_000)
    messages_to(world, tove, 12)

    answer = client.get("/v1/glance", headers=auth)

    assert answer.status_code == 200
    assert len(answer.get_data()) < 1024
    glance_body = answer.get_json()
    assert glance_body["case"]["title"].endswith("…")
    assert glance_body["unread"] == 12


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("text", LONG_TEXTS)
def test_the_fullest_glance_is_under_1_kb(text, lang):
    """Every part at once: the longest texts, a time to decision, a payment, a booking, a service
    message and the largest numbers."""
    case = Case(
        title=text,
        status=text,
        status_text=text,
        status_text_en=text,
        next_action=text,
        next_action_en=text,
        seconds_to_decision=2**63 - 1,
        payment_date="2027-12-25",
        payment_amount=2**63 - 1,
    )

    for step_first in (True, False):  # the case's step, or unread messages, as next
        payload = glance(
            Case(**{**case.__dict__, "resident_must_act": step_first}),
            unread=-(2**31),
            lang=lang,
            replies=2**31,
            booking=text,
            service=text,
        )
        raw = dumps(payload)
        assert len(raw) < MAX_BYTES, len(raw)
        assert json.loads(raw.decode("utf-8")) == payload
        shown = payload["case"]
        assert {"decisionIn", "secondsToDecision", "payment", "paymentDate", "paymentAmount"} <= set(shown)
        assert payload["next"] and payload["booking"] and payload["service"]


def test_the_glance_over_grpc_stays_under_1_kb_with_every_part_long(client, auth, world, tove):
    _glance_answers(
        world,
        status=apps_pb.APPLICATION_STATUS_COMPLETION_REQUESTED,
        resident_must_act=True,
        title="Å" * 10_000,
        status_text='😀"' * 10_000,
        next_action="Skicka in det som saknas " + "och mer " * 5_000,
        next_action_en="Send what is missing " + "and more " * 5_000,
        seconds_to_decision=2**62,
        payment_date="2027-01-25",
        payment_amount=2**62,
    )
    messages_to(world, tove, 2)  # the largest counts: test_the_fullest_glance_is_under_1_kb

    for headers in (auth, {**auth, "Accept-Language": "en"}):
        answer = client.get("/v1/glance", headers=headers)
        assert answer.status_code == 200
        assert len(answer.get_data()) < 1024
        body = answer.get_json()
        assert body["next"].startswith(("Skicka in det som saknas och mer", "Send what is missing and more"))
        assert body["next"].endswith("…")
        assert body["case"]["decisionIn"]
        assert body["case"]["payment"]

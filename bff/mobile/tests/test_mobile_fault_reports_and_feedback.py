"""Fault reports and feedback in the phone app's API, against the real contact service: the kinds
(public), a report inside the municipality that becomes the resident's question, one outside it
refused at `lat`; a rating of 7 refused, a rating of her closed contact given once; a sent
e-service and a held booking rated once and changeable for a day, read back with GET /v1/feedback."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from fickan_common.tokens import Principal


def tomorrow():  # type: ignore[no-untyped-def]
    return (datetime.now(ZoneInfo("Europe/Stockholm")) + timedelta(days=1)).date()


REPORT = {
    "serviceCode": "klotter",
    "description": "Klotter på busskuren.",
    "lat": 56.0465,
    "long": 12.6945,
    "attributes": {"stotande": ["nej"]},
}


def test_a_fault_is_reported_and_followed_and_outside_the_municipality_is_refused(client, resident, world):
    kinds = client.get("/v1/fault-reports/kinds").get_json()
    assert kinds["area"] == "Helsingborgs kommun" and "klotter" in [k["code"] for k in kinds["kinds"]]

    made = client.post("/v1/fault-reports", json=REPORT, headers=resident.headers)
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["status"] == "open"
    questions = client.get("/v1/questions", headers=resident.headers).get_json()["questions"]
    assert [q["id"] for q in questions] == [made.get_json()["questionId"]]

    outside = client.post(
        "/v1/fault-reports", json={**REPORT, "lat": 59.3293, "long": 18.0686}, headers=resident.headers
    )
    assert outside.status_code == 400
    assert "utanför kommunen" in outside.get_json()["error"]["fields"]["lat"]
    unknown = client.post("/v1/fault-reports", json={**REPORT, "serviceCode": "ufo"}, headers=resident.headers)
    assert unknown.status_code == 400 and "serviceCode" in unknown.get_json()["error"]["fields"]
    assert len(world.contact.questions) == 1


def test_feedback_on_a_closed_contact_once_and_a_rating_of_7_refused(client, resident, world):
    made = client.post("/v1/fault-reports", json=REPORT, headers=resident.headers).get_json()
    agent = Principal(user_id=str(uuid.uuid4()), roles=("contact_agent",), name="Bengt", group="BBMT")
    world.contact.servicer.desk.close(agent, made["questionId"], "felanmalan")

    body = {"kind": "contact", "subjectId": made["questionId"], "rating": 7, "comment": "Bra"}
    seven = client.post("/v1/feedback", json=body, headers=resident.headers)
    assert seven.status_code == 400 and "1 till 5" in seven.get_json()["error"]["fields"]["rating"]
    given = client.post("/v1/feedback", json={**body, "rating": 5}, headers=resident.headers)
    assert given.status_code == 201 and given.get_json()["rating"] == 5 and given.get_json()["editableUntil"]


def test_a_sent_e_service_and_a_held_booking_rated_once_and_editable_for_a_day(client, resident, neighbour, world):
    from datetime import UTC

    from contact.store import FeedbackRow, Slot

    # Applications' case_status_changed events tell contact the application was sent (as its worker does).
    application_id, draft_id = str(uuid.uuid4()), str(uuid.uuid4())
    world.contact.case_moved(application_id, [resident.user_id], "submitted", open=True, sent=True)
    world.contact.case_moved(draft_id, [resident.user_id], "draft", open=False, sent=False)

    subject = {"kind": "e_service", "subjectId": application_id}
    before = client.get("/v1/feedback", query_string=subject, headers=resident.headers)
    assert before.status_code == 200 and before.get_json()["given"] is False
    seven = client.post("/v1/feedback", json={**subject, "rating": 7}, headers=resident.headers)
    assert seven.status_code == 400 and "1 till 5" in seven.get_json()["error"]["fields"]["rating"]
    given = client.post("/v1/feedback", json={**subject, "rating": 2, "comment": "Krångligt"}, headers=resident.headers)
    assert given.status_code == 201
    changed = client.post("/v1/feedback", json={**subject, "rating": 4, "comment": "Bra"}, headers=resident.headers)
    assert changed.status_code == 201 and changed.get_json()["id"] == given.get_json()["id"]  # once per thing
    mine = client.get("/v1/feedback", query_string=subject, headers=resident.headers).get_json()
    assert (mine["given"], mine["rating"], mine["comment"]) == (True, 4, "Bra") and mine["editableUntil"]
    # Not sent yet, or not hers: refused, and nothing stored.
    draft = client.post("/v1/feedback", json={**subject, "subjectId": draft_id, "rating": 5}, headers=resident.headers)
    assert draft.status_code == 409 and "skickad" in draft.get_json()["error"]["message"]
    theirs = client.post("/v1/feedback", json={**subject, "rating": 1}, headers=neighbour.headers)
    assert theirs.status_code == 404
    # After a day the rating stands.
    with world.contact.db.transaction() as session:
        session.query(FeedbackRow).one().given_at = datetime.now(UTC) - timedelta(days=1, minutes=1)
    late = client.post("/v1/feedback", json={**subject, "rating": 1}, headers=resident.headers)
    assert late.status_code == 409 and "ett dygn" in late.get_json()["error"]["message"]

    # A held booking is rated the same way; a coming one is not yet.
    [slot_id] = world.contact.publish_times("Konsumentvägledning", tomorrow(), "09:00", "09:30")
    booking = client.post("/v1/bookings", json={"slotId": slot_id}, headers=resident.headers).get_json()
    rate_booking = {"kind": "booking", "subjectId": booking["id"], "rating": 5}
    early = client.post("/v1/feedback", json=rate_booking, headers=resident.headers)
    assert early.status_code == 409 and "ägt rum" in early.get_json()["error"]["message"]
    with world.contact.db.transaction() as session:  # the meeting has been held
        slot = session.get(Slot, slot_id)
        slot.starts_at, slot.ends_at = datetime.now(UTC) - timedelta(hours=2), datetime.now(UTC) - timedelta(hours=1)
    assert client.post("/v1/feedback", json=rate_booking, headers=resident.headers).status_code == 201
    with world.contact.db.read() as session:
        assert sorted((f.subject_kind, f.rating) for f in session.query(FeedbackRow).all()) == [
            ("booking", 5),
            ("e_service", 4),
        ]
    assert client.get("/v1/feedback", query_string=subject).status_code == 401
    bad = client.get("/v1/feedback", query_string={"kind": "kaffe", "subjectId": "x"}, headers=resident.headers)
    assert bad.status_code == 400

"""Fault reports and feedback in the phone app's API, against the real contact service: the kinds
(public), a report inside the municipality that becomes the resident's question, one outside it
refused at `lat`; a rating of 7 refused, a rating of her closed contact given once."""

from __future__ import annotations

import uuid

from fickan_common.tokens import Principal

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

"""The inbox (messages and the unread count) and questions to the contact centre."""

from __future__ import annotations


def test_the_inbox_shows_my_messages_and_the_unread_count(client, resident, neighbour, world):
    world.notifications.add_message(resident.user_id, "Vi har tagit emot din ansökan")
    world.notifications.add_message(resident.user_id, "Välkommen", read=True)
    world.notifications.add_message(neighbour.user_id, "Inte ditt")

    answer = client.get("/v1/inbox?limit=20", headers=resident.headers)

    assert answer.status_code == 200
    inbox = answer.get_json()
    assert inbox["unread"] == 1
    assert sorted(m["subject"] for m in inbox["messages"]) == ["Vi har tagit emot din ansökan", "Välkommen"]
    assert set(inbox["messages"][0]) == {"id", "subject", "body", "read", "createdAt", "reference"}
    assert world.notifications.limits == [20]
    assert answer.headers["Cache-Control"] == "no-store"  # personal data stays out of caches


def test_the_inbox_asks_for_fifty_by_default(client, resident, world):
    client.get("/v1/inbox", headers=resident.headers)

    assert world.notifications.limits == [50]


def test_marking_a_message_read(client, resident, world):
    message_id = world.notifications.add_message(resident.user_id, "Beslut")

    answer = client.post(f"/v1/inbox/{message_id}/read", headers=resident.headers)

    assert answer.status_code == 200
    assert answer.get_json()["read"] is True
    assert client.get("/v1/inbox", headers=resident.headers).get_json()["unread"] == 0


def test_someone_elses_message_is_404(client, resident, neighbour, world):
    message_id = world.notifications.add_message(neighbour.user_id, "Inte ditt")

    answer = client.post(f"/v1/inbox/{message_id}/read", headers=resident.headers)

    assert answer.status_code == 404
    assert world.notifications.messages[message_id]["read"] is False


def test_a_question_goes_to_the_contact_centre_from_the_mobile_channel(client, resident, world):
    answer = client.post(
        "/v1/questions", json={"subject": "Utbetalning", "body": "När kommer pengarna?"}, headers=resident.headers
    )

    assert answer.status_code == 201
    question = answer.get_json()
    assert question["channel"] == "mobile"
    assert question["status"] == "received"
    [stored] = world.contact.questions
    assert (stored["owner"], stored["channel"], stored["subject"]) == (resident.user_id, "mobile", "Utbetalning")

    listed = client.get("/v1/questions", headers=resident.headers).get_json()["questions"]
    assert [q["id"] for q in listed] == [question["id"]]

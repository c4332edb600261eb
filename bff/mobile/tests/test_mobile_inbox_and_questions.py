"""The inbox (messages and the unread count) and questions to the contact centre."""

from __future__ import annotations

import io

from conftest import message_to


def _limits(world) -> list[int]:  # type: ignore[no-untyped-def]
    return [c.request.limit for c in world.spies["notifications"].of("ListMessages")]


def test_the_inbox_shows_my_messages_and_the_unread_count(client, resident, neighbour, world):
    message_to(world, resident, 1)
    read = message_to(world, resident, 2)
    message_to(world, neighbour, 3)
    assert client.post(f"/v1/inbox/{read}/read", headers=resident.headers).status_code == 200
    world.spies["notifications"].reset()

    answer = client.get("/v1/inbox?limit=20", headers=resident.headers)

    assert answer.status_code == 200
    inbox = answer.get_json()
    assert inbox["unread"] == 1
    assert len(inbox["messages"]) == 2  # not the neighbour's
    assert sorted(m["read"] for m in inbox["messages"]) == [False, True]
    assert all(m["subject"] and m["body"] for m in inbox["messages"])
    assert set(inbox["messages"][0]) == {"id", "subject", "body", "read", "createdAt", "reference"}
    assert _limits(world) == [20]
    assert answer.headers["Cache-Control"] == "no-store"  # personal data stays out of caches


def test_the_inbox_asks_for_fifty_by_default(client, resident, world):
    client.get("/v1/inbox", headers=resident.headers)

    assert _limits(world) == [50]


def test_marking_a_message_read(client, resident, world):
    message_id = message_to(world, resident)

    answer = client.post(f"/v1/inbox/{message_id}/read", headers=resident.headers)

    assert answer.status_code == 200
    assert answer.get_json()["read"] is True
    assert client.get("/v1/inbox", headers=resident.headers).get_json()["unread"] == 0


def test_someone_elses_message_is_refused_and_stays_unread(client, resident, neighbour, world):
    message_id = message_to(world, neighbour)

    answer = client.post(f"/v1/inbox/{message_id}/read", headers=resident.headers)

    # notifications answers PERMISSION_DENIED (the fake said NOT_FOUND; contact's threads say 404)
    assert answer.status_code == 403
    assert client.get("/v1/inbox", headers=neighbour.headers).get_json()["unread"] == 1


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


def test_a_question_is_routed_by_its_text_and_its_thread_is_read_and_continued(client, resident, world):
    asked = client.post(
        "/v1/questions",
        json={"subject": "Bygglov", "body": "Behöver jag bygglov för en altan på 25 kvadratmeter?"},
        headers=resident.headers,
    ).get_json()
    assert asked["group"] == "Bo, bygga, miljö och tillstånd"
    assert (asked["statusText"], asked["statusTextEn"], asked["unreadReplies"]) == ("Mottagen", "Received", 0)

    thread = client.get(f"/v1/questions/{asked['id']}", headers=resident.headers).get_json()
    assert [e["kind"] for e in thread["entries"]] == ["question"]
    more = client.post(
        f"/v1/questions/{asked['id']}/messages", json={"body": "Altanen är en meter hög."}, headers=resident.headers
    )
    assert more.status_code == 201
    assert [e["kind"] for e in more.get_json()["entries"]] == ["question", "message"]


def test_topics_come_from_the_contact_centre_and_an_unknown_topic_is_refused(client, resident, world):
    topics = client.get("/v1/contact/topics", headers=resident.headers).get_json()["topics"]
    assert {"code": "ekonomiskt-bistand", "name": "Ekonomiskt bistånd och min ansökan"}.items() <= topics[0].items()
    refused = client.post(
        "/v1/questions", json={"subject": "X", "body": "Y", "topic": "drakar"}, headers=resident.headers
    )
    assert refused.status_code == 400 and "topic" in refused.get_json()["error"]["fields"]
    assert world.contact.questions == []


def test_another_residents_thread_is_not_found(client, resident, neighbour, world):
    asked = client.post("/v1/questions", json={"subject": "A", "body": "B"}, headers=resident.headers).get_json()
    answer = client.get(f"/v1/questions/{asked['id']}", headers=neighbour.headers)
    assert answer.status_code == 404
    assert client.get("/v1/questions/inte-ett-id", headers=resident.headers).status_code == 400


def test_a_file_sent_in_a_thread_is_checked_by_its_bytes_and_downloaded_again(client, resident, world):
    asked = client.post(
        "/v1/questions", json={"subject": "Kvitto", "body": "Här är kvittot."}, headers=resident.headers
    )
    question_id = asked.get_json()["id"]
    pdf = b"%PDF-1.4\n%%EOF\n"
    sent = client.post(
        f"/v1/questions/{question_id}/attachments",
        data={"file": (io.BytesIO(pdf), "kvitto.pdf")},
        headers=resident.headers,
        content_type="multipart/form-data",
    )
    assert sent.status_code == 201, sent.get_json()
    entry = sent.get_json()["entries"][-1]
    assert (entry["kind"], entry["body"]) == ("attachment", "kvitto.pdf")
    got = client.get(f"/v1/questions/{question_id}/attachments/{entry['attachmentId']}", headers=resident.headers)
    assert got.status_code == 200 and got.data == pdf and got.mimetype == "application/pdf"

    refused = client.post(
        f"/v1/questions/{question_id}/attachments",
        data={"file": (io.BytesIO(b"<html>"), "kvitto.pdf")},
        headers=resident.headers,
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400

"""The inbox: the resident's messages, unread ones marked, and marking one read. The messages are
made by the real notifications service from real events."""

from __future__ import annotations

from conftest import PNR_ANNA, PNR_BO, Platform, csrf_of, login, page
from flask.testing import FlaskClient

CASE = "6f1c1b8e-0f5e-4a43-9b8b-3e2f0a1d2c3b"


def _unread(platform: Platform, personal_number: str) -> int:
    return sum(1 for m in _messages(platform, personal_number) if not m.read)


def _messages(platform: Platform, personal_number: str) -> list:  # type: ignore[type-arg]
    from fickan.notifications.v1 import notifications_pb2 as notes_pb

    services = platform.services()
    try:
        token = platform.identity.token(platform.identity.user_id(personal_number), device="web")
        return list(services.notifications.call("ListMessages", notes_pb.ListMessagesRequest(), token=token).messages)
    finally:
        for client in services.all().values():
            client.close()


def test_inbox_lists_own_messages_with_unread_marked(client: FlaskClient, platform: Platform) -> None:
    login(client)
    bo = platform.log_in(PNR_BO)
    mine = platform.message_to(platform.identity.user_id(PNR_ANNA), 4200, application_id=CASE)
    theirs = platform.message_to(bo.user_id, 99)
    html = page(client, "/inkorg")
    assert mine.subject in html
    assert theirs.body not in html
    assert "Oläst" in html and "card-unread" in html
    assert f'href="/ansokan/{CASE}"' in html
    assert "Markera som läst" in html


def test_mark_read_marks_the_message_and_lowers_the_count(client: FlaskClient, platform: Platform) -> None:
    login(client)
    message = platform.message_to(platform.identity.user_id(PNR_ANNA))
    assert "Du har 1 oläst meddelande." in page(client, "/mina-sidor")
    html = page(client, "/inkorg")
    response = client.post(f"/inkorg/{message.message_id}/last", data={"csrf_token": csrf_of(html)})
    assert response.status_code == 302 and response.location == "/inkorg"
    assert _unread(platform, PNR_ANNA) == 0
    html = page(client, "/inkorg")
    assert "Meddelandet är markerat som läst." in html
    assert "card-unread" not in html
    assert "Du har inga olästa meddelanden." in page(client, "/mina-sidor")


def test_mark_read_of_someone_elses_message_is_refused(client: FlaskClient, platform: Platform) -> None:
    login(client)
    bo = platform.log_in(PNR_BO)
    message = platform.message_to(bo.user_id)
    html = page(client, "/inkorg")
    response = client.post(f"/inkorg/{message.message_id}/last", data={"csrf_token": csrf_of(html)})
    # notifications answers PERMISSION_DENIED (the fake said NOT_FOUND)
    assert response.status_code == 403
    assert _unread(platform, PNR_BO) == 1

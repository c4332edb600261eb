"""The inbox: the resident's messages, unread ones marked, and marking one read."""

from __future__ import annotations

from conftest import PNR_ANNA, PNR_BO, Platform, csrf_of, login, page
from flask.testing import FlaskClient
from web_fakes import fake_platform, on_fakes, user_id_for  # noqa: F401 - not moved yet


def test_inbox_lists_own_messages_with_unread_marked(client: FlaskClient, platform: Platform) -> None:
    platform.notifications.add(user_id_for(PNR_ANNA), "Vi har tagit emot din ansökan", "Tack.", "application:abc")
    platform.notifications.add(user_id_for(PNR_BO), "Bos meddelande", "Hemligt.")
    login(client)
    html = page(client, "/inkorg")
    assert "Vi har tagit emot din ansökan" in html
    assert "Bos meddelande" not in html
    assert "Oläst" in html and "card-unread" in html
    assert 'href="/ansokan/abc"' in html
    assert "Markera som läst" in html


def test_mark_read_marks_the_message_and_lowers_the_count(client: FlaskClient, platform: Platform) -> None:
    message = platform.notifications.add(user_id_for(PNR_ANNA), "Beslut", "Du har fått ett beslut.")
    login(client)
    assert "Du har 1 oläst meddelande." in page(client, "/mina-sidor")
    html = page(client, "/inkorg")
    response = client.post(f"/inkorg/{message.message_id}/last", data={"csrf_token": csrf_of(html)})
    assert response.status_code == 302 and response.location == "/inkorg"
    assert platform.notifications.messages[message.message_id].read is True
    html = page(client, "/inkorg")
    assert "Meddelandet är markerat som läst." in html
    assert "card-unread" not in html
    assert "Du har inga olästa meddelanden." in page(client, "/mina-sidor")


def test_mark_read_of_someone_elses_message_is_404(client: FlaskClient, platform: Platform) -> None:
    message = platform.notifications.add(user_id_for(PNR_BO), "Bos", "Hemligt.")
    login(client)
    html = page(client, "/inkorg")
    response = client.post(f"/inkorg/{message.message_id}/last", data={"csrf_token": csrf_of(html)})
    assert response.status_code == 404
    assert platform.notifications.messages[message.message_id].read is False

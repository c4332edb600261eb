"""Feedback on the web pages, on the real services: after her contact is closed, Anna
rates it on the thread page; a rating of 7 is refused at its field and changes nothing; the BBMT
agent reads the comment on the feedback page without Anna's name. A sent application is rated on
its case page."""

from __future__ import annotations

from conftest import PNR_ANNA, PNR_BO, Platform, csrf_of, login, page
from flask import Flask
from flask.testing import FlaskClient

PNR_BENGT = "198501032380"  # a test number of Skatteverket's


def ask(client: FlaskClient, subject: str, body: str, topic: str) -> str:
    """The resident asks on the contact page; the question's id."""
    token = csrf_of(page(client, f"/kontakt?amne={topic}"))
    data = {"csrf_token": token, "subject": subject, "body": body, "topic": topic}
    asked = client.post("/kontakt", data=data)
    assert asked.status_code == 302 and "/kontakt/fragor/" in asked.location, asked.get_data(as_text=True)[:2000]
    return asked.location.rsplit("/", 1)[1]


def test_a_closed_contact_is_rated_and_staff_read_it_without_her_name(app: Flask, platform: Platform) -> None:
    anna = app.test_client()
    login(anna, PNR_ANNA)
    question_id = ask(anna, "Altan", "Behöver jag bygglov?", "bygga-bo")
    thread_url = f"/kontakt/fragor/{question_id}"
    assert "data-feedback" not in page(anna, thread_url)  # open: nothing to rate yet

    platform.identity.give_roles(PNR_BENGT, "Bengt Vägledare", ["contact_agent"], answer_group="BBMT")
    agent = platform.identity.principal(platform.log_in(PNR_BENGT, device="web"))
    platform.contact.servicer.desk.close(agent, question_id, "ovrigt")
    closed = page(anna, thread_url)
    assert "Vad tyckte du?" in closed

    action = f"/kontakt/fragor/{question_id}/omdome"
    seven = anna.post(action, data={"csrf_token": csrf_of(closed), "rating": "7", "comment": "Toppen"})
    html = seven.get_data(as_text=True)
    assert seven.status_code == 400 and "Välj ett betyg från 1 till 5." in html and 'href="#rating"' in html
    assert "Toppen" in html  # what she wrote is kept in the form

    given = anna.post(action, data={"csrf_token": csrf_of(closed), "rating": "5", "comment": "Snabbt och tydligt!"})
    assert given.status_code == 302
    after = page(anna, thread_url)
    assert "Tack för ditt omdöme!" in after and 'value="5" checked' in after

    bengt = app.test_client()
    login(bengt, PNR_BENGT)
    listed = page(bengt, "/personal/omdomen")
    assert "Snabbt och tydligt!" in listed and "5 av 5" in listed
    main = listed.split("<main")[1].split("</main>")[0]
    assert "Anna" not in main and question_id not in listed


def test_a_sent_application_is_rated_on_its_case_page(app: Flask, platform: Platform) -> None:
    """After Anna sends her application she rates the e-service on the case page: before contact has
    heard of it she is asked to try again shortly; a 7 is refused at its field and stores nothing; a
    4 is stored once and can be changed for a day."""
    from contact.store import FeedbackRow

    anna = app.test_client()
    login(anna, PNR_ANNA)
    # Sent through applications' own use cases (filled in, papers uploaded, signed with BankID).
    annas_app = platform.log_in(PNR_ANNA, device="web")
    app_id = platform.applications.submitted(annas_app).id
    case = page(anna, f"/ansokan/{app_id}")
    assert "Vad tyckte du?" in case and "Hur var det att söka här?" in case
    action = f"/ansokan/{app_id}/omdome"

    too_soon = anna.post(action, data={"csrf_token": csrf_of(case), "rating": "4"})
    assert too_soon.status_code == 409 and "Försök igen om en liten stund" in too_soon.get_data(as_text=True)
    # Applications' case_status_changed events reach contact (what its worker does with them).
    assert platform.pass_case_events_to_contact() >= 2

    seven = anna.post(action, data={"csrf_token": csrf_of(case), "rating": "7", "comment": "Enkelt"})
    html = seven.get_data(as_text=True)
    assert seven.status_code == 400 and "Välj ett betyg från 1 till 5." in html and 'href="#rating"' in html
    assert 'aria-describedby="rating-error"' in html and "Enkelt" in html
    with platform.contact.db.read() as session:
        assert session.query(FeedbackRow).count() == 0

    given = anna.post(action, data={"csrf_token": csrf_of(case), "rating": "4", "comment": "Enkelt att söka."})
    assert given.status_code == 302
    after = page(anna, f"/ansokan/{app_id}")
    assert "Tack för ditt omdöme!" in after and 'value="4" checked' in after and "Ändra omdöme" in after
    changed = anna.post(action, data={"csrf_token": csrf_of(after), "rating": "5", "comment": "Enkelt att söka."})
    assert changed.status_code == 302
    with platform.contact.db.read() as session:
        assert [(f.subject_kind, f.rating, f.group_code) for f in session.query(FeedbackRow).all()] == [
            ("e_service", 5, "e-tjänst")
        ]
    bo = app.test_client()
    login(bo, PNR_BO)
    # Not his application: applications refuses it (PERMISSION_DENIED) before contact is asked; her rating stands.
    given_before = len(platform.spies["contact"].of("GiveFeedback"))
    assert bo.post(action, data={"csrf_token": csrf_of(page(bo, "/mina-sidor")), "rating": "1"}).status_code == 403
    assert len(platform.spies["contact"].of("GiveFeedback")) == given_before
    with platform.contact.db.read() as session:
        assert [f.rating for f in session.query(FeedbackRow).all()] == [5]

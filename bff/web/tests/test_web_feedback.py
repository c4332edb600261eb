"""Feedback on the web pages, against the real contact service: after her contact is closed, Anna
rates it on the thread page; a rating of 7 is refused at its field and changes nothing; the BBMT
agent reads the comment on the feedback page without Anna's name. A sent application is rated on
its case page."""

from __future__ import annotations

import uuid

from conftest import PNR_ANNA, PNR_BO, Platform, csrf_of, login, page
from flask import Flask
from web_fakes import fake_platform, on_fakes, user_id_for  # noqa: F401 - not moved yet

from fickan_common.tokens import Principal

PNR_BENGT = "197002022222"


def test_a_closed_contact_is_rated_and_staff_read_it_without_her_name(app: Flask, platform: Platform) -> None:
    anna = app.test_client()
    login(anna, PNR_ANNA)
    # (The ask page asks applications for her case's glance, which the fake does not answer: she asks
    # through the service's own use case.)
    resident = Principal(user_id=user_id_for(PNR_ANNA), roles=("resident",), name="Anna")
    question_id = platform.contact.servicer.contact.ask(resident, "Altan", "Behöver jag bygglov?", "web", "bygga-bo").id
    thread_url = f"/kontakt/fragor/{question_id}"
    assert "data-feedback" not in page(anna, thread_url)  # open: nothing to rate yet

    agent = Principal(user_id=str(uuid.uuid4()), roles=("contact_agent",), name="Bengt", group="BBMT")
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

    platform.identity.roles[PNR_BENGT] = ("resident", "contact_agent")
    platform.identity.extra_claims[PNR_BENGT] = {"group": "BBMT"}
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
    from datetime import UTC, datetime

    from test_web_applications import fill_in, new_application, sign

    from contact.service import record_case_status
    from contact.store import FeedbackRow

    anna = app.test_client()
    login(anna, PNR_ANNA)
    app_id = new_application(anna)
    fill_in(anna, app_id)
    sign(anna, app_id, f"/ansokan/{app_id}/skicka")
    case = page(anna, f"/ansokan/{app_id}")
    assert "Vad tyckte du?" in case and "Hur var det att söka här?" in case
    action = f"/ansokan/{app_id}/omdome"

    too_soon = anna.post(action, data={"csrf_token": csrf_of(case), "rating": "4"})
    assert too_soon.status_code == 409 and "Försök igen om en liten stund" in too_soon.get_data(as_text=True)
    # Applications' case_status_changed event reaches contact (what its worker does with it).
    with platform.contact.db.transaction() as session:
        record_case_status(session, app_id, [user_id_for(PNR_ANNA)], "submitted", datetime.now(UTC))

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
    # Not his application: applications refuses it before contact is asked; her rating stands.
    assert bo.post(action, data={"csrf_token": csrf_of(page(bo, "/mina-sidor")), "rating": "1"}).status_code in (
        403,
        404,
    )
    with platform.contact.db.read() as session:
        assert [f.rating for f in session.query(FeedbackRow).all()] == [5]

"""Feedback on the web pages, against the real contact service: after her contact is closed, Anna
rates it on the thread page; a rating of 7 is refused at its field and changes nothing; the BBMT
agent reads the comment on the feedback page without Anna's name."""

from __future__ import annotations

import uuid

from conftest import PNR_ANNA, Platform, csrf_of, login, page
from flask import Flask
from web_fakes import user_id_for

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

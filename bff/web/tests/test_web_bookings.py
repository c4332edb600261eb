"""Advisory bookings on the web pages, on the real services: an advisor publishes a
pattern and sees her day; Anna books, downloads the calendar file, reschedules and cancels; Bo,
a moment late for the same time, is told so in Swedish with the next free times; another
resident's booking cannot be touched."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from conftest import PNR_ANNA, PNR_BO, Platform, csrf_of, login, page
from flask import Flask
from flask.testing import FlaskClient

SERVICE = "Budget- och skuldrådgivning"
PNR_RUT = "198501032380"  # test numbers of Skatteverket's
_FORM = re.compile(r'<form method="post" action="([^"]+)">.*?</form>', re.S)


def tomorrow() -> datetime:
    return datetime.now(ZoneInfo("Europe/Stockholm")) + timedelta(days=1)


def fields_of(html: str, action: str) -> dict[str, str]:
    for form in re.findall(r"<form\b[^>]*>.*?</form>", html, flags=re.S):
        if f'action="{action}"' in form:
            return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    raise AssertionError(f"no form posting to {action}")


def publish_tomorrow(client: FlaskClient, platform: Platform) -> str:
    platform.identity.give_roles(PNR_RUT, "Rut Rådgivare", ["contact_agent"], answer_group=SERVICE)
    login(client, PNR_RUT)
    day = page(client, "/personal/radgivning")
    day_of = tomorrow()
    published = client.post(
        "/personal/radgivning/publicera",
        data={
            **fields_of(day, "/personal/radgivning/publicera"),
            "kind": "on_site",
            "weekdays": str(day_of.isoweekday()),
            "start_time": "09:00",
            "end_time": "10:30",
            "slot_minutes": "30",
            "from_date": day_of.date().isoformat(),
            "to_date": day_of.date().isoformat(),
            "except_dates": "",
            "location": "Stadshuset",
        },
    )
    assert published.status_code == 302, published.get_data(as_text=True)[:2000]
    return day_of.date().isoformat()


def test_book_reschedule_cancel_and_the_advisor_sees_her_day(app: Flask, platform: Platform) -> None:
    rut, anna = app.test_client(), app.test_client()
    day = publish_tomorrow(rut, platform)
    login(anna, PNR_ANNA)
    times = page(anna, "/radgivning?tjanst=" + SERVICE)
    assert times.count("data-slot=") == 3 and "Stadshuset" in times
    book = fields_of(times, "/radgivning/boka")
    booked = anna.post("/radgivning/boka", data={**book, "note": "Mina skulder"})
    assert booked.status_code == 302 and booked.location.endswith("/radgivning/bokningar")
    mine = page(anna, "/radgivning/bokningar")
    assert "Tiden är bokad" in mine and f"{day} 09:00–09:30" in mine
    booking_id = re.search(r'data-booking="([^"]+)"', mine).group(1)

    ics = anna.get(f"/radgivning/bokningar/{booking_id}/kalender.ics")
    assert ics.status_code == 200 and ics.headers["Content-Type"].startswith("text/calendar")
    assert "attachment" in ics.headers["Content-Disposition"] and b"BEGIN:VEVENT" in ics.data

    advisor_day = page(rut, f"/personal/radgivning?dag={day}")
    assert "Mina skulder" in advisor_day and advisor_day.count("<td>Ledig</td>") == 2

    rebook = page(anna, f"/radgivning/bokningar/{booking_id}/boka-om")
    action = f"/radgivning/bokningar/{booking_id}/boka-om"
    moved = anna.post(
        action, data=fields_of(rebook, action) | {"slot_id": re.findall(r'data-slot="([^"]+)"', rebook)[-1]}
    )
    assert moved.status_code == 302
    mine = page(anna, "/radgivning/bokningar")
    assert f"{day} 10:00–10:30" in mine and "Din tid är ombokad" in mine
    new_id = re.search(r'data-booking="([^"]+)"', mine).group(1)
    cancelled = anna.post(
        f"/radgivning/bokningar/{new_id}/avboka", data=fields_of(mine, f"/radgivning/bokningar/{new_id}/avboka")
    )
    assert cancelled.status_code == 302
    assert "Tiden är avbokad" in page(anna, "/radgivning/bokningar")
    assert page(anna, "/radgivning?tjanst=" + SERVICE).count("data-slot=") == 3


def test_the_one_a_moment_late_sees_why_and_the_next_free_times(app: Flask, platform: Platform) -> None:
    rut, anna, bo = app.test_client(), app.test_client(), app.test_client()
    publish_tomorrow(rut, platform)
    login(anna, PNR_ANNA)
    login(bo, PNR_BO)
    annas_page = page(anna, "/radgivning?tjanst=" + SERVICE)
    bos_page = page(bo, "/radgivning?tjanst=" + SERVICE)  # both see 09:00 free
    assert anna.post("/radgivning/boka", data=fields_of(annas_page, "/radgivning/boka")).status_code == 302
    late = bo.post("/radgivning/boka", data=fields_of(bos_page, "/radgivning/boka"))
    html = late.get_data(as_text=True)
    assert late.status_code == 409
    assert "Tiden hann bokas av någon annan." in html and "Nästa lediga tider:" in html and "kl. 09:30" in html
    assert html.count("data-slot=") == 2  # the times still free, to book at once

    # Anna's booking is not Bo's to cancel, move or download.
    booking_id = re.search(r'data-booking="([^"]+)"', page(anna, "/radgivning/bokningar")).group(1)
    token = csrf_of(page(bo, "/radgivning/bokningar"))
    assert bo.post(f"/radgivning/bokningar/{booking_id}/avboka", data={"csrf_token": token}).status_code == 404
    assert bo.get(f"/radgivning/bokningar/{booking_id}/kalender.ics").status_code == 404
    assert bo.get(f"/radgivning/bokningar/{booking_id}/boka-om").status_code == 404
    assert "Bokad" in page(anna, "/radgivning/bokningar")


def test_the_advisors_bad_pattern_is_told_by_field_and_residents_cannot_publish(app: Flask, platform: Platform) -> None:
    rut = app.test_client()
    platform.identity.give_roles(PNR_RUT, "Rut Rådgivare", ["contact_agent"], answer_group=SERVICE)
    login(rut, PNR_RUT)
    day = page(rut, "/personal/radgivning")
    refused = rut.post(
        "/personal/radgivning/publicera",
        data={**fields_of(day, "/personal/radgivning/publicera"), "kind": "on_site", "start_time": "10:00",
              "end_time": "09:00", "slot_minutes": "30", "from_date": "2020-01-01", "to_date": "2020-01-02"},
    )  # fmt: skip
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Välj minst en veckodag" in html and "Sluttiden måste vara efter starttiden" in html
    assert "Första dagen kan inte ha varit" in html
    anna = app.test_client()
    login(anna, PNR_ANNA)
    assert anna.get("/personal/radgivning").status_code == 403


def test_a_held_meeting_is_rated_on_my_bookings(app: Flask, platform: Platform) -> None:
    from datetime import UTC

    from contact.store import FeedbackRow, Slot

    rut, anna = app.test_client(), app.test_client()
    publish_tomorrow(rut, platform)
    login(anna, PNR_ANNA)
    times = page(anna, "/radgivning?tjanst=" + SERVICE)
    assert anna.post("/radgivning/boka", data=fields_of(times, "/radgivning/boka")).status_code == 302
    booking_id = re.search(r'data-booking="([^"]+)"', page(anna, "/radgivning/bokningar")).group(1)
    with platform.contact.db.transaction() as session:  # the meeting has been held
        for slot in session.query(Slot).all():
            slot.starts_at = datetime.now(UTC) - timedelta(hours=2)
            slot.ends_at = datetime.now(UTC) - timedelta(hours=1)
    mine = page(anna, "/radgivning/bokningar")
    action = f"/radgivning/bokningar/{booking_id}/omdome"
    assert "Vad tyckte du?" in mine and "Avboka" not in mine
    refused = anna.post(action, data={**fields_of(mine, action), "rating": "7"})
    assert refused.status_code == 302 and "välj ett betyg från 1 till 5" in page(anna, "/radgivning/bokningar")
    given = anna.post(action, data={**fields_of(mine, action), "rating": "4", "comment": "Bra råd om budget."})
    assert given.status_code == 302
    with platform.contact.db.read() as session:
        assert [(f.rating, f.group_code) for f in session.query(FeedbackRow).all()] == [(4, SERVICE)]


PNR_KARIN = "198501012382"
UNIT = "ekonomiskt-bistand"


def test_a_case_worker_publishes_an_extra_time_and_a_day_off_from_her_day(app: Flask, platform: Platform) -> None:
    """Case workers publish their unit's times like advisors: a pattern, an extra time, a day off.
    Bad input is told next to its field and changes nothing; a resident books her time."""
    from contact.store import Slot

    karin, anna = app.test_client(), app.test_client()
    platform.identity.give_roles(PNR_KARIN, "Karin Handläggare", ["case_worker"], unit=UNIT)
    login(karin, PNR_KARIN)
    assert "/personal/radgivning" in page(karin, "/personal")
    day = tomorrow().date().isoformat()
    start = page(karin, f"/personal/radgivning?dag={day}")
    assert 'id="extra_start_time"' in start and 'id="day_off"' in start

    def extra(start_time: str, end_time: str, kind: str = "telephone", on: str = day):  # type: ignore[no-untyped-def]
        form = fields_of(start, "/personal/radgivning/extra-tid")
        data = {"extra_kind": kind, "extra_date": on, "extra_start_time": start_time, "extra_end_time": end_time}
        return karin.post("/personal/radgivning/extra-tid", data={**form, **data, "extra_location": "Ring upp"})

    added = extra("10:00", "10:45")
    assert added.status_code == 302 and added.location.endswith(f"dag={day}")
    her_day = page(karin, f"/personal/radgivning?dag={day}")
    assert "Den extra tiden är publicerad." in her_day and "10:00–10:45" in her_day and "Ring upp" in her_day

    yesterday = (tomorrow() - timedelta(days=2)).date().isoformat()
    for bad, field, says in (
        (("10:30", "11:00"), "extra_start_time", "krockar med en tid du redan har"),
        (("12:00", "11:00"), "extra_end_time", "Sluttiden måste vara efter starttiden"),
        (("12:00", "12:30", "telephone", yesterday), "extra_date", "Dagen har redan varit"),
        (("12:00", "12:30", "brevduva"), "extra_kind", "Välj på plats, telefon eller video"),
    ):
        refused = extra(*bad)
        html = refused.get_data(as_text=True)
        assert refused.status_code == 400 and says in html, (bad, html[:3000])
        assert f'href="#{field}"' in html  # the error summary leads to the field
        if field != "extra_kind":
            assert f'id="{field}-error"' in html and f'aria-describedby="{field}-error"' in html
    with platform.contact.db.read() as session:
        assert [(s.group_code, s.kind) for s in session.query(Slot).all()] == [(UNIT, "telephone")]

    login(anna, PNR_ANNA)
    choices = page(anna, "/radgivning")
    assert "Möte med handläggare" in choices and "Ekonomiskt bistånd: möte med handläggare" in choices
    times = page(anna, f"/radgivning?tjanst={UNIT}")
    booked = anna.post("/radgivning/boka", data={**fields_of(times, "/radgivning/boka"), "phone": "070-123 45 67"})
    assert booked.status_code == 302
    her_day = page(karin, f"/personal/radgivning?dag={day}")
    assert "Anna" in her_day and "1 tider, 1 bokade." in her_day

    day_off = fields_of(her_day, "/personal/radgivning/ledig-dag")
    unsaid = karin.post("/personal/radgivning/ledig-dag", data=day_off)
    assert unsaid.status_code == 400 and "Välj vilken dag du är ledig" in unsaid.get_data(as_text=True)
    off = karin.post("/personal/radgivning/ledig-dag", data={**day_off, "date": day})
    assert off.status_code == 302
    assert "Dagens tider är borttagna." in page(karin, f"/personal/radgivning?dag={day}")
    assert "Avbokad" in page(anna, "/radgivning/bokningar")
    past = karin.post(
        "/personal/radgivning/ledig-dag",
        data={**fields_of(her_day, "/personal/radgivning/ledig-dag"), "date": yesterday},
    )
    assert past.status_code == 400 and "Dagen har redan varit" in past.get_data(as_text=True)
    assert anna.get("/personal/radgivning").status_code == 403

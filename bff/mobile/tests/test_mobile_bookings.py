"""Advisory bookings in the phone app's API, against the real contact service: the services and
their free times (public), book, the loser of the last time gets 409 with the next free times,
my bookings, the calendar file, reschedule, cancel; another resident's booking is 404."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

SERVICE = "Budget- och skuldrådgivning"


def tomorrow():  # type: ignore[no-untyped-def]
    return (datetime.now(ZoneInfo("Europe/Stockholm")) + timedelta(days=1)).date()


def test_book_lose_the_race_reschedule_and_cancel(client, resident, neighbour, world):
    first, second = world.contact.publish_times(SERVICE, tomorrow())
    services = client.get("/v1/bookings/services").get_json()["services"]
    kinds = {s["code"]: s["kind"] for s in services}
    assert list(kinds.values()).count("advisory_service") == 7 and kinds[SERVICE] == "advisory_service"
    assert kinds["ekonomiskt-bistand"] == "case_unit"  # a meeting with a case worker
    free = client.get("/v1/bookings/free", query_string={"service": SERVICE}).get_json()["slots"]
    assert [s["id"] for s in free] == [first, second]
    assert free[0]["kindText"] == "På plats" and free[0]["location"] == "Stadshuset"

    booked = client.post("/v1/bookings", json={"slotId": first, "note": "Skulder"}, headers=resident.headers)
    assert booked.status_code == 201 and booked.get_json()["status"] == "booked"
    booking_id = booked.get_json()["id"]

    late = client.post("/v1/bookings", json={"slotId": first}, headers=neighbour.headers)
    assert late.status_code == 409
    message = late.get_json()["error"]["message"]
    assert message.startswith("Tiden hann bokas av någon annan.") and "kl. 09:30" in message

    mine = client.get("/v1/bookings", headers=resident.headers).get_json()["bookings"]
    assert [b["id"] for b in mine] == [booking_id]
    ics = client.get(f"/v1/bookings/{booking_id}/calendar.ics", headers=resident.headers)
    assert ics.status_code == 200 and ics.mimetype == "text/calendar" and b"BEGIN:VCALENDAR" in ics.data

    assert client.post(f"/v1/bookings/{booking_id}/cancel", headers=neighbour.headers).status_code == 404
    assert client.get(f"/v1/bookings/{booking_id}/calendar.ics", headers=neighbour.headers).status_code == 404

    moved = client.post(f"/v1/bookings/{booking_id}/reschedule", json={"slotId": second}, headers=resident.headers)
    assert moved.status_code == 201 and moved.get_json()["slot"]["id"] == second
    cancelled = client.post(f"/v1/bookings/{moved.get_json()['id']}/cancel", headers=resident.headers)
    assert cancelled.status_code == 200 and cancelled.get_json()["statusText"] == "Avbokad"
    assert client.get("/v1/bookings", headers=resident.headers).get_json()["bookings"] == []


def test_bad_booking_requests_are_refused_with_swedish_messages(client, resident):
    assert client.post("/v1/bookings", json={"slotId": "nej"}, headers=resident.headers).status_code == 400
    unknown = client.post(
        "/v1/bookings", json={"slotId": "00000000-0000-4000-8000-000000000000"}, headers=resident.headers
    )
    assert unknown.status_code == 404 and unknown.get_json()["error"]["message"].startswith("Tiden finns inte.")
    assert client.get("/v1/bookings/free", query_string={"service": "Okänd"}).status_code == 400
    assert client.post("/v1/bookings/not-an-id/cancel", headers=resident.headers).status_code == 400
    assert client.get("/v1/bookings").status_code == 401

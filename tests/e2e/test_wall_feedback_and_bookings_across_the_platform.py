"""Issue 11 across the running platform (every process real, its own quiet platform so the wall's
short lists hold only this test's things):

- the wall screen's "least time left to the 24-hour target" comes from applications' events: Anna's
  sent application appears on the open wall stream (Server-Sent Events) without any of its contents,
  and leaves it once Karin has decided it;
- Anna rates the e-service she used (mobile API) and the rating reaches the wall stream;
- Karin (case worker) publishes her unit's times on the web desk, Anna books one in the app: the
  confirmation reaches her inbox through notifications, the reminder the day before is scheduled
  there, the calendar file is served; cancelling cancels the reminder.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
from sqlalchemy import create_engine, text

from fickan_common.testing import fresh_rabbitmq_vhost

from ..conftest import DEMO_RESIDENT, TEARDOWN_STOP_TIMEOUT, _platform
from ..support.mobile import MobileClient
from ..support.web import form_fields, web_login

VERA = "198501032380"  # Vera Vägledare, contact agent (demo data): she has the wall on a screen
KARIN = "198501012382"  # Karin Handläggare, case worker of ekonomiskt-bistand (demo data)
UNIT = "ekonomiskt-bistand"
LOCAL = ZoneInfo("Europe/Stockholm")


@pytest.fixture(scope="module")
def quiet(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    with fresh_rabbitmq_vhost() as amqp_uri:
        running = _platform(tmp_path_factory.mktemp("platform-wall"), amqp_uri)
        try:
            yield running
        finally:
            running.stop(TEARDOWN_STOP_TIMEOUT)


class WallStream:
    """The wall page's Server-Sent Events, read as a browser's EventSource would: each event is the
    board's HTML, kept with when it came."""

    def __init__(self, session: requests.Session, url: str) -> None:
        self.response = session.get(url, stream=True, timeout=(5, 60))
        assert self.response.status_code == 200 and self.response.headers["Content-Type"].startswith(
            "text/event-stream"
        )
        self.events: list[tuple[float, str]] = []
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        data: list[str] = []
        try:
            for line in self.response.iter_lines(decode_unicode=True):
                if line.startswith("data: "):
                    data.append(line[6:])
                elif line == "" and data:
                    with self.lock:
                        self.events.append((time.monotonic(), "\n".join(data)))
                    data = []
        except (requests.RequestException, AttributeError, ValueError):
            pass  # closed by the test

    def latest(self) -> str:
        with self.lock:
            return self.events[-1][1] if self.events else ""

    def wait_for(self, check: Callable[[str], bool], what: str, timeout: float = 20.0) -> float:
        """Seconds from now until an event satisfies `check` (bounded, not asserted: speed is
        measured in benchmarks)."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if check(self.latest()):
                return time.monotonic() - started
            time.sleep(0.05)
        raise AssertionError(f"the wall never showed: {what}\n{self.latest()[-2000:]}")

    def close(self) -> None:
        self.response.close()


@contextmanager
def wall_stream(session: requests.Session, web: str) -> Iterator[WallStream]:
    stream = WallStream(session, f"{web}/personal/tavla/strom")
    try:
        yield stream
    finally:
        stream.close()


def cases_panel(html: str) -> str:
    """The board's "least time left" panel only."""
    start = html.find('id="wall-cases"')
    return html[start : html.find("</section>", start)] if start >= 0 else ""


def reminder(platform, booking_id: str) -> tuple[str, datetime] | None:  # type: ignore[no-untyped-def]
    engine = create_engine(platform.database_url("notifications"))
    try:
        with engine.connect() as conn:
            row = conn.execute(
                text("SELECT status, due_at FROM reminders WHERE kind = 'booking_reminder' AND reference = :r"),
                {"r": f"booking:{booking_id}"},
            ).first()
    finally:
        engine.dispose()
    if row is None:
        return None
    due = row[1] if isinstance(row[1], datetime) else datetime.fromisoformat(str(row[1]))
    return row[0], due if due.tzinfo else due.replace(tzinfo=UTC)


def wait_until(check, what: str, timeout: float = 20.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"never happened: {what}")


def test_sent_applications_come_and_go_on_the_wall_and_feedback_reaches_it(quiet) -> None:
    web, mobile = quiet.url("web"), MobileClient(quiet.url("mobile"))
    vera = web_login(web, VERA)
    anna = mobile.login(DEMO_RESIDENT)
    with wall_stream(vera, web) as wall:
        wall.wait_for(lambda html: 'id="wall-cases"' in html, "the first board")
        assert "<li>" not in cases_panel(wall.latest())  # a quiet office: nothing sent yet

        case = mobile.submit_application(anna)
        short = case["id"][:8]
        seconds = wall.wait_for(lambda html: short in cases_panel(html), "the sent application")
        print(f"\nsent application on the wall after {seconds:.2f} s (applications → contact → stream)")
        board = wall.latest()
        assert " kvar" in cases_panel(board)  # e.g. "23 h kvar"
        # No case contents and nobody's identity: only the short id and the time left.
        assert case["id"] not in board and "Anna" not in board and "6500" not in board

        given = mobile.call(
            "POST",
            "/feedback",
            anna,
            json={"kind": "e_service", "subjectId": case["id"], "rating": 4, "comment": "Lätt att söka i appen."},
        )
        assert given.status_code == 201, given.text
        seconds = wall.wait_for(lambda html: "Lätt att söka i appen." in html, "the e-service's rating")
        print(f"e-service feedback on the wall after {seconds:.2f} s")
        assert "4 av 5" in wall.latest()

        karin = web_login(web, KARIN)
        page = karin.get(f"{web}/personal/arenden/{case['id']}", timeout=10).text
        form = {**form_fields(page, f"/personal/arenden/{case['id']}/beslut"), "outcome": "approved"}
        decided = karin.post(f"{web}/personal/arenden/{case['id']}/beslut", data={**form, "amount": "", "reasons": ""})
        assert decided.status_code == 200, decided.text[:500]
        seconds = wall.wait_for(lambda html: short not in cases_panel(html), "the decided case leaving")
        print(f"decided case off the wall after {seconds:.2f} s")


def test_a_case_workers_time_is_booked_confirmed_reminded_and_cancelled(quiet) -> None:
    web, mobile = quiet.url("web"), MobileClient(quiet.url("mobile"))
    karin = web_login(web, KARIN)
    day = (datetime.now(LOCAL) + timedelta(days=2)).date()
    desk = karin.get(f"{web}/personal/radgivning", timeout=10).text
    published = karin.post(
        f"{web}/personal/radgivning/publicera",
        data={
            **form_fields(desk, "/personal/radgivning/publicera"),
            "kind": "telephone",
            "weekdays": str(day.isoweekday()),
            "start_time": "13:00",
            "end_time": "14:00",
            "slot_minutes": "30",
            "from_date": day.isoformat(),
            "to_date": day.isoformat(),
            "except_dates": "",
            "location": "Vi ringer upp",
        },
        timeout=10,
    )
    assert published.status_code == 200 and "Tiderna är publicerade." in published.text, published.text[:1000]

    anna = mobile.login(DEMO_RESIDENT)
    services = mobile.call("GET", "/bookings/services", None).json()["services"]
    assert {"code": UNIT, "kind": "case_unit"}.items() <= next(s for s in services if s["code"] == UNIT).items()
    free = mobile.call("GET", "/bookings/free", None, params={"service": UNIT}).json()["slots"]
    assert [s["advisor"] for s in free] == ["Karin Handläggare"] * 2
    booked = mobile.call("POST", "/bookings", anna, json={"slotId": free[0]["id"], "phone": "070-123 45 67"})
    assert booked.status_code == 201, booked.text
    booking = booked.json()

    confirmation = mobile.wait_for_message(anna, f"booking:{booking['id']}")
    assert confirmation["subject"] == "Ditt möte är bokat"
    starts = datetime.fromisoformat(booking["slot"]["startsAt"].replace("Z", "+00:00"))
    status, due = wait_until(lambda: reminder(quiet, booking["id"]), "the day-before reminder is scheduled")
    assert status == "scheduled" and abs((due - (starts - timedelta(days=1))).total_seconds()) < 1
    ics = mobile.call("GET", f"/bookings/{booking['id']}/calendar.ics", anna)
    assert ics.status_code == 200 and b"BEGIN:VEVENT" in ics.content

    her_day = karin.get(f"{web}/personal/radgivning?dag={day.isoformat()}", timeout=10).text
    assert "Anna" in her_day and "2 tider, 1 bokade." in her_day

    cancelled = mobile.call("POST", f"/bookings/{booking['id']}/cancel", anna)
    assert cancelled.status_code == 200
    wait_until(lambda: (reminder(quiet, booking["id"]) or ("",))[0] == "cancelled", "the reminder is cancelled")

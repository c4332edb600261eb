"""Drill: every api and every worker is killed with SIGKILL, a service's two at once, one service
after another, while residents apply and read. Nobody restarts them but the platform's supervisor
(as k8s would).

Proves, for each of the ten processes: the supervisor starts it again by itself; while an api is
down its service's pages answer at once with the clear "try again" (503, Swedish and English) on
the mobile BFF, the BFF stays ready and its other pages keep working, and the page answers again by
itself once the api is back; a killed worker's unacknowledged events are delivered after its
restart. Over the whole drill: no answer other than success or that clear 503, no application lost
or doubled, and each application's inbox message exactly once.
"""

from __future__ import annotations

import os
import signal
import threading
import time

import requests
from fickanctl import SERVICES

from ..support.web import web_login
from .load import ANSWERED_WITHIN, PAGES, Answer, ApplyingResidents, page

RESIDENTS = 20


def wait_for(check, timeout: float, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"{what} within {timeout:.0f} s")


def check_while_down(platform, service: str, token: str, browser: requests.Session) -> Answer:  # type: ignore[no-untyped-def]
    """Right after its api was killed: this service's page is the clear, fast "try again"; the BFF
    stays ready and another service's page works."""
    mobile = platform.url("mobile")
    status, seconds, body = page(mobile, service, token)
    assert status == 503, body
    if service == "applications":  # the web BFF's page too
        web_page = browser.get(f"{platform.url('web')}/mina-sidor", timeout=15)
        assert web_page.status_code == 503
        assert "Tjänsten svarar inte just nu." in web_page.text
    ready = requests.get(f"{mobile}/readyz", timeout=5)
    assert ready.status_code == 200, ready.text
    other = "insights" if service != "insights" else "applications"
    assert page(mobile, other, token)[0] == 200
    return Answer(f"{service} page while its api is down", status, seconds, body)


def came_back(platform, proc, old_pid: int, restarts: int) -> None:  # type: ignore[no-untyped-def]
    """The supervisor started it again by itself, and it is ready."""
    wait_for(lambda: proc.restarts > restarts and proc.popen.pid != old_pid, 15, f"{proc.name} restarted")
    wait_for(lambda: platform._ready(proc.name), 30, f"{proc.name} ready again")


def test_each_api_and_worker_killed_under_load_comes_back_and_loses_nothing(platform):
    mobile = platform.url("mobile")
    load = ApplyingResidents.logged_in(mobile, RESIDENTS, threads=2, pause=0.5)
    reader = load.residents[0].token
    browser = web_login(platform.url("web"), load.residents[1].personal_number)
    reading = threading.Event()

    def read_while_applying() -> None:  # a resident reading their pages all along
        with requests.Session() as http:
            while not reading.is_set():
                for service in ("applications", "notifications", "contact", "insights"):
                    load.request(http, f"read {service}", PAGES[service][0], PAGES[service][1][3:], reader)
                time.sleep(0.2)

    load.start()
    reader_thread = threading.Thread(target=read_while_applying, daemon=True)
    reader_thread.start()
    down_pages: list[Answer] = []
    try:
        for service in SERVICES:  # a service's api and worker at once, one service after another
            procs = [platform.processes[f"{service}-{role}"] for role in ("api", "worker")]
            before = [(proc.popen.pid, proc.restarts) for proc in procs]
            for proc in procs:
                os.kill(proc.popen.pid, signal.SIGKILL)
            down_pages.append(check_while_down(platform, service, reader, browser))
            for proc, (old_pid, restarts) in zip(procs, before, strict=True):
                came_back(platform, proc, old_pid, restarts)
            wait_for(lambda s=service: page(mobile, s, reader)[0] == 200, 15, f"{service} page again")
        load.wait()
    finally:
        reading.set()
        reader_thread.join(10)
        browser.close()  # an open keep-alive connection would hold the BFF's graceful stop

    assert all(a.clear_try_again and a.seconds <= ANSWERED_WITHIN for a in down_pages), down_pages
    assert load.unclear_failures() == []
    applications = load.applications_per_resident()
    assert all(len(found) == 1 for found in applications.values()), applications
    assert load.messages_per_application(timeout=60) == {r.application_id: 1 for r in load.residents}
    supervisor_log = (platform.var / "log" / "supervisor.log").read_text()
    assert all(f"{s}-{r} started again" in supervisor_log for s in SERVICES for r in ("api", "worker"))
    platform.wait_ready(30)

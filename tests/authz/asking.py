"""One request of the matrix: the endpoint's route filled with the world's ids, sent as one principal
the way that principal's client would send it, and the answer judged against the rule."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

import requests

from bff_web.texts import TEXTS

from ..support.mobile import MobileClient
from ..support.web import web_login
from .rules import Rule
from .world import PDF, World, csrf_of, pair_watch

PATH_PARAM = re.compile(r"<(?:[^:<>]+(?:\([^)]*\))?:)?([a-z_]+)>")
COOKIE = "fickan_session"
CSRF_REFUSED = TEXTS["sv"]["error_csrf"]  # the web's page for a form without the session's token
NO_LOGIN = ("no_token", "expired_token", "watch")  # on the web: no session the BFF accepts


@dataclass
class Answer:
    status: int
    location: str
    body: str
    sent: str  # what the request itself carried (its URL and body), to tell echoes from leaks


def path_of(route: str, rule: Rule, world: World) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        value = rule.params.get(name)
        if value is None:
            raise AssertionError(f"{route}: no value for <{name}> in its rule's params")
        return value[1:] if value.startswith("=") else world.ids[value]

    return PATH_PARAM.sub(fill, route)


def _formatted(value: object, world: World) -> object:
    if isinstance(value, str):
        return value.format(**world.ids)
    if isinstance(value, dict):
        return {k: _formatted(v, world) for k, v in value.items()}
    return value


def ask(bff: str, endpoint: str, rule: Rule, principal: str, world: World) -> Answer:
    method, route = endpoint.split(" ", 1)
    url = world.url(bff) + path_of(route, rule, world)
    kwargs: dict[str, object] = {"timeout": 15, "allow_redirects": False, "stream": rule.stream}
    if rule.query:
        kwargs["params"] = rule.query
    if rule.upload:
        kwargs["files"] = {"file": ("kvitto.pdf", PDF, "application/pdf")}
    if bff == "web":
        browser, csrf = _browser(principal, rule, world)
        if rule.form is not None or method == "POST":
            kwargs["data"] = {
                **_formatted(rule.form or {}, world),  # type: ignore[dict-item]
                "csrf_token": csrf,
                "form_token": secrets.token_urlsafe(16),
            }
        http = browser
    else:
        if rule.json is not None:
            kwargs["json"] = _formatted(rule.json, world)
        kwargs["headers"] = _bearer(bff, principal, rule, world)
        http = requests
    response = http.request(method, url, **kwargs)  # type: ignore[arg-type]
    try:
        body = "" if rule.stream else response.text
    finally:
        response.close()
    sent = url + repr(kwargs.get("data") or kwargs.get("json") or "")
    return Answer(response.status_code, response.headers.get("Location", ""), body, sent)


def _browser(principal: str, rule: Rule, world: World) -> tuple[requests.Session, str]:
    if principal in NO_LOGIN:
        # Afresh each time (the BFF answers an expired session by ending it): a browser with a
        # session cookie of its own making, holding a CSRF token (and the expired token). A watch's
        # token means nothing to the web BFF: it is a browser without a session that also sends it.
        browser = requests.Session()
        cookie = world.expired_cookie if principal == "expired_token" else world.anonymous_cookie
        browser.headers["Cookie"] = f"{COOKIE}={cookie}"
        if principal == "watch":
            browser.headers["Authorization"] = f"Bearer {world.watch_token}"
        return browser, world.expired_csrf if principal == "expired_token" else world.anonymous_csrf
    person = world.people[principal]
    if rule.own_session:
        web = world.url("web")
        browser = web_login(web, person.personal_number)
        return browser, csrf_of(browser, web)
    return person.web, person.csrf


def _bearer(bff: str, principal: str, rule: Rule, world: World) -> dict[str, str]:
    if principal == "no_token":
        return {}
    if principal == "expired_token":
        token = world.expired_token
    elif principal == "watch":
        # The watch BFF gets what the watch holds; the app's BFF what a stolen watch could get.
        if rule.own_session:
            watch_token, glance_token = pair_watch(world.platform, world.people["resident_a"].token)
        else:
            watch_token, glance_token = world.watch_token, world.glance_token
        token = watch_token if bff == "watch" else glance_token
    elif rule.own_session:
        token = MobileClient(world.url("mobile")).login(world.people[principal].personal_number)
    else:
        token = world.people[principal].token
    return {"Authorization": f"Bearer {token}"}


# -- judging ----------------------------------------------------------------------------------------
def to_login(answer: Answer) -> bool:
    return answer.status in (302, 303) and answer.location.split("?")[0].endswith("/logga-in")


def problems(bff: str, rule: Rule, principal: str, answer: Answer, world: World) -> list[str]:
    """What is wrong with the answer (nothing: the rule holds for this principal)."""
    found = []
    if answer.status >= 500:
        found.append(f"server error {answer.status}")
    if bff == "web" and answer.status == 400 and CSRF_REFUSED in answer.body:
        found.append("the CSRF token was refused: the request never reached the rule")
    if rule.expect:
        if answer.status not in rule.expect:
            found.append(f"expected {' or '.join(map(str, rule.expect))} for everyone, got {answer.status}")
    elif principal in rule.who:
        if answer.status in (401, 403) or to_login(answer):
            found.append(f"the rule lets {principal} in, but the answer refused: {answer.status} {answer.location}")
        elif answer.status == 404 and not rule.missing:
            found.append(f"the rule lets {principal} in, but the answer was 404")
    else:
        anonymous = principal in ("no_token", "expired_token") or (bff == "web" and principal in NO_LOGIN)
        if anonymous:
            refused = answer.status == 401 or (bff == "web" and (to_login(answer) or answer.status == 403))
            expected = "the login page or 401" if bff == "web" else "401"
        else:
            refused = answer.status in (403, 404)
            expected = "403 or 404"
        if not refused:
            found.append(f"{principal} is outside the rule but was not refused: {answer.status}, expected {expected}")
    for name, marker in world.markers.items():
        if marker.staff_only:
            allowed = principal in marker.shared
        else:
            allowed = principal in rule.sees or principal in marker.shared or principal in rule.tolerate.get(name, ())
        if not allowed and marker.text in answer.body and marker.text not in answer.sent:
            found.append(f"{principal} got {name} back")
    return found

"""Who may use which endpoint: one rule per (BFF, method, route) of every BFF's route table.

`test_route_tables.py` holds these tables against each BFF's Flask url_map, so a new endpoint
without a rule (or a rule for an endpoint that is gone) fails. `test_authorization_matrix.py` asks
every endpoint once as each principal (world.PRINCIPALS) with the request given here, on the running
platform, and holds the answer to the rule:

- a principal the rule does not name is refused: 401 without a token or with an expired one (the web
  sends the browser to the login page), 403 or 404 otherwise; never 2xx, never 5xx;
- a principal the rule names is not refused (no 401/403, no login page; 400/409 for the
  deliberately harmless request is fine; 404 only where `missing` says the thing asked for does not
  exist) and gets no 5xx;
- nobody outside `sees` gets any of A's things back (her ids, her texts), except what their own
  request carried.

Path parameters name things in the world (world.py): `case` is A's submitted case with her
co-applicant, `draft` a draft of hers, `question` her contact question, and so on; a value starting
with "=" is taken as it is. Bodies are formatted with the same names ("{free_slot}").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

A = "resident_a"
B = "resident_b"
CO = "co_applicant"
CW = "case_worker"
CW_OTHER = "case_worker_other_unit"
AGENT = "contact_agent"
AGENT_OTHER = "contact_agent_other_group"
ADMIN = "admin"
WATCH = "watch"
# Everyone with a BankID login is a resident too (the staff included): their own pages are theirs.
PEOPLE = frozenset({A, B, CO, CW, CW_OTHER, AGENT, AGENT_OTHER, ADMIN})
EVERYONE = PEOPLE | {WATCH, "no_token", "expired_token"}
STAFF = frozenset({CW, CW_OTHER, AGENT, AGENT_OTHER, ADMIN})


@dataclass(frozen=True)
class Rule:
    """Who passes, who may see A's things, and the one request that asks."""

    who: frozenset[str]
    sees: frozenset[str]
    params: dict[str, str] = field(default_factory=dict)
    json: dict[str, Any] | None = None  # the JSON body (mobile, watch)
    form: dict[str, str] | None = None  # the form fields (web; the CSRF and form tokens are added)
    upload: bool = False  # a multipart body with one PDF in "file"
    query: dict[str, str] | None = None
    missing: bool = False  # what is asked for does not exist: 404 is an answer, not a refusal
    stream: bool = False  # Server-Sent Events: only the status is read
    own_session: bool = False  # it ends the caller's session: asked with a login of its own
    last: bool = False  # it changes A's thing for good (a withdrawal): asked after everything else
    expect: tuple[int, ...] = ()  # a public endpoint with one answer for everyone (e.g. 404)
    tolerate: dict[str, frozenset[str]] = field(default_factory=dict)  # marker -> who may see it here
    why: str = ""

    def with_(self, **changes: Any) -> Rule:
        return Rule(**{**self.__dict__, **changes})


def public(**kw: Any) -> Rule:
    """Anyone, logged in or not; only A's own session may show her things."""
    return Rule(EVERYONE, frozenset({A}), **kw)


def resident(sees: frozenset[str] = frozenset({A}), **kw: Any) -> Rule:
    """Any logged-in person's own things (their list, their settings)."""
    return Rule(PEOPLE, sees, **kw)


def owner(**kw: Any) -> Rule:
    """A's own thing: B (and everyone else) is refused."""
    return Rule(frozenset({A}), frozenset({A}), **kw)


def case_party(**kw: Any) -> Rule:
    """A's case, which her co-applicant is a party of."""
    return Rule(frozenset({A, CO}), frozenset({A, CO}), **kw)


def staff(role_holders: frozenset[str], sees: frozenset[str] = frozenset(), **kw: Any) -> Rule:
    return Rule(role_holders, sees, **kw)


CASE_WORKERS = frozenset({CW, CW_OTHER})
AGENTS = frozenset({AGENT, AGENT_OTHER})
ONLY_CW = frozenset({CW})  # the case worker of the unit A's case belongs to
ONLY_AGENT = frozenset({AGENT})  # the agent of the answer group A's question went to
ONLY_ADMIN = frozenset({ADMIN})
# Who publishes bookable times: advisors (and the centre's agents), case workers for their unit, admins.
PUBLISHERS = AGENTS | CASE_WORKERS | ONLY_ADMIN
THREAD_READERS = frozenset({A, AGENT, ADMIN})  # A's contact thread: hers, her group's agent's, the admin's
GLANCE = PEOPLE | {WATCH}  # the watch BFF: a paired watch, or a resident's own token (older clients)

NO_SUCH_ID = "00000000-0000-4000-8000-000000000000"
CASE = {"application_id": "case"}
DRAFT = {"application_id": "draft"}
QUESTION = {"question_id": "question"}
# The access log tells both parties of a case who read it and why; a contact agent's reason names the
# question that made them look (applications records "Fråga till kontaktcenter <question id>").
CO_SEES_THE_AGENTS_REASON = {"A's question id": frozenset({CO})}
AGENTS_REASON = "the co-applicant sees the agent's reads of the joint case, whose reason names A's question"
OLD_VERSION = "999"  # a version the case never had: a change is refused as stale (409), not made

# -- web --------------------------------------------------------------------------------------------
WEB: dict[str, Rule] = {
    "GET /": public(),
    "GET /healthz": public(),
    "GET /readyz": public(),
    "GET /static/<path:filename>": public(params={"filename": "=fickan.css"}),
    "GET /manifest.webmanifest": public(),
    "GET /sw.js": public(),
    # login and logout
    "GET /logga-in": public(),
    "POST /logga-in": public(form={"personal_number": "1"}, why="a bad personnummer starts no order"),
    "POST /logga-in/avbryt": public(expect=(302,), why="no login under way: back to the login page"),
    "GET /logga-in/misslyckades": public(),
    "GET /logga-in/status": public(),
    "GET /logga-in/vantar": public(expect=(302,), why="no login under way: back to the login page"),
    "POST /logga-ut": public(own_session=True),
    # inactivity: how long the session lasts (nothing of anyone's), and "stay logged in"
    "GET /sessionen": public(),
    "POST /sessionen/forlang": resident(form={"next": "/mina-sidor"}),
    # the resident's pages
    "GET /mina-sidor": resident(),
    "GET /inkorg": resident(),
    "POST /inkorg/<message_id>/last": owner(params={"message_id": "message"}),
    "GET /mina-sidor/atkomstlogg": resident(tolerate=CO_SEES_THE_AGENTS_REASON, why=AGENTS_REASON),
    "GET /mina-sidor/enheter": resident(),
    "POST /mina-sidor/enheter/avsluta": owner(form={"device_id": "{device}"}, why="A's second login"),
    "POST /mina-sidor/enheter/klocka": resident(form={"user_code": "BCDF-GHJK"}, missing=True),
    "GET /mina-sidor/aviseringar": resident(),
    "POST /mina-sidor/aviseringar": resident(form={"quiet_start": "99:99"}, why="refused as invalid, nothing saved"),
    "GET /mina-sidor/aviseringar/bekrafta": resident(),
    "POST /mina-sidor/aviseringar/bekrafta": resident(form={"token": "no-such-token"}),
    "POST /mina-sidor/aviseringar/push": resident(form={"endpoint": ""}),
    "GET /mina-sidor/handelser": resident(stream=True),
    # applications
    "GET /e-tjanster": resident(),
    "POST /ansokan/ny": resident(form={"kind": "no_such_form"}, missing=True),
    "GET /ansokan/<application_id>": case_party(params=CASE),
    "GET /ansokan/<application_id>/kopia.pdf": Rule(
        frozenset({A, CO, CW}),
        frozenset({A, CO, CW}),
        params=CASE,
        why="the service gives the copy of what was sent to the unit's case worker too (and logs it)",
    ),
    "GET /ansokan/<application_id>/bilagor/<attachment_id>": Rule(
        frozenset({A, CO, CW}),
        frozenset({A, CO, CW}),
        params={**CASE, "attachment_id": "case_attachment"},
        why="the service lets the unit's case worker read a case's files (and logs it), by either route",
    ),
    "POST /ansokan/<application_id>/omdome": case_party(params=CASE, form={"rating": "5"}),
    "POST /ansokan/<application_id>/komplettering": case_party(
        params=CASE, form={"text": "Här är underlaget.", "version": OLD_VERSION}
    ),
    "POST /ansokan/<application_id>/aterta": case_party(params=CASE, form={"reason": "Fel månad"}, last=True),
    "POST /ansokan/<application_id>/skriv-under": case_party(params=CASE),
    # The signing pages act on the caller's own BankID order, kept in their session: without one they
    # only send the browser back to the case page, which is where a stranger is refused.
    **{
        endpoint: resident(params=CASE, why="the caller's own signing order")
        for endpoint in (
            "GET /ansokan/<application_id>/underskrift",
            "GET /ansokan/<application_id>/underskrift/status",
            "POST /ansokan/<application_id>/underskrift/avbryt",
        )
    },
    "GET /ansokan/<application_id>/steg/<int:index>": owner(params={**DRAFT, "index": "=0"}),
    "POST /ansokan/<application_id>/steg/<int:index>": owner(params={**DRAFT, "index": "=0"}, form={}),
    "POST /ansokan/<application_id>/skicka": owner(params=DRAFT),
    # contact
    "GET /kontakt": public(),
    "POST /kontakt": public(form={"subject": "", "body": ""}, why="an empty question is refused, none is made"),
    "GET /kontakt/fragor": resident(),
    "GET /kontakt/fragor/<question_id>": owner(params=QUESTION),
    "POST /kontakt/fragor/<question_id>": owner(params=QUESTION, form={"body": "En sak till."}),
    "GET /kontakt/fragor/<question_id>/filer/<attachment_id>": Rule(
        THREAD_READERS,
        THREAD_READERS,
        params={**QUESTION, "attachment_id": "question_attachment"},
        why="the service lets the group's agents and admins read a thread's files (and logs it)",
    ),
    "POST /kontakt/fragor/<question_id>/omdome": owner(params=QUESTION, form={"rating": "5"}),
    # advisory bookings
    "GET /radgivning": public(),
    "POST /radgivning/boka": resident(form={"slot_id": NO_SUCH_ID}, missing=True),
    "GET /radgivning/bokningar": resident(),
    "GET /radgivning/bokningar/<booking_id>/boka-om": owner(params={"booking_id": "booking"}),
    "POST /radgivning/bokningar/<booking_id>/boka-om": owner(
        params={"booking_id": "booking"}, form={"slot_id": "{free_slot}"}
    ),
    "POST /radgivning/bokningar/<booking_id>/avboka": owner(params={"booking_id": "booking_cancel_web"}),
    "POST /radgivning/bokningar/<booking_id>/omdome": owner(params={"booking_id": "booking"}, form={"rating": "5"}),
    "GET /radgivning/bokningar/<booking_id>/kalender.ics": owner(params={"booking_id": "booking"}),
    # fault reports, Open311 (public by design), the pre-calculation, comparisons and guides
    "GET /felanmalan": public(),
    "POST /felanmalan": resident(form={"service_code": "potthal", "description": ""}),
    "GET /open311/v2/discovery.<any(json, xml):fmt>": public(params={"fmt": "=json"}),
    "GET /open311/v2/services.<any(json, xml):fmt>": public(params={"fmt": "=json"}),
    "GET /open311/v2/services/<service_code>.<any(json, xml):fmt>": public(
        params={"service_code": "=potthal", "fmt": "=json"}
    ),
    "GET /open311/v2/requests.<any(json, xml):fmt>": public(params={"fmt": "=json"}),
    "POST /open311/v2/requests.<any(json, xml):fmt>": public(
        params={"fmt": "=json"},
        form={"api_key": "no-such-key", "service_code": "potthal", "description": "Hål", "address_string": "Gatan 1"},
        expect=(403,),
        why="an Open311 app's api_key is the key, not a login: an unknown one is refused",
    ),
    "GET /open311/v2/tokens/<token>.<any(json, xml):fmt>": public(
        params={"token": "=no-such-token", "fmt": "=json"}, expect=(404,), why="requests are taken at once: no tokens"
    ),
    "GET /open311/v2/requests/<service_request_id>.<any(json, xml):fmt>": public(
        params={"service_request_id": "fault", "fmt": "=json"}
    ),
    **{
        f"{method} /open311/v2/<path:anything>": public(params={"anything": "=no/such/thing"}, form={}, expect=(404,))
        for method in ("GET", "POST", "PUT", "DELETE", "PATCH")
    },
    "GET /provrakning": public(),
    "GET /integritet": public(),
    "POST /provrakning": public(form={}),
    "GET /jamfor": public(),
    "GET /jamfor/<service_id>": public(params={"service_id": "=ekonomiskt-bistand"}),
    "GET /guide": public(),
    "POST /guide/<guide_id>/starta": public(params={"guide_id": "guide"}),
    "GET /guide/steg/<session_id>": public(params={"session_id": "guide_session"}),
    "POST /guide/steg/<session_id>": public(params={"session_id": "guide_session"}, form={}),
    "GET /guide/steg/<session_id>/till/<link_id>": public(
        params={"session_id": "guide_session", "link_id": "=no-such-link"}
    ),
    # the wall screen in the office: its token is the key
    "GET /tavla/<screen_token>": public(params={"screen_token": "screen_token"}),
    "GET /tavla/<screen_token>/strom": public(params={"screen_token": "screen_token"}, stream=True),
    # staff: start page, insights
    "GET /personal": staff(STAFF),
    "GET /personal/insikter": staff(STAFF),
    "POST /personal/insikter/kommentar": staff(STAFF, form={"kpi_id": "", "year": "2025", "text": ""}),
    # staff: service messages (admins), case work
    "GET /personal/driftmeddelanden": staff(ONLY_ADMIN),
    "GET /personal/gallring": staff(ONLY_ADMIN),
    "POST /personal/driftmeddelanden": staff(ONLY_ADMIN, form={"kind": "party"}, why="refused as invalid"),
    "POST /personal/driftmeddelanden/<message_id>/avsluta": staff(
        ONLY_ADMIN, params={"message_id": "=" + NO_SUCH_ID}, missing=True
    ),
    "GET /personal/arenden": staff(CASE_WORKERS, sees=ONLY_CW),
    "GET /personal/arenden/<application_id>": staff(ONLY_CW, sees=ONLY_CW, params=CASE),
    "GET /personal/arenden/<application_id>/bilagor/<attachment_id>": staff(
        ONLY_CW, sees=ONLY_CW, params={**CASE, "attachment_id": "case_attachment"}
    ),
    **{
        f"POST /personal/arenden/<application_id>/{action}": staff(
            ONLY_CW,
            sees=ONLY_CW,
            params=CASE,
            form={"version": OLD_VERSION, "amount": "100", "code": "annat", "reason": "Test", "outcome": "approved"},
        )
        for action in ("paborja", "komplettering", "berakning", "beslut", "utbetalning", "avsluta")
    },
    # staff: roles, dead letters (admin)
    "GET /personal/behorigheter": staff(ONLY_ADMIN),
    "POST /personal/behorigheter": staff(ONLY_ADMIN, form={}),
    "GET /personal/utskick": staff(ONLY_ADMIN),
    "POST /personal/utskick/<delivery_id>/skicka-igen": staff(
        ONLY_ADMIN, params={"delivery_id": "=" + NO_SUCH_ID}, missing=True
    ),
    # staff: the contact centre
    "GET /personal/kontakt": staff(AGENTS, sees=ONLY_AGENT),
    "GET /personal/kontakt/<question_id>": staff(ONLY_AGENT, sees=ONLY_AGENT, params=QUESTION),
    "GET /personal/kontakt/<question_id>/filer/<attachment_id>": staff(
        ONLY_AGENT, sees=ONLY_AGENT, params={**QUESTION, "attachment_id": "question_attachment"}
    ),
    "POST /personal/kontakt/<question_id>/ta": staff(ONLY_AGENT, sees=ONLY_AGENT, params=QUESTION),
    "POST /personal/kontakt/<question_id>/svara": staff(
        ONLY_AGENT, sees=ONLY_AGENT, params=QUESTION, form={"body": "Vi tittar på det."}
    ),
    "POST /personal/kontakt/<question_id>/anteckning": staff(
        ONLY_AGENT, sees=ONLY_AGENT, params=QUESTION, form={"body": "Ringde upp."}
    ),
    "POST /personal/kontakt/<question_id>/flytta": staff(
        ONLY_AGENT, sees=ONLY_AGENT, params=QUESTION, form={"group": "no-such-group"}
    ),
    "POST /personal/kontakt/<question_id>/avsluta": staff(
        ONLY_AGENT, sees=ONLY_AGENT, params=QUESTION, form={"reason": "no-such-reason"}
    ),
    "GET /personal/kontakt/registrera": staff(AGENTS),
    "POST /personal/kontakt/registrera": staff(AGENTS, form={}),
    "GET /personal/kontakt/statistik": staff(AGENTS | ONLY_ADMIN),
    "GET /personal/omdomen": staff(AGENTS),
    "GET /personal/radgivning": staff(PUBLISHERS),
    "POST /personal/radgivning/publicera": staff(PUBLISHERS, form={}),
    "POST /personal/radgivning/extra-tid": staff(PUBLISHERS, form={}),
    "POST /personal/radgivning/ledig-dag": staff(PUBLISHERS, form={}, why="no date: nothing is withdrawn"),
    "POST /personal/radgivning/tider/<slot_id>/ta-bort": staff(
        frozenset({AGENT_OTHER, ADMIN}),
        params={"slot_id": "slot_to_withdraw"},
        why="the advisor's own time; an admin may withdraw any",
    ),
    "GET /personal/tavla": staff(AGENTS),
    "GET /personal/tavla/strom": staff(AGENTS, stream=True),
    "GET /personal/tavla/skarmar": staff(AGENTS),
    "POST /personal/tavla/skarmar": staff(AGENTS, form={"name": ""}),
    "POST /personal/tavla/skarmar/<screen_id>/aterkalla": staff(
        AGENTS, params={"screen_id": "screen_to_revoke"}, why="the wall shows the whole centre: any agent's"
    ),
}

# -- mobile -----------------------------------------------------------------------------------------
MOBILE: dict[str, Rule] = {
    "GET /healthz": public(),
    "GET /readyz": public(),
    "GET /openapi.json": public(),
    "GET /static/<path:filename>": public(params={"filename": "=nothing.txt"}, expect=(404,), why="Flask's own"),
    # login
    "POST /v1/auth/bankid": public(json={"personalNumber": "1"}, why="a bad personnummer starts no order"),
    "POST /v1/auth/collect": public(json={"orderRef": "x"}, why="refused before identity: no failed collect counted"),
    "POST /v1/auth/cancel": public(json={"orderRef": "x"}),
    "POST /v1/auth/refresh": public(json={"refreshToken": "no-such-token"}, expect=(401,)),
    "POST /v1/auth/logout": Rule(
        PEOPLE | {WATCH}, frozenset({A}), json={}, own_session=True, why="ends the bearer token's own session"
    ),
    "GET /v1/me": resident(),
    "GET /v1/overview": resident(),
    "GET /v1/service-messages": public(),
    # the public catalogue
    "GET /v1/e-services": public(),
    "GET /v1/forms/<kind>": public(params={"kind": "=ekonomiskt_bistand"}),
    "GET /v1/periods/current": public(),
    "POST /v1/estimate": public(json={}),
    "GET /v1/comparisons": public(),
    "GET /v1/comparisons/<service_id>": public(params={"service_id": "=ekonomiskt-bistand"}),
    "GET /v1/guides": public(),
    "POST /v1/guides/<guide_id>/sessions": public(params={"guide_id": "guide"}),
    "GET /v1/guide-sessions/<session_id>": public(params={"session_id": "guide_session"}),
    "POST /v1/guide-sessions/<session_id>/answers": public(params={"session_id": "guide_session"}, json={}),
    "POST /v1/guide-sessions/<session_id>/links/<link_id>": public(
        params={"session_id": "guide_session", "link_id": "=no-such-link"}
    ),
    # applications
    "GET /v1/applications": resident(sees=frozenset({A, CO})),
    "POST /v1/applications": resident(json={"kind": "no_such_form"}, missing=True),
    "GET /v1/applications/<application_id>": case_party(params=CASE),
    "PUT /v1/applications/<application_id>/answers": owner(
        params=DRAFT, json={"answers": {"period": "2026-12"}, "version": int(OLD_VERSION)}
    ),
    "POST /v1/applications/<application_id>/attachments": owner(params=DRAFT, upload=True),
    "GET /v1/applications/<application_id>/attachments/<attachment_id>": Rule(
        frozenset({A, CO, CW}),
        frozenset({A, CO, CW}),
        params={**CASE, "attachment_id": "case_attachment"},
        why="the service lets the unit's case worker read a case's files (and logs it), by either route",
    ),
    "GET /v1/applications/<application_id>/copy.pdf": Rule(
        frozenset({A, CO, CW}),
        frozenset({A, CO, CW}),
        params=CASE,
        why="the service gives the copy of what was sent to the unit's case worker too (and logs it)",
    ),
    "POST /v1/applications/<application_id>/submit": owner(
        params=DRAFT, json={"version": int(OLD_VERSION), "signatureId": NO_SUCH_ID}
    ),
    "POST /v1/applications/<application_id>/completion": case_party(
        params=CASE, json={"text": "Här är underlaget.", "version": int(OLD_VERSION)}
    ),
    "POST /v1/applications/<application_id>/withdraw": case_party(params=CASE, json={"reason": "Fel månad"}, last=True),
    "GET /v1/applications/<application_id>/signing-text": owner(params=DRAFT),
    "POST /v1/applications/<application_id>/sign/start": owner(params=DRAFT, json={}),
    # Collecting and cancelling act on the caller's own BankID order (the applications service's check);
    # the case in the path is only compared with the order's.
    "POST /v1/applications/<application_id>/sign/collect": resident(
        params=DRAFT, json={"orderRef": NO_SUCH_ID}, missing=True, why="the caller's own signing order"
    ),
    "POST /v1/applications/<application_id>/sign/cancel": resident(
        params=DRAFT, json={"orderRef": NO_SUCH_ID}, missing=True, why="the caller's own signing order"
    ),
    "POST /v1/applications/<application_id>/co-sign": Rule(
        frozenset({CO}), frozenset({A, CO}), params=CASE, json={"signatureId": NO_SUCH_ID}, why="the co-applicant's"
    ),
    # inbox, live feed, notification settings, push
    "GET /v1/inbox": resident(),
    "POST /v1/inbox/<message_id>/read": owner(params={"message_id": "message"}),
    "POST /v1/inbox/<message_id>/archive": owner(params={"message_id": "message_to_archive"}),
    "GET /v1/stream": resident(stream=True),
    "GET /v1/notifications/preferences": resident(),
    "PUT /v1/notifications/preferences": resident(json={"quietStart": "99:99"}),
    "POST /v1/notifications/email/confirm": resident(json={"token": "no-such-token"}),
    "GET /v1/push/config": resident(),
    "POST /v1/push/subscriptions": resident(json={"endpoint": ""}),
    "DELETE /v1/push/subscriptions/<subscription_id>": owner(params={"subscription_id": "push_subscription"}),
    # devices and the access log
    "GET /v1/devices": resident(),
    "DELETE /v1/devices/<device_id>": owner(params={"device_id": "device"}, why="A's second login"),
    "POST /v1/devices/watch": resident(json={"userCode": "BCDF-GHJK"}, missing=True),
    "GET /v1/access-log": resident(tolerate=CO_SEES_THE_AGENTS_REASON, why=AGENTS_REASON),
    # contact
    "GET /v1/contact/topics": resident(),
    "POST /v1/questions": resident(json={"subject": "", "body": ""}),
    "GET /v1/questions": resident(),
    "GET /v1/questions/<question_id>": owner(params=QUESTION),
    "POST /v1/questions/<question_id>/messages": owner(params=QUESTION, json={"body": "En sak till."}),
    "POST /v1/questions/<question_id>/attachments": Rule(
        THREAD_READERS,
        THREAD_READERS,
        params=QUESTION,
        upload=True,
        why="the service lets the group's agents and admins add files to a thread",
    ),
    "GET /v1/questions/<question_id>/attachments/<attachment_id>": Rule(
        THREAD_READERS,
        THREAD_READERS,
        params={**QUESTION, "attachment_id": "question_attachment"},
        why="the service lets the group's agents and admins read a thread's files (and logs it)",
    ),
    "GET /v1/feedback": resident(query={"kind": "contact", "subjectId": NO_SUCH_ID}),
    "POST /v1/feedback": owner(json={"kind": "contact", "subjectId": "{question}", "rating": 5}),
    # bookings and fault reports
    "GET /v1/bookings/services": public(),
    "GET /v1/bookings/free": public(query={"service": "Budget- och skuldrådgivning"}),
    "POST /v1/bookings": resident(json={"slotId": NO_SUCH_ID}, missing=True),
    "GET /v1/bookings": resident(),
    "POST /v1/bookings/<booking_id>/reschedule": owner(
        params={"booking_id": "booking"}, json={"slotId": "{free_slot}"}
    ),
    "POST /v1/bookings/<booking_id>/cancel": owner(params={"booking_id": "booking_cancel_mobile"}),
    "GET /v1/bookings/<booking_id>/calendar.ics": owner(params={"booking_id": "booking"}),
    "GET /v1/fault-reports/kinds": public(),
    "POST /v1/fault-reports": resident(json={"serviceCode": "potthal", "description": ""}),
}

# -- watch ------------------------------------------------------------------------------------------
WATCH_BFF: dict[str, Rule] = {
    "GET /healthz": public(),
    "GET /readyz": public(),
    "GET /static/<path:filename>": public(params={"filename": "=nothing.txt"}, expect=(404,), why="Flask's own"),
    "POST /v1/pairing": public(),
    "POST /v1/pairing/poll": public(json={"deviceCode": "x"}, expect=(404,), why="no such pairing"),
    "GET /v1/glance": Rule(GLANCE, frozenset({A, WATCH})),
    "GET /v1/inbox": Rule(GLANCE, frozenset({A, WATCH})),
    "GET /v1/stream": Rule(GLANCE, frozenset({A, WATCH}), stream=True),
    "POST /v1/ring-me": Rule(GLANCE, frozenset({A, WATCH}), json={"phone": "x"}, why="a bad number rings nobody"),
}

RULES: dict[str, dict[str, Rule]] = {"web": WEB, "mobile": MOBILE, "watch": WATCH_BFF}

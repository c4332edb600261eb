"""The BankID simulator served over HTTP like BankID's RP API v6.0 (under /rp/v6.0/), so the real
client (identity.bankid.client) is what talks to it. Plus a small control API for testers:

  POST /simulator/scenario   {"outcome": "complete" | "userCancel" | "expiredTransaction" | ...,
                              "after": N, "pendingHint": "userSign",
                              "personalNumber": "199001012385"  or  "orderRef": "<uuid>"}
  POST /simulator/fail-next  {"errorCode": "maintenance", "times": 2}
  POST /simulator/maintenance {"on": true}   every RP call answers maintenance (503) until switched off
  POST /simulator/reset      {}

and the person's BankID app, for tests and for people trying the platform:

  POST /simulator/scan       {"qrData": "bankid....", "personalNumber": "...", "outcome": "complete"}
  POST /simulator/autostart  {"autoStartToken": "...", "personalNumber": "...", "outcome": "complete"}
                             answers {"orderRef", "returnUrl"}: where the app would send the person
  GET  /simulator/           a page listing the orders waiting for the app, to open one as a person

It is started only when FICKAN_BANKID_SIMULATOR=1 (identity.api), on 127.0.0.1 by default.
"""

from __future__ import annotations

import base64
import binascii
import html
import ipaddress
import json
import logging
import re
import socket
import ssl
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from identity.domain import personnummer
from identity.domain.bankid import BankIdError, Simulator

log = logging.getLogger(__name__)

PREFIX = "/rp/v6.0/"
ERROR_STATUS = {
    "alreadyInProgress": 400,
    "invalidParameters": 400,
    "unauthorized": 401,
    "notFound": 404,
    "methodNotAllowed": 405,
    "requestTimeout": 408,
    "unsupportedMediaType": 415,
    "tooManyRequests": 429,
    "internalError": 500,
    "maintenance": 503,
}
MAX_BODY = 200_000
_TWELVE_DIGITS = re.compile(r"^\d{12}$")


def _invalid(details: str) -> BankIdError:
    return BankIdError("invalidParameters", details)


def _end_user_ip(body: dict[str, Any]) -> str:
    value = body.get("endUserIp")
    if not isinstance(value, str):
        raise _invalid("Invalid endUserIp")
    try:
        ipaddress.ip_address(value)
    except ValueError:
        raise _invalid("Invalid endUserIp") from None
    return value


def _personal_number(value: Any) -> str:
    """BankID takes exactly 12 digits, and a valid number."""
    if not isinstance(value, str) or not _TWELVE_DIGITS.match(value):
        raise _invalid("Invalid personalNumber")
    try:
        personnummer.parse(value)
    except personnummer.InvalidPersonnummer:
        raise _invalid("Invalid personalNumber") from None
    return value


def _visible_data(body: dict[str, Any], required: bool) -> str:
    raw = body.get("userVisibleData")
    if raw is None and not required:
        return ""
    if not isinstance(raw, str) or not raw:
        raise _invalid("Invalid userVisibleData")
    try:
        text = base64.b64decode(raw, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise _invalid("Invalid userVisibleData") from None
    if not text or len(raw) > 40_000:
        raise _invalid("Invalid userVisibleData")
    fmt = body.get("userVisibleDataFormat")
    if fmt is not None and fmt != "simpleMarkdownV1":
        raise _invalid("Invalid userVisibleDataFormat")
    return text


def _order_ref(body: dict[str, Any]) -> str:
    value = body.get("orderRef")
    if isinstance(value, str):
        try:
            return str(uuid.UUID(value))
        except ValueError:
            pass
    raise _invalid("Invalid orderRef")


def _requirement_person(body: dict[str, Any]) -> str | None:
    requirement = body.get("requirement")
    if requirement is None:
        return None
    if not isinstance(requirement, dict):
        raise _invalid("Invalid requirement")
    if "personalNumber" in requirement:
        return _personal_number(requirement["personalNumber"])
    return None


def _outcome(value: Any) -> str:
    """ "complete" or a hintCode to fail with (any word, so clients meet unknown codes too)."""
    if value is None or value == "":
        return "complete"
    if not isinstance(value, str) or not re.match(r"^[A-Za-z]{1,40}$", value):
        raise _invalid("Invalid outcome")
    return value


def _call_initiator(body: dict[str, Any]) -> None:
    if body.get("callInitiator") not in ("user", "RP"):
        raise _invalid("Invalid callInitiator")


def rp_call(sim: Simulator, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """One RP API call (path after /rp/v6.0/): checks the parameters as BankID does, then the rules."""
    if path == "auth":
        ip = _end_user_ip(body)
        _visible_data(body, required=False)
        return sim.start("auth", ip, _requirement_person(body), return_url=_return_url(body))
    if path == "sign":
        ip = _end_user_ip(body)
        text = _visible_data(body, required=True)
        return sim.start("sign", ip, _requirement_person(body), text, return_url=_return_url(body))
    if path in ("phone/auth", "phone/sign"):
        person = _personal_number(body.get("personalNumber"))
        _call_initiator(body)
        text = _visible_data(body, required=path == "phone/sign")
        return sim.start(path, "127.0.0.1", person, text)
    if path == "collect":
        return sim.collect(_order_ref(body))
    if path == "cancel":
        return sim.cancel(_order_ref(body))
    raise BankIdError("notFound", "Not found")


def control_call(sim: Simulator, path: str, body: dict[str, Any]) -> None:
    if path == "scenario":
        after = body.get("after")
        if after is not None and (not isinstance(after, int) or after < 0 or after > 1000):
            raise _invalid("after must be a whole number 0-1000")
        outcome = _outcome(body.get("outcome"))
        pnr = body.get("personalNumber")
        sim.set_scenario(
            outcome=outcome,
            after=after,
            personal_number=_personal_number(pnr) if pnr is not None else None,
            order_ref=_order_ref(body) if "orderRef" in body else None,
            pending_hint=str(body.get("pendingHint") or "userSign"),
        )
    elif path == "fail-next":
        code = body.get("errorCode")
        times = body.get("times", 1)
        if code not in ERROR_STATUS or not isinstance(times, int) or not 0 < times <= 100:
            raise _invalid("Invalid errorCode or times")
        sim.fail_next(code, times)
    elif path == "maintenance":
        on = body.get("on")
        if not isinstance(on, bool):
            raise _invalid("on must be true or false")
        sim.set_maintenance(on)
    elif path == "reset":
        sim.reset()
    else:
        raise BankIdError("notFound", "Not found")


def _return_url(body: dict[str, Any]) -> str:
    value = body.get("returnUrl", "")
    if not isinstance(value, str) or len(value) > 2000:
        raise _invalid("Invalid returnUrl")
    return value


def app_call(sim: Simulator, path: str, body: dict[str, Any]) -> dict[str, str]:
    """What the person's app does: scan a QR code or open on the same device, as a chosen person."""
    pnr = body.get("personalNumber") or None
    person = _personal_number(pnr) if pnr is not None else None
    outcome = _outcome(body.get("outcome"))
    if path == "scan":
        qr = body.get("qrData")
        if not isinstance(qr, str) or len(qr) > 300:
            raise _invalid("Invalid qrData")
        return {"orderRef": sim.scan(qr, person, outcome)}
    token = body.get("autoStartToken")
    if not isinstance(token, str) or len(token) > 100:
        raise _invalid("Invalid autoStartToken")
    order_ref, return_url = sim.autostart(token, person, outcome)
    return {"orderRef": order_ref, "returnUrl": return_url}


PAGE = """<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>BankID-simulator</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><meta http-equiv="refresh" content="5">
<style>body{{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem}}
table{{border-collapse:collapse;width:100%}}td,th{{text-align:left;padding:.4rem;border-bottom:1px solid #ccc}}
.warn{{background:#fff3cd;padding:.6rem}}</style></head><body>
<h1>BankID-simulator</h1>
<p class="warn">Endast för test. Här spelar du personens BankID-app: välj en väntande order och vem som
legitimerar sig. (Test only: this page plays the person's BankID app.)</p>
{message}
<form method="post" action="/simulator/maintenance-switch"><p>{maintenance}
<button name="on" value="{switch_to}">{switch_label}</button></p></form>
<table><tr><th>Order</th><th>Typ</th><th>Väntat</th><th>Öppna som</th></tr>{rows}</table>
<p>Testpersoner: {people}</p></body></html>"""

ROW = """<tr><td>{short}</td><td>{kind}</td><td>{age} s</td><td><form method="post" action="/simulator/open">
<input type="hidden" name="orderRef" value="{ref}"><input name="personalNumber" value="{default}"
 pattern="[0-9]{{12}}" aria-label="Personnummer" size="13">
<select name="outcome" aria-label="Utfall"><option value="complete">Godkänn</option>
<option value="userCancel">Avbryt</option><option value="certificateErr">Spärrat BankID</option></select>
<button>Legitimera</button></form></td></tr>"""


def page(sim: Simulator, message: str = "") -> str:
    orders = [o for o in sim.pending_orders() if not o["opened"]]
    rows = (
        "".join(
            ROW.format(
                short=o["orderRef"][:8],
                kind=html.escape(o["kind"]),
                age=o["age"],
                ref=o["orderRef"],
                default=sim.default_person,
            )
            for o in orders
        )
        or '<tr><td colspan="4">Inga order väntar. Starta en inloggning först.</td></tr>'
    )
    people = ", ".join(f"{html.escape(n)} {p}" for p, n in sim.names.items()) or "–"
    note = f"<p><strong>{html.escape(message)}</strong></p>" if message else ""
    if sim.maintenance:
        state = "<strong>BankID har driftstörningar (simulerat): alla anrop svarar maintenance.</strong>"
        switch = ("0", "Avsluta driftstörningen")
    else:
        state = "BankID fungerar."
        switch = ("1", "Simulera driftstörning (maintenance)")
    return PAGE.format(
        message=note, rows=rows, people=people, maintenance=state, switch_to=switch[0], switch_label=switch[1]
    )


class _Handler(BaseHTTPRequestHandler):
    server_version = "FickanBankIdSimulator/1"
    protocol_version = "HTTP/1.1"
    simulator: Simulator  # set on the subclass made per server
    connections: set[socket.socket]  # open connections, so stop() can end kept-alive ones

    def setup(self) -> None:
        super().setup()
        self.connections.add(self.connection)

    def finish(self) -> None:
        self.connections.discard(self.connection)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # bodies carry personnummer; paths do not, but keep the simulator quiet

    def _send(self, status: int, body: dict[str, Any] | None) -> None:
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, exc: BankIdError) -> None:
        self._send(ERROR_STATUS.get(exc.error_code, 500), {"errorCode": exc.error_code, "details": exc.details})

    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise _invalid("Too large")
        raw = self.rfile.read(length) if length else b""
        if (self.headers.get("Content-Type") or "").split(";")[0].strip().lower() != "application/json":
            raise BankIdError("unsupportedMediaType", "Unsupported media type")
        try:
            body = json.loads(raw or b"null")
        except (ValueError, UnicodeDecodeError):
            raise _invalid("Invalid JSON") from None
        if not isinstance(body, dict):
            raise _invalid("Invalid JSON")
        return body

    def _page(self, status: int, text: str) -> None:
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path.split("?")[0] in ("/simulator", "/simulator/"):
            self._page(200, page(self.simulator))
        else:
            self._not_allowed()

    def _open_from_page(self) -> None:
        length = min(int(self.headers.get("Content-Length") or 0), MAX_BODY)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode("utf-8", "replace")).items()}
        try:
            # Opened from the list as the person typed: the next collect gives the outcome.
            self.simulator.set_scenario(
                outcome=_outcome(form.get("outcome")),
                after=0,
                order_ref=_order_ref(form),
                personal_number=_personal_number(form.get("personalNumber", "")),
            )
            self._page(200, page(self.simulator, "Klart: ordern är öppnad i den simulerade appen."))
        except BankIdError as exc:
            self._page(400, page(self.simulator, f"Det gick inte: {exc.details}"))

    def _maintenance_from_page(self) -> None:
        length = min(int(self.headers.get("Content-Length") or 0), MAX_BODY)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode("utf-8", "replace")).items()}
        self.simulator.set_maintenance(form.get("on") == "1")
        self._page(200, page(self.simulator, "Klart."))

    def do_POST(self) -> None:
        if self.path == "/simulator/open":
            self._open_from_page()
            return
        if self.path == "/simulator/maintenance-switch":
            self._maintenance_from_page()
            return
        try:
            body = self._body()
            if self.path.startswith(PREFIX):
                self._send(200, rp_call(self.simulator, self.path[len(PREFIX) :], body))
            elif self.path in ("/simulator/scan", "/simulator/autostart"):
                self._send(200, app_call(self.simulator, self.path.rsplit("/", 1)[1], body))
            elif self.path.startswith("/simulator/"):
                control_call(self.simulator, self.path[len("/simulator/") :], body)
                self._send(204, None)
            else:
                raise BankIdError("notFound", "Not found")
        except BankIdError as exc:
            self._error(exc)
        except Exception:
            log.exception("simulator error")
            self._error(BankIdError("internalError", "Internal error"))

    def _not_allowed(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(min(length, MAX_BODY))
        self._error(BankIdError("methodNotAllowed", "Method not allowed"))

    do_PUT = do_DELETE = do_PATCH = _not_allowed  # noqa: N815


class SimulatorServer:
    """The simulator on its own thread. `tls` (server side, may require client certificates) makes it
    answer HTTPS like BankID; without it, plain HTTP on loopback."""

    def __init__(
        self, simulator: Simulator, host: str = "127.0.0.1", port: int = 8585, tls: ssl.SSLContext | None = None
    ) -> None:
        self.simulator = simulator
        self._connections: set[socket.socket] = set()
        handler = type("Handler", (_Handler,), {"simulator": simulator, "connections": self._connections})
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self.scheme = "https" if tls else "http"
        if tls:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        # Looks for stop() every 50 ms (the default half second made every stop wait that long).
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="bankid-simulator", daemon=True
        )

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    @property
    def base(self) -> str:
        host = self.httpd.server_address[0]
        return f"{self.scheme}://{'localhost' if self.scheme == 'https' else host}:{self.port}"

    @property
    def url(self) -> str:
        """The RP API base URL to give the client."""
        return f"{self.base}{PREFIX}"

    def start(self) -> SimulatorServer:
        self._thread.start()
        log.warning("BankID simulator serving (test only)", extra={"fields": {"url": self.url}})
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        # Kept-alive connections live in their own threads: end them too, so a stopped simulator
        # answers nobody.
        for conn in list(self._connections):
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

"""The BankID simulator served over HTTP like BankID's RP API v6.0 (under /rp/v6.0/), so the real
client (identity.bankid.client) is what talks to it. Plus a small control API for testers:

  POST /simulator/scenario   {"outcome": "complete" | "userCancel" | "expiredTransaction" | ...,
                              "after": N, "pendingHint": "userSign",
                              "personalNumber": "199001012385"  or  "orderRef": "<uuid>"}
  POST /simulator/fail-next  {"errorCode": "maintenance", "times": 2}
  POST /simulator/reset      {}

It is started only when FICKAN_BANKID_SIMULATOR=1 (identity.api), on 127.0.0.1 by default.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import logging
import re
import ssl
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

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


def _call_initiator(body: dict[str, Any]) -> None:
    if body.get("callInitiator") not in ("user", "RP"):
        raise _invalid("Invalid callInitiator")


def rp_call(sim: Simulator, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """One RP API call (path after /rp/v6.0/): checks the parameters as BankID does, then the rules."""
    if path == "auth":
        ip = _end_user_ip(body)
        _visible_data(body, required=False)
        return sim.start("auth", ip, _requirement_person(body))
    if path == "sign":
        ip = _end_user_ip(body)
        text = _visible_data(body, required=True)
        return sim.start("sign", ip, _requirement_person(body), text)
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
        outcome = body.get("outcome", "complete")
        if not isinstance(outcome, str) or not re.match(r"^[A-Za-z]{1,40}$", outcome):
            raise _invalid("Invalid outcome")
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
    elif path == "reset":
        sim.reset()
    else:
        raise BankIdError("notFound", "Not found")


class _Handler(BaseHTTPRequestHandler):
    server_version = "FickanBankIdSimulator/1"
    protocol_version = "HTTP/1.1"
    simulator: Simulator  # set on the subclass made per server

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
        if (self.headers.get("Content-Type") or "").strip() != "application/json":
            raise BankIdError("unsupportedMediaType", "Unsupported media type")
        try:
            body = json.loads(raw or b"null")
        except (ValueError, UnicodeDecodeError):
            raise _invalid("Invalid JSON") from None
        if not isinstance(body, dict):
            raise _invalid("Invalid JSON")
        return body

    def do_POST(self) -> None:
        try:
            body = self._body()
            if self.path.startswith(PREFIX):
                self._send(200, rp_call(self.simulator, self.path[len(PREFIX) :], body))
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

    do_GET = do_PUT = do_DELETE = do_PATCH = _not_allowed  # noqa: N815


class SimulatorServer:
    """The simulator on its own thread. `tls` (server side, may require client certificates) makes it
    answer HTTPS like BankID; without it, plain HTTP on loopback."""

    def __init__(
        self, simulator: Simulator, host: str = "127.0.0.1", port: int = 8585, tls: ssl.SSLContext | None = None
    ) -> None:
        self.simulator = simulator
        handler = type("Handler", (_Handler,), {"simulator": simulator})
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self.scheme = "https" if tls else "http"
        if tls:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="bankid-simulator", daemon=True)

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

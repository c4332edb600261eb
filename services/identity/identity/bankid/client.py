"""A client of BankID's Relying Party API v6.0 over HTTPS with a client certificate (mutual TLS).

Pointing it at BankID's test or production environment is configuration only: the base URL, the
client certificate (PKCS#12, or PEM certificate + key) and the CA that signed BankID's server
certificate. The simulator (simulator_server.py) is reached the same way over plain HTTP.

Errors follow BankID's guidelines: `maintenance` may be retried without telling the user, a bounded
number of times; `internalError` and `requestTimeout` must not be retried automatically (the user
is told, RFA5); `invalidParameters`, `unauthorized`, `notFound` and `unsupportedMediaType` are our
own faults and are never retried. Every failure is raised as BankIdError(errorCode).
"""

from __future__ import annotations

import base64
import logging
import os
import ssl
import tempfile
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from requests.adapters import HTTPAdapter

from identity.domain.bankid import BankIdError

log = logging.getLogger(__name__)

RETRIED = {"maintenance"}
STATUS_ERROR = {400: "invalidParameters", 401: "unauthorized", 403: "unauthorized", 404: "notFound",
                405: "methodNotAllowed", 408: "requestTimeout", 415: "unsupportedMediaType",
                429: "tooManyRequests", 500: "internalError", 503: "maintenance"}  # fmt: skip


@dataclass(frozen=True)
class TlsSettings:
    """The client certificate and the CA to trust. All optional: plain HTTP needs none."""

    cert_file: str = ""  # PKCS#12 (.p12/.pfx) or PEM certificate (with the key in it or in key_file)
    key_file: str = ""  # PEM private key, when not inside cert_file
    password: str = ""  # of the PKCS#12 file or the PEM key
    ca_file: str = ""  # PEM of the CA that issued BankID's server certificate (empty: the system's)


def ssl_context(tls: TlsSettings) -> ssl.SSLContext:
    """A client context that trusts only `ca_file` (when given) and presents the client certificate."""
    ctx = ssl.create_default_context(cafile=tls.ca_file or None)
    if not tls.cert_file:
        return ctx
    password = tls.password.encode() if tls.password else None
    if tls.cert_file.lower().endswith((".p12", ".pfx")):
        with open(tls.cert_file, "rb") as handle:
            key, cert, extra = pkcs12.load_key_and_certificates(handle.read(), password)
        if key is None or cert is None:
            raise SystemExit(f"{tls.cert_file} holds no key and certificate")
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ) + b"".join(c.public_bytes(serialization.Encoding.PEM) for c in [cert, *(extra or [])])
        # ssl loads a chain only from a file: a private one, removed as soon as it is read.
        fd, path = tempfile.mkstemp(suffix=".pem")
        try:
            os.write(fd, pem)
            os.close(fd)
            ctx.load_cert_chain(path)
        finally:
            os.unlink(path)
    else:
        ctx.load_cert_chain(tls.cert_file, tls.key_file or None, password)
    return ctx


class _ContextAdapter(HTTPAdapter):
    def __init__(self, context: ssl.SSLContext, **kwargs: Any) -> None:
        self._context = context
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["ssl_context"] = self._context
        super().init_poolmanager(*args, **kwargs)


def encode_visible_data(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def autostart_url(auto_start_token: str, redirect: str = "null") -> str:
    """The link that opens the BankID app on this device; `redirect` is where it returns to
    ("null": the app does not return, the browser or app resumes by itself)."""
    return f"bankid:///?autostarttoken={quote(auto_start_token, safe='')}&redirect={quote(redirect, safe='')}"


class RpClient:
    """BankID RP API v6.0. `base_url` ends in /rp/v6.0/."""

    def __init__(
        self,
        base_url: str,
        tls: TlsSettings | None = None,
        timeout: float = 5.0,
        maintenance_retries: int = 2,
        retry_wait: float = 0.5,
    ) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self.timeout = timeout
        self.maintenance_retries = maintenance_retries
        self.retry_wait = retry_wait
        self.http = requests.Session()
        self.http.headers["Content-Type"] = "application/json"
        tls = tls or TlsSettings()
        if self.base_url.startswith("https://"):
            context = ssl_context(tls)
            self.http.mount("https://", _ContextAdapter(context))
            self.http.verify = tls.ca_file or True  # requests also loads this into the context

    # -- the calls -------------------------------------------------------------------------------
    def auth(
        self,
        end_user_ip: str,
        personal_number: str | None = None,
        user_visible_data: str | None = None,
        return_url: str | None = None,
        requirement: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"endUserIp": end_user_ip}
        self._add_requirement(body, requirement, personal_number)
        self._add_visible_data(body, user_visible_data)
        if return_url:
            body["returnUrl"] = return_url
        return self._post("auth", body)

    def sign(
        self,
        end_user_ip: str,
        user_visible_data: str,
        personal_number: str | None = None,
        user_non_visible_data: str | None = None,
        return_url: str | None = None,
        requirement: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"endUserIp": end_user_ip}
        self._add_requirement(body, requirement, personal_number)
        self._add_visible_data(body, user_visible_data)
        if user_non_visible_data:
            body["userNonVisibleData"] = encode_visible_data(user_non_visible_data)
        if return_url:
            body["returnUrl"] = return_url
        return self._post("sign", body)

    def phone_auth(
        self, personal_number: str, call_initiator: str = "RP", user_visible_data: str | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"personalNumber": personal_number, "callInitiator": call_initiator}
        self._add_visible_data(body, user_visible_data)
        return self._post("phone/auth", body)

    def phone_sign(self, personal_number: str, user_visible_data: str, call_initiator: str = "RP") -> dict[str, Any]:
        body: dict[str, Any] = {"personalNumber": personal_number, "callInitiator": call_initiator}
        self._add_visible_data(body, user_visible_data)
        return self._post("phone/sign", body)

    def collect(self, order_ref: str) -> dict[str, Any]:
        return self._post("collect", {"orderRef": order_ref})

    def cancel(self, order_ref: str) -> dict[str, Any]:
        return self._post("cancel", {"orderRef": order_ref})

    # -- plumbing --------------------------------------------------------------------------------
    @staticmethod
    def _add_requirement(body: dict[str, Any], requirement: dict[str, Any] | None, pnr: str | None) -> None:
        merged = dict(requirement or {})
        if pnr:
            merged["personalNumber"] = pnr
        if merged:
            body["requirement"] = merged

    @staticmethod
    def _add_visible_data(body: dict[str, Any], text: str | None) -> None:
        if text:
            body["userVisibleData"] = encode_visible_data(text)
            body["userVisibleDataFormat"] = "simpleMarkdownV1"

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        attempt = 0
        while True:
            try:
                return self._post_once(path, body)
            except BankIdError as exc:
                if exc.error_code not in RETRIED or attempt >= self.maintenance_retries:
                    raise
                attempt += 1
                log.warning("bankid %s: %s, trying again", path, exc.error_code)
                time.sleep(self.retry_wait * attempt)

    def _post_once(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self.http.post(self.base_url + path, json=body, timeout=self.timeout)
        except requests.Timeout:
            raise BankIdError("requestTimeout", "BankID did not answer in time") from None
        except requests.RequestException as exc:
            # Never the body in a log or message: it may carry a personnummer.
            raise BankIdError("unreachable", type(exc).__name__) from None
        if response.status_code == 200:
            try:
                answer = response.json()
            except ValueError:
                raise BankIdError("internalError", "not JSON") from None
            if not isinstance(answer, dict):
                raise BankIdError("internalError", "not a JSON object")
            return answer
        try:
            error = response.json()
        except ValueError:
            error = {}
        code = error.get("errorCode") if isinstance(error, dict) else None
        details = error.get("details", "") if isinstance(error, dict) else ""
        raise BankIdError(str(code or STATUS_ERROR.get(response.status_code, "internalError")), str(details))

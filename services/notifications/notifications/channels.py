"""The ways out of Fickan: e-mail over SMTP, and push through a provider interface (Web Push with
VAPID here; APNs and FCM implement the same interface when an app needs them).

Each send either succeeds, fails for now (retry later), or fails for good: the target is gone
(a push service's 404/410: the subscription is removed) or refuses (a bad address)."""

from __future__ import annotations

import base64
import json
import os
import smtplib
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Protocol

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid
from pywebpush import WebPushException, webpush


class SendFailed(Exception):
    """Try again later (the server is away, a timeout, a 5xx)."""


class TargetGone(Exception):
    """Never try this target again (a push subscription the service no longer knows)."""


class Refused(Exception):
    """The target refuses this message for good (e.g. the mail server rejects the address)."""


@dataclass(frozen=True)
class Push:
    """What a push carries: who it is from and where tapping it leads — never the message itself."""

    title: str
    body: str
    url: str
    tag: str  # the message id: a device shows one notice per tag, so a repeat replaces, never adds


@dataclass(frozen=True)
class Subscription:
    endpoint: str
    p256dh: str
    auth: str


class PushProvider(Protocol):
    name: str

    def send(self, subscription: Subscription, push: Push) -> None: ...


# VAPID --------------------------------------------------------------------------------------------


def load_vapid(key_file: str) -> Vapid:
    """The service's VAPID key, made once on first start when the file is missing (keep the file:
    a new key invalidates every browser's subscription)."""
    path = Path(key_file)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # the api and the worker started together: the other one made it
        else:
            with os.fdopen(fd, "wb") as out:
                out.write(pem)
    return Vapid.from_file(private_key_file=str(path))


def vapid_public_key(key_file: str) -> str:
    """The application server key a browser subscribes with (base64url, uncompressed point)."""
    raw = load_vapid(key_file).public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


class WebPushProvider:
    """RFC 8030 Web Push, payload encrypted (RFC 8291, aes128gcm), signed with VAPID (RFC 8292)."""

    name = "webpush"

    def __init__(self, key_file: str, subject: str, timeout: float = 10.0) -> None:
        self.vapid = load_vapid(key_file)
        self.subject = subject
        self.timeout = timeout
        self.session = requests.Session()

    def send(self, subscription: Subscription, push: Push) -> None:
        payload = json.dumps({"title": push.title, "body": push.body, "url": push.url, "tag": push.tag})
        try:
            webpush(
                {"endpoint": subscription.endpoint, "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}},
                data=payload,
                vapid_private_key=self.vapid,
                vapid_claims={"sub": self.subject},
                ttl=24 * 3600,
                # Topic: the push service keeps one undelivered notice per topic (a resend replaces it).
                headers={
                    "Content-Type": "application/octet-stream",  # the encrypted body (RFC 8291)
                    "Topic": push.tag.replace("-", "")[:32],
                    "Urgency": "normal",
                },
                timeout=self.timeout,
                requests_session=self.session,
            )
        except WebPushException as exc:
            status = exc.response.status_code if exc.response is not None else None
            if status in (404, 410):
                raise TargetGone(f"push service answered {status}") from None
            if status is not None and 400 <= status < 500 and status not in (408, 429):
                raise Refused(f"push service answered {status}") from None
            raise SendFailed(f"push service answered {status}") from None
        except requests.RequestException as exc:
            raise SendFailed(f"push service unreachable: {type(exc).__name__}") from None


# E-mail -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str
    message_id: str  # the same for every try of one delivery: mail clients show one


class SmtpMailer:
    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        user: str = "",
        password: str = "",
        starttls: bool = False,
        timeout: float = 10.0,
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.user, self.password, self.starttls, self.timeout = user, password, starttls, timeout

    def send(self, mail: Mail) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message["Message-ID"] = mail.message_id
        message["Date"] = format_datetime(datetime.now().astimezone())
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(mail.body)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.user:
                    smtp.login(self.user, self.password)
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            if codes and all(500 <= code < 600 for code in codes):
                raise Refused("the mail server refused the address") from None
            raise SendFailed("the mail server refused the address for now") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise SendFailed(f"mail server: {type(exc).__name__}") from None


def message_id_for(delivery_id: str) -> str:
    """The delivery's own Message-ID: a resend after a crash mid-send carries the same one."""
    return f"<{delivery_id}@fickan.local>"

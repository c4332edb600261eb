"""Signing with BankID: the caller signs a text with their own BankID (the order requires their
personnummer); the signature is kept with a fingerprint of the text, for a service to check on the
signer's behalf."""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from fickan.identity.events.v1 import events_pb2
from fickan_common.errors import NotFound, PermissionDenied, ValidationFailed
from fickan_common.timestamps import to_timestamp
from fickan_common.tokens import Principal
from identity.domain import bankid, personnummer
from identity.orders import NOT_YOURS, SIGN_GONE, BankIdOrders, CollectResult
from identity.store import OUTBOX, LoginOrder, Signature, User
from identity.users import Users

log = logging.getLogger(__name__)

MAX_VISIBLE_TEXT = 4000  # characters of text to sign (BankID takes 40 000 bytes of base64)


class Signing:
    def __init__(
        self, orders: BankIdOrders, users: Users, on_events: Callable[[Iterable[str]], None] = lambda ids: None
    ) -> None:
        self.db = orders.db
        self.orders = orders
        self.users = users
        self.on_events = on_events

    def start(
        self,
        principal: Principal,
        text: str,
        reference: str,
        device: str,
        end_user_ip: str,
        return_url: str = "",
    ) -> tuple[LoginOrder, str]:
        """The caller signs `text` with their own BankID (the order requires their personnummer)."""
        if principal.device not in ("web", "mobile") or "glance" in principal.scope:
            raise PermissionDenied("Underskrifter görs på webben eller i appen.")
        if device not in ("web", "mobile"):
            raise ValidationFailed("Okänd enhet.", {"device": "Okänd enhet."})
        text = text.strip()
        if not text or len(text) > MAX_VISIBLE_TEXT:
            message = f"Texten att skriva under måste finnas och vara högst {MAX_VISIBLE_TEXT} tecken."
            raise ValidationFailed(message, {"user_visible_data": message})
        if not reference or len(reference) > 100:
            raise ValidationFailed("Det saknas vad underskriften gäller.", {"reference": "Saknas."})
        return_to = self.orders.check_return_url(return_url)
        user = self.users.user(principal.user_id)
        try:
            answer = self.orders.bank().sign(
                end_user_ip or "127.0.0.1", text, user.personal_number, return_url=return_to
            )
        except bankid.BankIdError as exc:
            raise self.orders.error(exc, starting=True) from None
        order = self.orders.save(
            answer,
            "sign",
            device,
            user_id=user.id,
            reference=reference,
            text_sha256=hashlib.sha256(text.encode()).hexdigest(),
        )
        order.auto_start_token = answer.get("autoStartToken", "")  # type: ignore[attr-defined]
        return order, self.orders.qr(order)

    def collect(self, principal: Principal, order_ref: str) -> CollectResult:
        with self.db.transaction() as session:
            if self.orders.find(session, order_ref, "sign", SIGN_GONE).user_id != principal.user_id:
                raise PermissionDenied(NOT_YOURS)
        order, answer = self.orders.collect(order_ref, "sign", SIGN_GONE)
        result = self.orders.progress(order, answer)
        if result is not None:
            result.reference = order.reference
            return result
        assert answer is not None
        return self._complete(order_ref, answer["completionData"])

    def _complete(self, order_ref: str, completion: dict[str, Any]) -> CollectResult:
        now = datetime.now(UTC)
        with self.db.transaction() as session:
            order = self.orders.find(session, order_ref, "sign", SIGN_GONE)
            user = session.get(User, order.user_id)
            signer = personnummer.parse(completion["user"]["personalNumber"]).canonical
            if user is None or signer != user.personal_number:
                # BankID enforced the requirement; a mismatch here means something is badly wrong.
                order.status, order.finished_at = "failed", now
                log.error("signature by another person refused", extra={"fields": {"purpose": "sign"}})
                return CollectResult("failed", "personMismatch", bankid.RFA[22], bankid.RFA_EN[22])
            signature = Signature(
                id=str(uuid.uuid4()),
                user_id=user.id,
                reference=order.reference,
                order_ref=order_ref,
                text_sha256=order.text_sha256,
                signature=str(completion.get("signature", "")),
                ocsp_response=str(completion.get("ocspResponse", "")),
                signed_at=now,
            )
            session.add(signature)
            order.status, order.finished_at = "complete", now
            env = OUTBOX.add(
                session,
                "signature_completed",
                events_pb2.SignatureCompleted(
                    signature_id=signature.id,
                    user_id=user.id,
                    reference=order.reference,
                    signed_at=to_timestamp(now),
                    text_sha256=order.text_sha256,
                ),
            )
        self.on_events([env["event_id"]])
        log.info("signature complete", extra={"fields": {"user_id": user.id, "signature_id": signature.id}})
        return CollectResult(
            "complete",
            "",
            "Du har skrivit under.",
            "You have signed.",
            signature_id=signature.id,
            reference=order.reference,
        )

    def cancel(self, principal: Principal, order_ref: str) -> None:
        self.orders.cancel(order_ref, "sign", SIGN_GONE, owner=principal.user_id)

    def signature(self, principal: Principal, signature_id: str) -> Signature:
        """One of the caller's own signatures (a service checks it on the caller's behalf)."""
        try:
            uuid.UUID(signature_id)
        except ValueError:
            raise ValidationFailed("Ogiltig underskrift.", {"signature_id": "Ogiltig underskrift."}) from None
        with self.db.transaction() as session:
            found = session.get(Signature, signature_id)
            if found is None or found.user_id != principal.user_id:
                raise NotFound("Underskriften finns inte.")
            return found

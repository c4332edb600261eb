"""Signing with BankID: the caller signs a text with their own BankID (the order names their
personnummer), from the web or the app only. On completion the signature is kept (with BankID's
signature and OCSP response) and a signature_completed event tells the service that asked for it
(applications: signature_id and reference); a service checks a signature on the caller's behalf."""

from __future__ import annotations

import hashlib
import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from fickan.identity.events.v1 import events_pb2
from fickan_common.errors import NotFound, PermissionDenied, ValidationFailed
from fickan_common.timestamps import to_timestamp
from fickan_common.tokens import Principal
from fickan_common.unit_of_work import UnitOfWork
from identity import texts
from identity.domain import bankid, personnummer
from identity.orders import BankIdOrders, CollectResult
from identity.store import OUTBOX, LoginOrder, Signature, User
from identity.users import Users

log = logging.getLogger(__name__)

MAX_VISIBLE_TEXT = 4000  # characters of text to sign (BankID takes 40 000 bytes of base64)


class Signing:
    def __init__(self, orders: BankIdOrders, users: Users, work: UnitOfWork) -> None:
        self.orders = orders
        self.db = orders.db
        self.users = users
        self.work = work  # a write transaction whose events are published after it

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
            raise PermissionDenied(texts.SIGN_ONLY_WEB_OR_APP)
        if device not in ("web", "mobile"):
            raise ValidationFailed(texts.UNKNOWN_DEVICE, {"device": texts.UNKNOWN_DEVICE})
        text = text.strip()
        if not text or len(text) > MAX_VISIBLE_TEXT:
            message = texts.SIGN_TEXT_LENGTH.format(max=MAX_VISIBLE_TEXT)
            raise ValidationFailed(message, {"user_visible_data": message})
        if not reference or len(reference) > 100:
            raise ValidationFailed(texts.SIGN_REFERENCE_MISSING, {"reference": texts.MISSING})
        return_to = self.orders.check_return_url(return_url)
        user = self.users.get(principal.user_id)
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
            if self.orders.order(session, order_ref, "sign", texts.SIGN_GONE).user_id != principal.user_id:
                raise PermissionDenied(texts.NOT_YOURS)
        order, answer = self.orders.collect(order_ref, "sign", texts.SIGN_GONE)
        result = self.orders.progress(order, answer)
        if result is not None:
            result.reference = order.reference
            return result
        assert answer is not None
        return self._complete(order_ref, answer["completionData"])

    def _complete(self, order_ref: str, completion: dict[str, Any]) -> CollectResult:
        now = datetime.now(UTC)
        with self.work() as session:
            order = self.orders.order(session, order_ref, "sign", texts.SIGN_GONE)
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
            OUTBOX.add(
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
        self.orders.cancel(order_ref, "sign", texts.SIGN_GONE, owner=principal.user_id)

    def signature(self, principal: Principal, signature_id: str) -> Signature:
        """One of the caller's own signatures (a service checks it on the caller's behalf)."""
        try:
            uuid.UUID(signature_id)
        except ValueError:
            raise ValidationFailed(texts.INVALID_SIGNATURE, {"signature_id": texts.INVALID_SIGNATURE}) from None
        with self.db.transaction() as session:
            found = session.get(Signature, signature_id)
            if found is None or found.user_id != principal.user_id:
                raise NotFound(texts.SIGNATURE_NOT_FOUND)
            return found

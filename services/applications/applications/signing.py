"""Signing a case with BankID: the whole sequence, once, for every device. The BFFs only start, poll
and map (docs/architecture.md, "Signing").

start   the case's signing text (Applications.get_signing_text: who may sign what, when) goes to
        identity's StartSign on the caller's behalf (their token; BankID requires their own
        personnummer); the order is kept here with the case, the caller's role and the version signed.
collect identity's CollectSign; when BankID completes, the order must have signed this case at that
        version, and then the applicant's case is submitted for that version (a case changed in
        between is refused, never submitted) or the co-applicant's signature is recorded (and the
        case submitted). Once: the order row moves pending -> signed -> complete, and a collect that
        finds the signature already applied (a second tab, a double click, a retry after a lost
        answer) answers the case as it is without changing it again.
cancel  identity's CancelSign of a pending order of this case (start cancels the caller's earlier pending
        orders first: BankID refuses a second order for one person).

identity answers a finished order NOT_FOUND; the row here is what remembers how it ended."""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select, update

from applications import steps, texts
from applications.domain import cases, forms
from applications.service import Applications
from applications.store import Application, SigningOrder
from fickan_common.errors import Conflict, NotFound, StaleVersion, Unavailable, ValidationFailed
from fickan_common.tokens import Principal

log = logging.getLogger(__name__)

PENDING, SIGNED, COMPLETE, FAILED, REFUSED = "pending", "signed", "complete", "failed", "refused"
# How long a collect that finds the order finished at identity waits for a collect beside it to record
# the signature here (milliseconds, normally) before it calls the order failed.
SETTLE_SECONDS = 2.0


@dataclass(frozen=True)
class SignOrder:
    """identity's answer to StartSign."""

    order_ref: str
    auto_start_token: str
    qr_data: str


@dataclass(frozen=True)
class SignProgress:
    """identity's answer to CollectSign."""

    status: str  # pending | failed | complete
    hint_code: str
    user_message: str
    user_message_en: str
    qr_data: str = ""
    signature_id: str = ""
    reference: str = ""


class BankIdSigning(Protocol):
    """identity's sign orders, asked on the caller's behalf (applications/people.py over gRPC)."""

    def start_sign(
        self, principal: Principal, text: str, reference: str, end_user_ip: str, return_url: str
    ) -> SignOrder: ...

    def collect_sign(self, principal: Principal, order_ref: str) -> SignProgress: ...

    def cancel_sign(self, principal: Principal, order_ref: str) -> None: ...


@dataclass(frozen=True)
class Collected:
    """What a collect answers: while pending BankID's hint, texts and QR content; on complete the case
    as it now is and the caller's role in it."""

    status: str  # pending | failed | complete
    hint_code: str = ""
    user_message: str = ""
    user_message_en: str = ""
    qr_data: str = ""
    application: Application | None = None
    role: str = ""
    signature_id: str = ""


class Signing:
    def __init__(self, applications: Applications, identity: BankIdSigning | None) -> None:
        self.applications = applications
        self.db = applications.db
        self.identity = identity

    def _bankid(self) -> BankIdSigning:
        if self.identity is None:
            raise Unavailable(texts.SIGNING_NO_BANKID)
        return self.identity

    # -- start ----------------------------------------------------------------------------------
    def start(
        self, principal: Principal, application_id: str, end_user_ip: str = "", return_url: str = ""
    ) -> tuple[SignOrder, int]:
        """The caller's sign order of this case's signing text; returns it and the version signed."""
        text, version, reference = self.applications.get_signing_text(principal, application_id)
        with self.db.read() as session:
            app = steps.find(session, application_id)
            role = cases.resident_role(principal, app.applicant_id, app.co_applicant_id)
            if not forms.form_for(app.kind, app.form_version).requires_signature:
                raise Conflict(texts.SIGNING_NO_SIGNATURE)
            if role == "applicant" and app.status != cases.DRAFT:
                raise Conflict(texts.SIGNING_ALREADY_SIGNED)
        self._cancel_earlier(principal)
        order = self._bankid().start_sign(principal, text, reference, end_user_ip, return_url)
        with self.db.transaction() as session:
            session.add(
                SigningOrder(
                    order_ref=order.order_ref,
                    application_id=application_id,
                    user_id=principal.user_id,
                    role=role,
                    version=version,
                    status=PENDING,
                    started_at=steps.now(),
                )
            )
        log.info("signing started", extra={"fields": {"application_id": application_id, "role": role}})
        return order, version

    # -- collect --------------------------------------------------------------------------------
    def collect(self, principal: Principal, application_id: str, order_ref: str) -> Collected:
        row = self._order(principal, application_id, order_ref)
        if row.status == FAILED:
            return Collected(FAILED, "", texts.SIGNING_ENDED.sv, texts.SIGNING_ENDED.en)
        if row.status in (SIGNED, COMPLETE, REFUSED):
            return self._apply(principal, order_ref)
        try:
            progress = self._bankid().collect_sign(principal, order_ref)
        except NotFound:
            # identity has finished the order: cancelled, expired, or completed by a collect beside
            # this one, which records the signature here in a moment: wait for that a little.
            if self._signature_recorded(order_ref):
                return self._apply(principal, order_ref)
            if self._finish(order_ref, FAILED):
                return Collected(FAILED, "", texts.SIGNING_UNKNOWN_ORDER.sv, texts.SIGNING_UNKNOWN_ORDER.en)
            return self._apply(principal, order_ref)
        if progress.status == PENDING:
            return Collected(
                PENDING, progress.hint_code, progress.user_message, progress.user_message_en, progress.qr_data
            )
        if progress.status != COMPLETE or not progress.signature_id:
            self._finish(order_ref, FAILED)
            return Collected(FAILED, progress.hint_code, progress.user_message, progress.user_message_en)
        if progress.reference != f"application:{application_id}:v{row.version}":
            # The order we started named this case and version; anything else is not this case's.
            self._finish(order_ref, REFUSED)
            log.warning("signature for another case refused", extra={"fields": {"application_id": application_id}})
            raise Conflict(texts.SIGNING_OTHER_CASE, {"order_ref": texts.SIGNING_OTHER_CASE})
        with self.db.transaction() as session:
            # A signature BankID completed is recorded whatever a parallel collect concluded.
            session.execute(
                update(SigningOrder)
                .where(SigningOrder.order_ref == order_ref, SigningOrder.signature_id.is_(None))
                .values(status=SIGNED, signature_id=progress.signature_id)
                .execution_options(synchronize_session=False)
            )
        return self._apply(principal, order_ref)

    def _apply(self, principal: Principal, order_ref: str) -> Collected:
        """The signature onto the case, once: submitted for the version signed (applicant) or the
        co-applicant's signature recorded."""
        with self.db.read() as session:
            row = session.get(SigningOrder, order_ref)
            assert row is not None
            app = steps.find(session, row.application_id)
        if row.status == REFUSED:
            raise Conflict(texts.SIGNING_CHANGED)
        if row.status == COMPLETE or self._applied(app, row):
            self._finish(order_ref, COMPLETE, from_status=(SIGNED, COMPLETE))
            return Collected(COMPLETE, application=app, role=row.role, signature_id=row.signature_id or "")
        if not row.signature_id:
            if row.status == FAILED:
                return Collected(FAILED, "", texts.SIGNING_UNKNOWN_ORDER.sv, texts.SIGNING_UNKNOWN_ORDER.en)
            return Collected(PENDING)  # a parallel collect is recording the signature right now
        try:
            if row.role == "applicant":
                app = self.applications.submit(principal, row.application_id, row.version, row.signature_id)
            else:
                app = self.applications.sign(principal, row.application_id, row.signature_id)
        except (Conflict, StaleVersion, ValidationFailed):
            with self.db.read() as session:
                app = steps.find(session, row.application_id)
            if self._applied(app, row):  # a collect beside this one applied it first
                self._finish(order_ref, COMPLETE, from_status=(SIGNED, COMPLETE))
                return Collected(COMPLETE, application=app, role=row.role, signature_id=row.signature_id or "")
            self._finish(order_ref, REFUSED, from_status=(SIGNED,))
            log.info("signature refused: the case changed", extra={"fields": {"application_id": app.id}})
            raise Conflict(texts.SIGNING_CHANGED) from None
        self._finish(order_ref, COMPLETE, from_status=(SIGNED,))
        log.info("signature applied", extra={"fields": {"application_id": app.id, "role": row.role}})
        return Collected(COMPLETE, application=app, role=row.role, signature_id=row.signature_id or "")

    @staticmethod
    def _applied(app: Application, row: SigningOrder) -> bool:
        mine = app.applicant_signature_id if row.role == "applicant" else app.co_applicant_signature_id
        return bool(row.signature_id) and mine == row.signature_id

    # -- cancel ---------------------------------------------------------------------------------
    def cancel(self, principal: Principal, application_id: str, order_ref: str) -> None:
        """A pending order of this case is cancelled; a finished one is left as it is."""
        row = self._order(principal, application_id, order_ref)
        if row.status != PENDING:
            return
        try:
            self._bankid().cancel_sign(principal, order_ref)
        except NotFound:
            return  # finished at identity already: the next collect says how
        self._finish(order_ref, FAILED)

    def _cancel_earlier(self, principal: Principal) -> None:
        """The caller's orders still pending here (a page left, a second start) are cancelled first:
        BankID refuses a second order for one person and aborts both."""
        with self.db.read() as session:
            pending = list(
                session.scalars(
                    select(SigningOrder.order_ref).where(
                        SigningOrder.user_id == principal.user_id, SigningOrder.status == PENDING
                    )
                )
            )
        for order_ref in pending:
            try:
                self._bankid().cancel_sign(principal, order_ref)
            except NotFound:
                pass  # finished at identity already (a collect of it says how)
            else:
                self._finish(order_ref, FAILED)

    # -- the order rows -------------------------------------------------------------------------
    def _order(self, principal: Principal, application_id: str, order_ref: str) -> SigningOrder:
        try:
            uuid.UUID(order_ref)
        except ValueError:
            raise ValidationFailed(texts.SIGNING_UNKNOWN_ORDER, {"order_ref": texts.SIGNING_UNKNOWN_ORDER}) from None
        with self.db.read() as session:
            row = session.get(SigningOrder, order_ref)
        if row is None or row.user_id != principal.user_id:
            raise NotFound(texts.SIGNING_UNKNOWN_ORDER)
        if row.application_id != application_id:
            raise Conflict(texts.SIGNING_OTHER_CASE, {"order_ref": texts.SIGNING_OTHER_CASE})
        return row

    def _signature_recorded(self, order_ref: str) -> bool:
        deadline = time.monotonic() + SETTLE_SECONDS
        while True:
            with self.db.read() as session:
                row = session.get(SigningOrder, order_ref)
            if row is None or row.signature_id or row.status != PENDING:
                return bool(row is not None and row.signature_id)
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)

    def _finish(self, order_ref: str, status: str, from_status: tuple[str, ...] = (PENDING,)) -> bool:
        """Moves the order on if it is still in one of from_status; True when this call moved it."""
        with self.db.transaction() as session:
            moved = session.execute(
                update(SigningOrder)
                .where(SigningOrder.order_ref == order_ref, SigningOrder.status.in_(from_status))
                .values(status=status, finished_at=steps.now())
                .execution_options(synchronize_session=False)
            ).rowcount
        return bool(moved)

"""Phone identification: a contact-centre agent asks BankID to identify the person on the phone (who
called whom is told to BankID) and learns who they are (made a resident user on first sight). Only
the agent who started the order may collect it."""

from __future__ import annotations

from datetime import UTC, datetime

from fickan_common.errors import PermissionDenied, ValidationFailed
from fickan_common.tokens import Principal
from identity import texts
from identity.domain import bankid, personnummer
from identity.orders import BankIdOrders, CollectResult
from identity.store import LoginOrder, User
from identity.users import Users, parse_personnummer


class PhoneIdentification:
    def __init__(self, orders: BankIdOrders, users: Users) -> None:
        self.orders = orders
        self.db = orders.db
        self.users = users

    def start(self, principal: Principal, personal_number: str, call_initiator: str) -> LoginOrder:
        if not principal.has_role("contact_agent"):
            raise PermissionDenied(texts.STAFF_ONLY)
        if call_initiator not in ("user", "RP"):
            raise ValidationFailed(texts.WHO_CALLED, {"call_initiator": texts.WHO_CALLED_FIELD})
        pnr = parse_personnummer(personal_number)
        try:
            answer = self.orders.bank().phone_auth(pnr, call_initiator)
        except bankid.BankIdError as exc:
            raise self.orders.error(exc, starting=True) from None
        return self.orders.save(answer, "phone", "phone", user_id=principal.user_id)

    def collect(self, principal: Principal, order_ref: str) -> tuple[CollectResult, User | None]:
        with self.db.transaction() as session:
            if self.orders.order(session, order_ref, "phone").user_id != principal.user_id:
                raise PermissionDenied(texts.NOT_YOUR_IDENTIFICATION)
        order, answer = self.orders.collect(order_ref, "phone", texts.ORDER_GONE)
        result = self.orders.progress(order, answer)
        if result is not None:
            return result, None
        assert answer is not None
        bankid_user = answer["completionData"]["user"]
        with self.db.transaction() as session:
            caller = self.users.by_personnummer(
                session, personnummer.parse(bankid_user["personalNumber"]).canonical, bankid_user.get("name", "")
            )
            row = self.orders.order(session, order_ref, "phone")
            row.status, row.finished_at, row.result_user_id = "complete", datetime.now(UTC), caller.id
        return CollectResult("complete", "", "Personen är identifierad.", "The caller is identified."), caller

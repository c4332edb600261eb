"""Phone identification: a contact-centre agent starts a BankID order for the person on the line
(who called decides the call_initiator) and learns who it is once they have identified."""

from __future__ import annotations

from datetime import UTC, datetime

from fickan_common.errors import PermissionDenied, ValidationFailed
from fickan_common.tokens import Principal
from identity.domain import bankid, personnummer
from identity.orders import ORDER_GONE, BankIdOrders, CollectResult
from identity.store import LoginOrder, User
from identity.users import STAFF_ONLY, Users, parse_personnummer


class PhoneAuth:
    def __init__(self, orders: BankIdOrders, users: Users) -> None:
        self.db = orders.db
        self.orders = orders
        self.users = users

    def start(self, principal: Principal, personal_number: str, call_initiator: str) -> LoginOrder:
        if not principal.has_role("contact_agent"):
            raise PermissionDenied(STAFF_ONLY)
        if call_initiator not in ("user", "RP"):
            raise ValidationFailed("Ange vem som ringde.", {"call_initiator": "user eller RP."})
        pnr = parse_personnummer(personal_number)
        try:
            answer = self.orders.bank().phone_auth(pnr, call_initiator)
        except bankid.BankIdError as exc:
            raise self.orders.error(exc, starting=True) from None
        return self.orders.save(answer, "phone", "phone", user_id=principal.user_id)

    def collect(self, principal: Principal, order_ref: str) -> tuple[CollectResult, User | None]:
        with self.db.transaction() as session:
            if self.orders.find(session, order_ref, "phone").user_id != principal.user_id:
                raise PermissionDenied("Det här är inte din identifiering.")
        order, answer = self.orders.collect(order_ref, "phone", ORDER_GONE)
        result = self.orders.progress(order, answer)
        if result is not None:
            return result, None
        assert answer is not None
        bankid_user = answer["completionData"]["user"]
        with self.db.transaction() as session:
            caller = self.users.by_personnummer(
                session, personnummer.parse(bankid_user["personalNumber"]).canonical, bankid_user.get("name", "")
            )
            row = self.orders.find(session, order_ref, "phone")
            row.status, row.finished_at, row.result_user_id = "complete", datetime.now(UTC), caller.id
        return CollectResult("complete", "", "Personen är identifierad.", "The caller is identified."), caller

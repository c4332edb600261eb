"""Identity's use cases, by concern, each in its own module:

    orders.py    BankID orders, common to the three below (save, collect, progress, cancel)
    login.py     logging in with BankID
    signing.py   signing a text with BankID, and the signatures kept
    phone.py     phone identification for the contact centre
    sessions.py  access tokens, sessions, refresh tokens and revocation
    devices.py   the caller's devices (sessions and paired watches)
    users.py     users, and the small helpers every part shares

Identity builds the parts, which share what they need (the database, the BankID client, the
limiter, the signing keys, the publisher). Watch pairing, staff roles and the access log have
modules of their own and use it; api.py wires the servicer to the parts."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from fickan_common.db import Database
from identity.bankid_status import BankIdStatus, WatchedBankId
from identity.devices import Devices
from identity.domain import bankid
from identity.keys import SigningKeys
from identity.limits import LoginLimiter
from identity.login import Login
from identity.orders import BankIdOrders
from identity.phone import PhoneAuth
from identity.sessions import SessionPolicy, Sessions
from identity.signing import Signing
from identity.users import Users


class Identity:
    def __init__(
        self,
        db: Database,
        keys: SigningKeys,
        bankid_client: bankid.BankIdClient | None,
        access_token_ttl: int = 900,
        on_events: Callable[[Iterable[str]], None] = lambda ids: None,
        sessions: SessionPolicy | None = None,
        limiter: LoginLimiter | None = None,
        collect_interval: float = 2.0,
        return_schemes: Iterable[str] = ("fickan",),
        return_hosts: Iterable[str] = (),
    ) -> None:
        self.db = db
        self.keys = keys
        # Every BankID call tells bankid_status what BankID answered (its maintenance notices).
        self.bankid_status = BankIdStatus(db)
        self.bankid = WatchedBankId(bankid_client, self.bankid_status) if bankid_client is not None else None
        self.on_events = on_events
        self.limiter = limiter or LoginLimiter()
        self.users = Users(db, self.limiter)
        self.sessions = Sessions(db, keys, access_token_ttl, sessions, on_events)
        self.orders = BankIdOrders(
            db, self.bankid, collect_interval, set(return_schemes), {h.lower() for h in return_hosts}
        )
        self.login = Login(self.orders, self.users, self.sessions, self.limiter, on_events)
        self.signing = Signing(self.orders, self.users, on_events)
        self.phone = PhoneAuth(self.orders, self.users)
        self.devices = Devices(db, self.sessions)

"""identity's use cases, one concern per module, composed here once per process:

    orders.py    BankID orders common to login, signing and phone identification
    login.py     logging in with BankID (a new session on completion)
    signing.py   signing a text with one's own BankID; the signatures kept
    phone.py     a contact-centre agent identifying the person on the phone
    sessions.py  sessions, access and refresh tokens, logout and revocation
    devices.py   a person's own devices (sessions and watches): listing and revoking
    users.py     users: by personnummer, created on first sight, resolving a co-applicant

Watch pairing (pairing.py), staff roles (staff.py) and the access log (access_log.py) are built on
an Identity. Callers reach a concern through its part: identity.login.start(...),
identity.sessions.refresh(...), identity.users.get(...)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from fickan_common.db import Database
from fickan_common.unit_of_work import UnitOfWork
from identity import texts
from identity.bankid_status import BankIdStatus, WatchedBankId
from identity.devices import Devices
from identity.domain import bankid
from identity.keys import SigningKeys
from identity.limits import LoginLimiter
from identity.login import DEVICES, Login
from identity.orders import BankIdOrders, CollectResult
from identity.phone import PhoneIdentification
from identity.sessions import WATCH_GLANCE_TTL, SessionPolicy, Sessions, TokenPair
from identity.signing import MAX_VISIBLE_TEXT, Signing
from identity.store import aware
from identity.users import Users, parse_personnummer

# Names other packages import from here (the texts themselves live in identity.texts).
__all__ = [
    "DEVICES",
    "MAX_VISIBLE_TEXT",
    "WATCH_GLANCE_TTL",
    "CollectResult",
    "Identity",
    "TokenPair",
    "aware",
    "parse_personnummer",
]
ORDER_GONE = texts.ORDER_GONE
SIGN_GONE = texts.SIGN_GONE
SESSION_ENDED = texts.SESSION_ENDED
TOO_MANY = texts.TOO_MANY
REFUSED_START = texts.REFUSED_START
TOO_MANY_FAILED_COLLECTS = texts.TOO_MANY_FAILED_COLLECTS
PNR_MESSAGE = texts.PNR_MESSAGE
RETURN_URL_MESSAGE = texts.RETURN_URL_MESSAGE
NOT_YOURS = texts.NOT_YOURS
STAFF_ONLY = texts.STAFF_ONLY
ALREADY_REFRESHED = texts.ALREADY_REFRESHED


class Identity:
    """The parts, sharing one database, one set of signing keys, one BankID client (watched by
    bankid_status), one login limiter and one unit of work (events published after the commit)."""

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
        self.work = UnitOfWork(db, on_events)  # a write transaction whose events are published after it
        self.limiter = limiter or LoginLimiter()

        self.orders = BankIdOrders(
            db, self.bankid, collect_interval, set(return_schemes), {h.lower() for h in return_hosts}
        )
        self.users = Users(db, self.limiter)
        self.sessions = Sessions(db, keys, self.work, access_token_ttl, sessions)
        self.login = Login(self.orders, self.users, self.sessions, self.limiter, self.work)
        self.signing = Signing(self.orders, self.users, self.work)
        self.phone = PhoneIdentification(self.orders, self.users)
        self.devices = Devices(self.sessions)

"""The real identity service for other packages' tests (the BFFs', applications'): its own SQLite
database and signing keys in a folder the test gives, the BankID simulator in-process (it plays
BankID and the person's app), the real servicer to put on a grpcio server, and helpers that do what
a person does: log in with BankID, be given roles by an admin, pair a watch. Not a fake: every
token is signed by identity's own keys and every answer comes from the code that runs in production."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import grpc
from sqlalchemy import select

from fickan.identity.v1 import identity_pb2_grpc as pb_grpc
from fickan_common.db import Database
from fickan_common.grpc_server import build_server
from fickan_common.idempotency import IdempotencyStore
from fickan_common.migrations import upgrade
from fickan_common.tokens import JwksCache, Principal, TokenVerifier
from identity.api import COMMANDS, GLANCE_METHODS, PUBLIC_METHODS, IdentityServicer, build_parts, demo_names
from identity.domain.bankid import Simulator
from identity.keys import SigningKeys
from identity.limits import LoginLimiter
from identity.migrate import MIGRATIONS
from identity.service import Identity
from identity.store import IDEMPOTENCY, User, WatchPairing, metadata

# The municipality's host a return address may name (FICKAN_RETURN_URL_HOSTS in production).
RETURN_HOST = "e.kommun.example"


@dataclass(frozen=True)
class LoggedIn:
    """A person after a finished BankID login: what the client got back."""

    user_id: str
    name: str
    personal_number: str
    access_token: str
    refresh_token: str
    session_id: str

    @property
    def token(self) -> str:
        return self.access_token

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


class IdentityForTests:
    public_methods = PUBLIC_METHODS
    glance_methods = GLANCE_METHODS
    commands = COMMANDS

    def __init__(self, folder: str | Path, pending_collects: int = 1, access_token_ttl: int = 600) -> None:
        folder = Path(folder)
        url = f"sqlite:///{folder}/identity.db"
        upgrade(MIGRATIONS, url)
        self.db = Database(url)
        self.keys = SigningKeys(folder / "keys", generate=True)
        # In-process: the simulator answers like BankID's RP API without an HTTP hop.
        self.simulator = Simulator(pending_collects, names=demo_names())
        # collect_interval 0: tests poll back to back (identity's own tests prove the 2 s throttle).
        self.identity = Identity(
            self.db,
            self.keys,
            self.simulator,
            access_token_ttl=access_token_ttl,
            collect_interval=0,
            return_hosts=(RETURN_HOST,),
        )
        self.parts = build_parts(self.identity)
        self.servicer = IdentityServicer(self.parts)

    # -- serving ----------------------------------------------------------------------------------
    def verifier(self) -> TokenVerifier:
        """Verifies tokens with identity's own keys (what every service gets over GetJwks)."""
        return TokenVerifier(JwksCache(self.keys.jwks_json))

    def serve(self, servicer: object | None = None, verifier: TokenVerifier | None = None) -> tuple[grpc.Server, int]:
        """A started grpcio server on a free loopback port, as the api process runs it. `servicer`
        may wrap the real one (to see which calls arrive)."""

        def register(server: grpc.Server) -> list[str]:
            pb_grpc.add_IdentityServiceServicer_to_server(servicer or self.servicer, server)
            return ["fickan.identity.v1.IdentityService"]

        return build_server(
            register,
            0,
            verifier or self.verifier(),
            PUBLIC_METHODS,
            host="127.0.0.1",
            glance_methods=GLANCE_METHODS,
            commands=COMMANDS,
            idempotency=IdempotencyStore(self.db, IDEMPOTENCY),
        )

    def reset(self) -> None:
        """Every row gone, the rate limits' memory and BankID's orders forgotten (the keys stay)."""
        with self.db.transaction() as session:
            for table in reversed(metadata.sorted_tables):
                session.execute(table.delete())
        self.identity.limiter.forget()
        self.parts.pairings.confirm_limiter = LoginLimiter(self.parts.pairings.confirm_limiter.limits)
        self.simulator.reset()
        self.simulator.names = demo_names()

    def close(self) -> None:
        self.db.dispose()

    # -- what people do ---------------------------------------------------------------------------
    def log_in(self, personal_number: str, name: str = "", device: str = "mobile") -> LoggedIn:
        """A whole BankID login, as the person's app and the client would do it."""
        if name:
            self.simulator.names[personal_number] = name
        order, _ = self.identity.login.start(personal_number, device, "127.0.0.1")
        secret = order.collect_secret  # type: ignore[attr-defined]
        for _ in range(20):
            result = self.identity.login.collect(order.order_ref, secret, "127.0.0.1")
            if result.status != "pending":
                break
        assert result.status == "complete" and result.user is not None, result.hint_code
        principal = self.verifier().verify(result.access_token)
        return LoggedIn(
            result.user.id,
            result.user.name,
            personal_number,
            result.access_token,
            result.refresh_token,
            principal.session_id,
        )

    def user_id(self, personal_number: str) -> str:
        """The id identity gave the person with this number (they have logged in or been named)."""
        with self.db.read() as session:
            return str(session.scalars(select(User.id).where(User.personal_number == personal_number)).one())

    def give_roles(
        self, personal_number: str, name: str, roles: list[str], unit: str = "", answer_group: str = ""
    ) -> User:
        """Staff roles, as the staff command line sets them (no admin needed)."""
        return self.parts.staff.assign(None, personal_number, name, roles, unit, answer_group)

    def log_in_staff(
        self,
        personal_number: str,
        name: str,
        roles: list[str],
        unit: str = "",
        answer_group: str = "",
        device: str = "web",
    ) -> LoggedIn:
        self.give_roles(personal_number, name, roles, unit, answer_group)
        return self.log_in(personal_number, name, device)

    def principal(self, person: LoggedIn) -> Principal:
        return self.verifier().verify(person.access_token)

    def start_watch_pairing(self) -> tuple[str, str]:
        """What the watch does first: (device code, user code)."""
        started = self.parts.pairings.start()
        return started.device_code, started.user_code

    def confirm_watch(self, person: LoggedIn, user_code: str) -> str:
        """The resident types the watch's code in the app (logged in on web or mobile)."""
        return self.parts.pairings.confirm(self.principal(person), user_code)

    def pair_watch(self, person: LoggedIn) -> str:
        """A whole pairing (the watch starts, the resident confirms, the watch polls): its watch token."""
        device_code, user_code = self.start_watch_pairing()
        self.confirm_watch(person, user_code)
        result = self.parts.pairings.poll(device_code)
        assert result.status == "complete", result.status
        return result.watch_token

    def glance_token(self, person: LoggedIn) -> str:
        """What a paired watch of `person` gets for its watch token: a glance-only access token."""
        return self.parts.pairings.exchange(self.pair_watch(person))[0]

    def unpair_watches(self, person: LoggedIn) -> None:
        """The resident removes every paired watch (as RevokeDevice does for each)."""
        for device in self.identity.devices.of(self.principal(person)):
            if device["device_id"].startswith("watch:"):
                self.identity.devices.revoke(self.principal(person), device["device_id"])

    def age_pairings(self, seconds: float) -> None:
        """Move every watch pairing `seconds` into the past (a watch that waited before polling
        again; a code that ran out)."""
        with self.db.transaction() as session:
            for pairing in session.scalars(select(WatchPairing)).all():
                pairing.created_at -= timedelta(seconds=seconds)
                pairing.expires_at -= timedelta(seconds=seconds)
                if pairing.last_polled_at is not None:
                    pairing.last_polled_at -= timedelta(seconds=seconds)

    def token(self, user_id: str, ttl: int = 600, roles: tuple[str, ...] = ("resident",), **claims: object) -> str:
        """A token signed with identity's key as it stands, with whatever claims a test needs
        (an expired one, one with a scope identity would not give)."""
        return self.keys.sign(user_id, ttl, roles=list(roles), **claims)

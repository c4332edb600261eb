"""The real applications service for other packages' tests (the BFFs'): its own SQLite database in a
folder the test gives, the real servicer (resident, case work, retention) to put on a grpcio server,
asking a running identity for co-applicants, masked numbers and signatures over gRPC only (this
package imports no other service's code: the caller hands in identity's address and token
verifier), and helpers that make a case the way a resident and a case worker would, through the
service's own use cases. Not a fake: what a BFF asks of it is answered by the code that runs in
production."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Protocol

import grpc

from applications.api import COMMANDS, GLANCE_METHODS, PUBLIC_METHODS, ApplicationsServicer
from applications.casework import Casework
from applications.migrate import MIGRATIONS
from applications.people import IdentityPeople
from applications.retention import Retention
from applications.service import Applications
from applications.settings import CaseworkSettings, RetentionSettings
from applications.signing import Signing
from applications.store import IDEMPOTENCY, Application, metadata
from fickan.applications.v1 import applications_pb2_grpc as pb_grpc
from fickan_common.db import Database
from fickan_common.grpc_server import build_server
from fickan_common.idempotency import IdempotencyStore
from fickan_common.migrations import upgrade
from fickan_common.tokens import Principal, TokenVerifier


class LoggedIn(Protocol):
    """A person logged in at identity (e.g. identity.testing.LoggedIn): their access token."""

    access_token: str


UNIT = "ekonomiskt-bistand"
FIRST = "eb_grundansokan"
MONTHLY = "eb_lopande"
# A day the window for December 2026 is open (9-30 November): monthly drafts can be made.
TODAY = date(2026, 11, 25)
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def first_application(partner_personnummer: str = "") -> dict[str, str]:
    """Complete answers to the first application (a partner when a personnummer is given)."""
    answers = {
        "period": "2026-12",
        "sysselsattning": "arbetssokande",
        "inskriven_af": "ja",
        "har_partner": "ja" if partner_personnummer else "nej",
        "barn": json.dumps([{"fornamn": "Alva", "alder": "5", "bor_heltid": "ja"}]),
        "boendeform": "hyresratt",
        "hyra": "7200",
        "hushallsel": "300",
        "har_inkomster": "ja",
        "inkomster": json.dumps([{"slag": "barnbidrag", "vem": "jag", "belopp": "1250"}]),
        "har_tillgangar": "nej",
        "samtycke_kontroll": "ja",
        "sanningsforsakran": "ja",
    }
    if partner_personnummer:
        answers["partner_personnummer"] = partner_personnummer
    return answers


class ApplicationsForTests:
    public_methods = PUBLIC_METHODS
    glance_methods = GLANCE_METHODS
    commands = COMMANDS

    def __init__(
        self,
        folder: str | Path,
        verifier: TokenVerifier,
        identity_target: str,
        on_events: Callable[[list[str]], None] | None = None,
    ) -> None:
        url = f"sqlite:///{folder}/applications.db"
        upgrade(MIGRATIONS, url)
        self.db = Database(url)
        self.verifier = verifier  # identity's keys: a person's token -> who they are
        self.today = TODAY
        self.kicked: list[str] = []  # ids of events committed (what the outbox relay would publish)

        def kick(ids: Any) -> None:
            self.kicked.extend(ids)
            if on_events is not None:
                on_events(list(ids))

        self.casework = Casework(self.db, kick, CaseworkSettings(), today=lambda: self.today)
        people = self.people = IdentityPeople(identity_target)
        self.applications = Applications(
            self.db,
            on_events=kick,
            unit=UNIT,
            people=people,
            today=lambda: self.today,
            receive=self.casework.receive,
        )
        self.retention = Retention(self.db, kick, RetentionSettings())
        self.servicer = ApplicationsServicer(
            self.applications, self.casework, self.retention, Signing(self.applications, people)
        )

    # -- serving ----------------------------------------------------------------------------------
    def serve(self, verifier: TokenVerifier, servicer: object | None = None) -> tuple[grpc.Server, int]:
        """A started grpcio server on a free loopback port, as the api process runs it."""

        def register(server: grpc.Server) -> list[str]:
            pb_grpc.add_ApplicationsServiceServicer_to_server(servicer or self.servicer, server)
            return ["fickan.applications.v1.ApplicationsService"]

        return build_server(
            register,
            0,
            verifier,
            PUBLIC_METHODS,
            host="127.0.0.1",
            glance_methods=GLANCE_METHODS,
            commands=COMMANDS,
            idempotency=IdempotencyStore(self.db, IDEMPOTENCY),
        )

    def reset(self) -> None:
        with self.db.transaction() as session:
            for table in reversed(metadata.sorted_tables):
                session.execute(table.delete())
        self.today = TODAY
        self.kicked.clear()

    def close(self) -> None:
        self.db.dispose()

    # -- what a resident does ---------------------------------------------------------------------
    def _principal(self, person: LoggedIn) -> Principal:
        return self.verifier.verify(person.access_token)

    def draft(self, person: LoggedIn, kind: str = FIRST, answers: dict[str, Any] | None = None) -> Application:
        """A draft `person` started (and filled in with `answers`, if given)."""
        me = self._principal(person)
        app = self.applications.create_draft(me, kind)
        if answers:
            app = self.applications.save_answers(me, app.id, answers, app.version)
        return app

    def signature(self, person: LoggedIn, application_id: str) -> str:
        """`person` signs the case's signing text with BankID (identity and its simulator, over gRPC): the id."""
        me = self._principal(person)
        text, _, reference = self.applications.get_signing_text(me, application_id)
        order = self.people.start_sign(me, text, reference, "127.0.0.1", "")  # identity's gRPC, as in production
        for _ in range(20):
            result = self.people.collect_sign(me, order.order_ref)
            if result.status != "pending":
                break
        assert result.status == "complete", result.hint_code
        return result.signature_id

    def complete_draft(self, person: LoggedIn, answers: dict[str, Any] | None = None) -> Application:
        """A first application `person` filled in, with the papers it asks for uploaded."""
        me = self._principal(person)
        app = self.applications.create_draft(me, FIRST)
        papers = {
            question: json.dumps([self.applications.upload(me, app.id, f"{question}.pdf", PDF).id])
            for question in ("kontoutdrag", "hyreskontrakt", "hyresavi")
        }
        return self.applications.save_answers(me, app.id, {**(answers or first_application()), **papers}, app.version)

    def submitted(self, person: LoggedIn, answers: dict[str, Any] | None = None) -> Application:
        """A first application `person` filled in, signed and sent (received by the unit at once)."""
        app = self.complete_draft(person, answers)
        me = self._principal(person)
        return self.applications.submit(me, app.id, app.version, self.signature(person, app.id))

    def signature_pending(self, person: LoggedIn, partner_personnummer: str) -> Application:
        """A first application `person` signed and sent, naming a partner who has yet to sign."""
        return self.submitted(person, first_application(partner_personnummer))

    # -- what a case worker does ------------------------------------------------------------------
    def completion_requested(
        self,
        person: LoggedIn,
        worker: LoggedIn,
        items: tuple[str, ...] = ("Lönebesked för november",),
        random_check: bool = False,
    ) -> Application:
        """A case of `person` sent, taken up by `worker` who asks for more (due in a week), or picks
        it for a random check."""
        app = self.submitted(person)
        staff = self._principal(worker)
        app = self.casework.start_work(staff, app.id, app.version)
        due = (self.today + timedelta(days=7)).isoformat()
        return self.casework.request_completion(
            staff, app.id, list(items), "", due, random_check=random_check, expected_version=app.version
        )

    def decided(
        self, person: LoggedIn, worker: LoggedIn, outcome: str = "approved", amount: int = 0, reasons: str = ""
    ) -> Application:
        """A case of `person` sent, taken up by `worker` (a case worker of UNIT) and decided."""
        app = self.submitted(person)
        staff = self._principal(worker)
        app = self.casework.start_work(staff, app.id, app.version)
        return self.casework.decide(staff, app.id, outcome, amount, reasons, app.version)

    def payment_scheduled(self, person: LoggedIn, worker: LoggedIn) -> Application:
        """A case of `person` approved by `worker`, its payment on the next payment day."""
        app = self.decided(person, worker)
        return self.casework.schedule_payment(self._principal(worker), app.id, expected_version=app.version)

"""Signing with BankID runs in the applications service (applications/signing.py), against identity's
real servicer and its BankID simulator, both in this process on loopback gRPC and their own SQLite
databases: applications asks identity on the caller's behalf with the caller's own token (from a
real BankID login). Here, not in services/applications/tests: those run with the service installed
alone (scripts/check_alone.sh), without identity.

What it proves: the applicant's signature submits the case for the version signed, the
co-applicant's records their signature and submits it; a repeated or simultaneous collect changes the
case once; a case changed while signing is refused, not submitted; an order is good for its own case
only; a cancelled or failed order changes nothing."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
from sqlalchemy import select

from applications import texts
from applications.api import GLANCE_METHODS as APPLICATIONS_GLANCE
from applications.api import register as register_applications
from applications.migrate import MIGRATIONS as APPLICATIONS_MIGRATIONS
from applications.people import IdentityPeople
from applications.service import Applications
from applications.signing import Signing
from applications.store import OUTBOX
from applications.testing import PDF, TODAY, first_application
from fickan.applications.v1 import applications_pb2 as pb
from fickan.applications.v1 import applications_pb2_grpc
from fickan.identity.v1 import identity_pb2, identity_pb2_grpc
from fickan_common.db import Database
from fickan_common.grpc_server import build_server
from fickan_common.migrations import upgrade
from fickan_common.tokens import JwksCache, TokenVerifier
from identity.api import GLANCE_METHODS as IDENTITY_GLANCE
from identity.api import PUBLIC_METHODS as IDENTITY_PUBLIC
from identity.api import register as register_identity
from identity.domain.bankid import Simulator
from identity.keys import SigningKeys
from identity.migrate import MIGRATIONS as IDENTITY_MIGRATIONS
from identity.service import Identity

ANNA, SARA = "199001012385", "199001022384"  # Skatteverket's test numbers, as in identity's own tests


@dataclass
class Both:
    applications: applications_pb2_grpc.ApplicationsServiceStub
    identity: identity_pb2_grpc.IdentityServiceStub
    simulator: Simulator
    db: Database

    def login(self, pnr: str, device: int = identity_pb2.DEVICE_WEB) -> list[tuple[str, str]]:
        """A real BankID login (the simulator opens an order with a personnummer by itself)."""
        started = self.identity.StartLogin(identity_pb2.StartLoginRequest(personal_number=pnr, device=device))
        for _ in range(20):
            answer = self.identity.CollectLogin(
                identity_pb2.CollectLoginRequest(order_ref=started.order_ref, collect_secret=started.collect_secret)
            )
            if answer.status == identity_pb2.CollectLoginResponse.COMPLETE:
                return [("authorization", f"Bearer {answer.access_token}")]
            assert answer.status == identity_pb2.CollectLoginResponse.PENDING, answer.hint_code
        raise AssertionError("login did not complete")

    def start(self, who: list[tuple[str, str]], application_id: str) -> pb.SigningOrder:
        request = pb.StartSigningRequest(application_id=application_id, end_user_ip="192.0.2.10")
        return self.applications.StartSigning(request, metadata=who)

    def collect(self, who: list[tuple[str, str]], application_id: str, order_ref: str) -> pb.SigningProgress:
        request = pb.CollectSigningRequest(application_id=application_id, order_ref=order_ref)
        return self.applications.CollectSigning(request, metadata=who)

    def sign(self, who: list[tuple[str, str]], application_id: str) -> pb.SigningProgress:
        """Start, then poll until BankID (the simulator, as the signer's app) answers."""
        order = self.start(who, application_id)
        for _ in range(20):
            progress = self.collect(who, application_id, order.order_ref)
            if progress.status != pb.SigningProgress.PENDING:
                return progress
            assert progress.qr_data and progress.user_message and progress.user_message_en
        raise AssertionError("signing did not complete")

    def events(self, event_type: str) -> int:
        with self.db.read() as session:
            envelopes = session.execute(select(OUTBOX.table.c.envelope)).scalars()
            return sum(1 for e in envelopes if e["event_type"] == event_type)


@pytest.fixture
def both(tmp_path: Path) -> Iterator[Both]:
    identity_url, applications_url = f"sqlite:///{tmp_path / 'identity.db'}", f"sqlite:///{tmp_path / 'apps.db'}"
    upgrade(IDENTITY_MIGRATIONS, identity_url)
    upgrade(APPLICATIONS_MIGRATIONS, applications_url)
    identity_db, applications_db = Database(identity_url), Database(applications_url)
    keys = SigningKeys(tmp_path / "keys", generate=True)
    simulator = Simulator(pending_collects=1, names={ANNA: "Anna Andersson", SARA: "Sara Andersson"})
    identity = Identity(identity_db, keys, simulator, access_token_ttl=300, collect_interval=0)
    verifier = TokenVerifier(JwksCache(keys.jwks_json))
    identity_server, identity_port = build_server(
        register_identity(identity), 0, verifier, IDENTITY_PUBLIC, host="127.0.0.1", glance_methods=IDENTITY_GLANCE
    )
    people = IdentityPeople(f"127.0.0.1:{identity_port}")
    applications = Applications(applications_db, people=people, today=lambda: TODAY)
    applications_server, applications_port = build_server(
        register_applications(applications, signing=Signing(applications, people)),
        0,
        TokenVerifier(JwksCache(keys.jwks_json)),
        host="127.0.0.1",
        glance_methods=APPLICATIONS_GLANCE,
    )
    channels = [grpc.insecure_channel(f"127.0.0.1:{port}") for port in (applications_port, identity_port)]
    yield Both(
        applications_pb2_grpc.ApplicationsServiceStub(channels[0]),
        identity_pb2_grpc.IdentityServiceStub(channels[1]),
        simulator,
        applications_db,
    )
    for channel in channels:
        channel.close()
    applications_server.stop(0)
    identity_server.stop(0)
    people.client.close()
    applications_db.dispose()
    identity_db.dispose()


def draft(both: Both, who: list[tuple[str, str]], partner: bool) -> pb.Application:
    """A complete first application (eb_grundansokan), with or without Sara as co-applicant."""
    created = both.applications.CreateDraft(pb.CreateDraftRequest(kind="eb_grundansokan"), metadata=who)
    files = {}
    for question in ("kontoutdrag", "hyreskontrakt", "hyresavi"):
        request = pb.UploadAttachmentRequest(application_id=created.application_id, filename="a.pdf", content=PDF)
        files[question] = json.dumps([both.applications.UploadAttachment(request, metadata=who).attachment_id])
    answers = {**first_application("19900102-2384" if partner else ""), **files}
    request = pb.SaveAnswersRequest(
        application_id=created.application_id, answers=answers, expected_version=created.version
    )
    return both.applications.SaveAnswers(request, metadata=who)


def refused(call) -> tuple[grpc.StatusCode, str]:  # type: ignore[no-untyped-def]
    with pytest.raises(grpc.RpcError) as err:
        call()
    return err.value.code(), err.value.details()


def test_the_applicant_signs_and_the_case_is_submitted_once(both: Both) -> None:
    anna = both.login(ANNA)
    case = draft(both, anna, partner=False)
    order = both.start(anna, case.application_id)
    assert order.version == case.version and order.order_ref and order.auto_start_token and order.qr_data

    first = both.collect(anna, case.application_id, order.order_ref)
    assert first.status == pb.SigningProgress.PENDING and first.hint_code and first.qr_data
    done = both.collect(anna, case.application_id, order.order_ref)
    assert done.status == pb.SigningProgress.COMPLETE
    assert done.application.status == pb.APPLICATION_STATUS_SUBMITTED and done.application.applicant_signed

    # A second collect (another tab, a lost answer) answers the same case and changes nothing.
    again = both.collect(anna, case.application_id, order.order_ref)
    assert again.status == pb.SigningProgress.COMPLETE
    assert (
        again.application.status == pb.APPLICATION_STATUS_SUBMITTED
        and again.application.version == done.application.version
    )
    # A client that still hands the signature to Submit (an older app) gets the case as it is.
    request = pb.SubmitRequest(
        application_id=case.application_id, expected_version=order.version, signature_id=done.signature_id
    )
    assert done.signature_id and both.applications.Submit(request, metadata=anna).version == done.application.version
    assert both.events("application_submitted") == 1

    # The signature kept with the case is identity's, checked there for this text and version.
    shown = both.applications.GetApplication(
        pb.GetApplicationRequest(application_id=case.application_id), metadata=anna
    )
    assert shown.status == pb.APPLICATION_STATUS_SUBMITTED and shown.version == done.application.version


def test_the_co_applicant_signs_after_the_applicant_on_another_device(both: Both) -> None:
    anna, sara = both.login(ANNA), both.login(SARA, identity_pb2.DEVICE_MOBILE)
    case = draft(both, anna, partner=True)
    # Before the applicant has signed there is nothing for the co-applicant to sign.
    code, _ = refused(lambda: both.start(sara, case.application_id))
    assert code == grpc.StatusCode.FAILED_PRECONDITION

    signed = both.sign(anna, case.application_id)
    assert signed.status == pb.SigningProgress.COMPLETE
    assert signed.application.status == pb.APPLICATION_STATUS_SIGNATURE_PENDING and signed.application.applicant_signed
    # The applicant cannot start a second signature of a case waiting for the co-applicant.
    code, _ = refused(lambda: both.start(anna, case.application_id))
    assert code == grpc.StatusCode.FAILED_PRECONDITION

    cosigned = both.sign(sara, case.application_id)
    assert cosigned.status == pb.SigningProgress.COMPLETE
    assert (
        cosigned.application.role == "co_applicant" and cosigned.application.status == pb.APPLICATION_STATUS_SUBMITTED
    )
    assert cosigned.application.co_applicant_signed
    assert both.events("application_submitted") == 1


def together(call: Callable[[], pb.SigningProgress], n: int = 6) -> list[pb.SigningProgress]:
    """n calls released at the same moment (a double click, two tabs, a retrying app)."""
    gate, answers = threading.Barrier(n), []

    def run() -> None:
        gate.wait()
        answers.append(call())

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_simultaneous_collects_change_the_case_once(both: Both) -> None:
    anna = both.login(ANNA)
    for round_ in range(1, 4):  # several rounds: rare interleavings count
        case = draft(both, anna, partner=False)
        order = both.start(anna, case.application_id)
        assert both.collect(anna, case.application_id, order.order_ref).status == pb.SigningProgress.PENDING

        answers = together(lambda case=case, order=order: both.collect(anna, case.application_id, order.order_ref))
        # Every click hears pending or complete (none that it failed), and the case changed once.
        assert len(answers) == 6 and all(a.status != pb.SigningProgress.FAILED for a in answers), answers
        final = both.collect(anna, case.application_id, order.order_ref)
        assert (
            final.status == pb.SigningProgress.COMPLETE and final.application.status == pb.APPLICATION_STATUS_SUBMITTED
        )
        assert both.events("application_submitted") == round_


def test_a_case_changed_while_signing_is_refused_not_submitted(both: Both) -> None:
    anna = both.login(ANNA)
    case = draft(both, anna, partner=False)
    order = both.start(anna, case.application_id)
    # Another device saves a change while BankID is open on the phone.
    changed = both.applications.SaveAnswers(
        pb.SaveAnswersRequest(
            application_id=case.application_id, answers={"hyra": "7300"}, expected_version=case.version
        ),
        metadata=anna,
    )
    assert changed.version == case.version + 1

    assert both.collect(anna, case.application_id, order.order_ref).status == pb.SigningProgress.PENDING
    code, details = refused(lambda: both.collect(anna, case.application_id, order.order_ref))
    assert code == grpc.StatusCode.FAILED_PRECONDITION and details == texts.SIGNING_CHANGED.sv
    # Asked again, the same answer; the case is still the changed draft, and nothing was sent.
    code, details = refused(lambda: both.collect(anna, case.application_id, order.order_ref))
    assert code == grpc.StatusCode.FAILED_PRECONDITION and details == texts.SIGNING_CHANGED.sv
    shown = both.applications.GetApplication(
        pb.GetApplicationRequest(application_id=case.application_id), metadata=anna
    )
    assert (
        shown.status == pb.APPLICATION_STATUS_DRAFT and shown.version == changed.version and not shown.applicant_signed
    )
    assert both.events("application_submitted") == 0

    # Signing the new version sends it.
    assert both.sign(anna, case.application_id).application.status == pb.APPLICATION_STATUS_SUBMITTED


def test_an_order_is_good_for_its_own_case_and_signer_only(both: Both) -> None:
    anna, sara = both.login(ANNA), both.login(SARA)
    case, other = draft(both, anna, partner=False), draft(both, anna, partner=False)
    order = both.start(anna, case.application_id)

    code, details = refused(lambda: both.collect(anna, other.application_id, order.order_ref))
    assert code == grpc.StatusCode.FAILED_PRECONDITION and details == texts.SIGNING_OTHER_CASE.sv
    code, _ = refused(lambda: both.collect(sara, case.application_id, order.order_ref))
    assert code == grpc.StatusCode.NOT_FOUND
    code, _ = refused(lambda: both.collect(anna, case.application_id, "not-an-order"))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    # Sara is no party to Anna's case: no signing of it.
    code, _ = refused(lambda: both.start(sara, case.application_id))
    assert code == grpc.StatusCode.PERMISSION_DENIED

    signed = both.sign(anna, case.application_id)
    assert signed.application.application_id == case.application_id
    # Starting again cancelled the first order (BankID takes one order per person at a time).
    assert both.collect(anna, case.application_id, order.order_ref).status == pb.SigningProgress.FAILED
    assert (
        both.applications.GetApplication(
            pb.GetApplicationRequest(application_id=other.application_id), metadata=anna
        ).status
        == pb.APPLICATION_STATUS_DRAFT
    )


def test_a_cancelled_or_failed_signing_changes_nothing(both: Both) -> None:
    anna = both.login(ANNA)
    case = draft(both, anna, partner=False)
    order = both.start(anna, case.application_id)
    both.applications.CancelSigning(
        pb.CancelSigningRequest(application_id=case.application_id, order_ref=order.order_ref), metadata=anna
    )
    ended = both.collect(anna, case.application_id, order.order_ref)
    assert ended.status == pb.SigningProgress.FAILED and ended.user_message and ended.user_message_en
    # Cancelling again is harmless.
    both.applications.CancelSigning(
        pb.CancelSigningRequest(application_id=case.application_id, order_ref=order.order_ref), metadata=anna
    )

    both.simulator.set_scenario("userCancel", after=0, personal_number=ANNA)
    failed = both.sign(anna, case.application_id)
    assert failed.status == pb.SigningProgress.FAILED and failed.hint_code == "userCancel"
    assert failed.user_message and failed.user_message_en
    shown = both.applications.GetApplication(
        pb.GetApplicationRequest(application_id=case.application_id), metadata=anna
    )
    assert shown.status == pb.APPLICATION_STATUS_DRAFT and not shown.applicant_signed
    assert both.events("application_submitted") == 0

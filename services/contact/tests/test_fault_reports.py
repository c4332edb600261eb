"""Fault reports through the real grpcio server, on SQLite and PostgreSQL: an Open311 client with its
api_key and a logged-in resident with a photo report faults; each is a contact in BBMT's queue;
published reports never name the reporter; bad input is refused and changes nothing."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import replace

import grpc
import pytest
from sqlalchemy import func, select

from contact.api import COMMANDS, PUBLIC, build, register
from contact.settings import load
from contact.store import FaultReport, Question
from fickan.contact.v1 import contact_pb2 as pb
from fickan.contact.v1 import contact_pb2_grpc as pb_grpc
from fickan_common.db import Database
from fickan_common.grpc_server import FIELD_ERRORS_KEY, build_server
from fickan_common.testing import TokenFactory

KEY = "hemlig-nyckel"
INSIDE = {"lat": 56.0465, "long": 12.6945}  # Helsingborg, Stortorget
OUTSIDE = {"lat": 59.3293, "long": 18.0686}  # Stockholm
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def md(token: str) -> list[tuple[str, str]]:
    return [("authorization", f"Bearer {token}")]


@pytest.fixture
def stub(db: Database, tokens: TokenFactory) -> Iterator[pb_grpc.ContactServiceStub]:
    settings = replace(load(), open311_api_keys=f"appen={KEY}")
    server, port = build_server(
        register(build(db, contact_settings=settings)),
        0,
        tokens.verifier(),
        host="127.0.0.1",
        public_methods=PUBLIC,
        commands=COMMANDS,
    )
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    try:
        yield pb_grpc.ContactServiceStub(channel)
    finally:
        channel.close()
        server.stop(grace=None)


def refused(call) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as caught:
        call()
    return caught.value


def field_errors(error: grpc.RpcError) -> dict[str, str]:
    for key, value in error.trailing_metadata() or ():
        if key == FIELD_ERRORS_KEY:
            return json.loads(value)
    return {}


def counts(db: Database) -> tuple[int, int]:
    with db.read() as session:
        return (
            session.scalar(select(func.count()).select_from(FaultReport)),
            session.scalar(select(func.count()).select_from(Question)),
        )


def test_an_open311_report_lands_in_bbmts_queue_and_is_published_without_the_reporter(stub, db, tokens) -> None:
    services = stub.ListFaultServices(pb.ListFaultServicesRequest())
    assert "gatubelysning" in [s.code for s in services.services] and services.area_name == "Helsingborgs kommun"
    made = stub.ReportFaultFromOpen311(
        pb.ReportFaultRequest(
            api_key=KEY,
            service_code="gatubelysning",
            description="Lyktan vid busshållplatsen är släckt.",
            attributes=[pb.ReportAttribute(code="antal", values=["flera"])],
            first_name="Karin",
            last_name="Karlsson",
            email="karin@example.se",
            **INSIDE,
        )
    )
    assert made.status == "open" and made.service_name == "Trasig gatubelysning" and not made.question_id
    got = stub.GetFaultReport(pb.FaultReportRequest(service_request_id=made.service_request_id))
    assert (got.lat, got.long) == (INSIDE["lat"], INSIDE["long"])
    assert "Karin" not in str(got) and "karin@example.se" not in str(got)

    agent = tokens.token(str(uuid.uuid4()), roles=("contact_agent",), name="Bengt", group="BBMT")
    queue = stub.ListQueue(pb.ListQueueRequest(), metadata=md(agent)).questions
    assert [(q.subject, q.channel, q.contact_email) for q in queue] == [
        ("Felanmälan: Trasig gatubelysning", "open311", "karin@example.se")
    ]
    stub.CloseThread(pb.CloseThreadRequest(question_id=queue[0].question_id, reason="felanmalan"), metadata=md(agent))
    closed = stub.ListFaultReports(pb.ListFaultReportsRequest(status="closed")).reports
    assert [r.service_request_id for r in closed] == [made.service_request_id] and closed[0].status == "closed"
    assert stub.ListFaultReports(pb.ListFaultReportsRequest(status="open")).reports == []


def test_a_resident_reports_with_a_photo_and_follows_it_in_her_questions(stub, db, tokens) -> None:
    anna = tokens.token(str(uuid.uuid4()), name="Anna")
    made = stub.ReportFault(
        pb.ReportFaultRequest(
            service_code="potthal",
            description="Djupt hål i cykelvägen.",
            channel="web",
            photo_filename="hal.png",
            photo=PNG,
            **INSIDE,
        ),
        metadata=md(anna),
    )
    assert made.question_id
    thread = stub.GetMyThread(pb.ThreadRequest(question_id=made.question_id), metadata=md(anna))
    assert thread.question.group == "BBMT" and [e.kind for e in thread.entries] == ["question", "attachment"]


def test_bad_reports_are_refused_and_change_nothing(stub, db, tokens) -> None:
    good = {"service_code": "klotter", "description": "Klotter på bänken.", **INSIDE}
    assert refused(lambda: stub.ReportFaultFromOpen311(pb.ReportFaultRequest(**good))).code() == (
        grpc.StatusCode.PERMISSION_DENIED
    )
    assert refused(lambda: stub.ReportFaultFromOpen311(pb.ReportFaultRequest(api_key="fel", **good))).code() == (
        grpc.StatusCode.PERMISSION_DENIED
    )
    for bad, field in (
        ({**good, "service_code": "finns-inte"}, "service_code"),
        ({**good, **OUTSIDE}, "lat"),
        ({**good, "description": ""}, "description"),
        ({"service_code": "klotter", "description": "x"}, "address_string"),
        ({**good, "media_url": "javascript:alert(1)"}, "media_url"),
    ):
        error = refused(lambda bad=bad: stub.ReportFaultFromOpen311(pb.ReportFaultRequest(api_key=KEY, **bad)))
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, bad
        assert field in field_errors(error), (bad, error.trailing_metadata())
    outside = refused(lambda: stub.ReportFaultFromOpen311(pb.ReportFaultRequest(api_key=KEY, **{**good, **OUTSIDE})))
    assert "utanför kommunen" in field_errors(outside)["lat"]
    missing = refused(
        lambda: stub.ReportFaultFromOpen311(pb.ReportFaultRequest(api_key=KEY, service_code="gatubelysning", **{
            k: v for k, v in good.items() if k != "service_code"
        }))
    )  # fmt: skip
    assert "attribute[antal]" in field_errors(missing)
    anna = tokens.token(str(uuid.uuid4()), name="Anna")
    not_image = refused(
        lambda: stub.ReportFault(
            pb.ReportFaultRequest(channel="web", photo_filename="bild.png", photo=b"%PDF-1.4\n%%EOF\n", **good),
            metadata=md(anna),
        )
    )
    assert not_image.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "photo" in field_errors(not_image)
    assert counts(db) == (0, 0)
    assert refused(lambda: stub.GetFaultReport(pb.FaultReportRequest(service_request_id=str(uuid.uuid4())))).code() == (
        grpc.StatusCode.NOT_FOUND
    )

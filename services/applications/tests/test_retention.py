"""Retention on a fixed clock, on SQLite and PostgreSQL: drafts warned once and deleted after the
limit with their attachments, a saved draft kept, closed cases thinned once with a log row, open
cases never touched."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from applications.retention import Retention, RetentionSettings, months_before
from applications.store import OUTBOX, Application, Attachment, CaseEvent, CompletionRequest, RetentionLog
from fickan_common.errors import PermissionDenied
from fickan_common.tokens import Principal

START = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
SETTINGS = RetentionSettings(draft_days=30, warning_days=7, case_months=24, batch=2)


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def _case(db, status: str, at: datetime, closed_at: datetime | None = None, files: int = 1) -> str:
    application_id = str(uuid.uuid4())
    with db.transaction() as session:
        session.add(
            Application(
                id=application_id,
                kind="eb_grundansokan",
                form_version=1,
                applicant_id=str(uuid.uuid4()),
                unit="ekonomiskt-bistand",
                status=status,
                answers={"period": "2026-01", "rent": "6500", "other": "fri text"},
                submitted={"answers": {"rent": "6500"}, "form_version": 1, "signatures": [{"role": "applicant"}]},
                decision={"outcome": "approved", "amount": 4200} if status == "closed" else {},
                calculation={"result": 4200} if status == "closed" else {},
                version=1,
                created_at=at,
                updated_at=at,
                closed_at=closed_at,
                # A period per case keeps the one-per-month index out of the way.
                period=f"20{uuid.uuid4().int % 90 + 10}-01" if status != "draft" else "",
            )
        )
        session.flush()
        for n in range(files):
            session.add(
                Attachment(
                    id=str(uuid.uuid4()),
                    application_id=application_id,
                    uploaded_by="x",
                    filename=f"kvitto{n}.pdf",
                    content_type="application/pdf",
                    size=5,
                    sha256="0" * 64,
                    content=b"%PDF-",
                    uploaded_at=at,
                )
            )
        if status != "draft":
            session.add(
                CompletionRequest(
                    id=str(uuid.uuid4()),
                    application_id=application_id,
                    items=["Kontoutdrag"],
                    due_date=date(2026, 1, 1),
                    requested_by="cw",
                    requested_at=at,
                    answered_at=at,
                    answer_text="Här är mitt kontoutdrag, jag har skulder.",
                )
            )
    return application_id


def _events(db, event_type: str) -> list[dict]:
    with db.read() as session:
        return list(session.scalars(select(OUTBOX.table.c.envelope).where(OUTBOX.table.c.event_type == event_type)))


def _app(db, application_id: str) -> Application | None:
    with db.read() as session:
        return session.get(Application, application_id)


def test_an_untouched_draft_is_warned_once_then_deleted_with_its_attachments(db) -> None:
    draft = _case(db, "draft", START, files=2)
    clock = Clock(START + timedelta(days=22))
    retention = Retention(db, settings=SETTINGS, clock=clock)

    assert retention.sweep().warned == 0  # 22 days: not yet 30 - 7
    clock.at = START + timedelta(days=23, hours=1)
    assert retention.sweep().warned == 1
    assert retention.sweep().warned == 0  # a second run does not warn again
    warnings = _events(db, "draft_deletion_warning")
    assert len(warnings) == 1
    assert warnings[0]["data"]["deletes_on"] == "2026-02-09"

    clock.at = START + timedelta(days=30, hours=2)  # 30 days untouched and 7 since the warning
    swept = retention.sweep()
    assert (swept.warned, swept.deleted) == (0, 1)
    assert _app(db, draft) is None
    with db.read() as session:
        assert session.scalars(select(Attachment).where(Attachment.application_id == draft)).all() == []
        logged = session.scalars(select(RetentionLog).where(RetentionLog.application_id == draft)).all()
    assert [(r.subject, r.rule) for r in logged] == [("draft", "FICKAN_DRAFT_RETENTION_DAYS=30")]
    assert "2 attachment(s)" in logged[0].removed
    assert len(_events(db, "draft_deleted")) == 1
    assert retention.sweep().deleted == 0


def test_a_draft_is_never_deleted_before_the_resident_had_the_warning_for_its_full_time(db) -> None:
    draft = _case(db, "draft", START)
    clock = Clock(START + timedelta(days=60))  # the sweep was not running for a long while
    retention = Retention(db, settings=SETTINGS, clock=clock)
    assert retention.sweep().deleted == 0
    assert _app(db, draft) is not None
    warning = _events(db, "draft_deletion_warning")[0]["data"]
    assert warning["deletes_on"] == (clock.at + timedelta(days=7)).date().isoformat()
    clock.at += timedelta(days=7)
    assert retention.sweep().deleted == 1


def test_a_draft_saved_after_the_warning_is_kept_and_its_clock_starts_again(db) -> None:
    from applications import steps
    from applications.service import Applications

    # The resident really saves (SaveAnswers stamps the real time), so the clock runs from now.
    started = steps.now() - timedelta(days=24)
    draft = _case(db, "draft", started)
    retention = Retention(db, settings=SETTINGS, clock=Clock(started + timedelta(days=24)))
    assert retention.sweep().warned == 1
    app = _app(db, draft)
    resident = Principal(user_id=app.applicant_id, roles=("resident",))
    saved = Applications(db).save_answers(resident, draft, {"period": "2026-02"}, app.version)
    saved_at = steps.aware(saved.updated_at)

    retention.clock.at = started + timedelta(days=31)  # past the first limit
    assert retention.sweep() == type(retention.sweep())(0, 0, 0)
    assert _app(db, draft).answers["period"] == "2026-02"
    retention.clock.at = saved_at + timedelta(days=23, hours=1)
    assert retention.sweep().warned == 1  # a new warning for the new stretch
    assert len(_events(db, "draft_deletion_warning")) == 2
    retention.clock.at = saved_at + timedelta(days=30, hours=2)
    assert retention.sweep().deleted == 1


def test_a_closed_case_is_thinned_once_with_a_log_row_and_keeps_the_decision(db) -> None:
    closed = _case(db, "closed", START, closed_at=START)
    withdrawn = _case(db, "withdrawn", START)
    clock = Clock(months_before(START, -24) - timedelta(hours=1))
    retention = Retention(db, settings=SETTINGS, clock=clock)
    assert retention.sweep().thinned == 0
    clock.at = months_before(START, -24)
    assert retention.sweep().thinned == 2
    assert retention.sweep().thinned == 0

    app = _app(db, closed)
    assert app.answers == {} and app.submitted["answers"] == {}
    assert app.submitted["signatures"] == [{"role": "applicant"}]
    assert app.decision == {"outcome": "approved", "amount": 4200} and app.calculation == {"result": 4200}
    with db.read() as session:
        files = session.scalars(select(Attachment).where(Attachment.application_id == closed)).all()
        assert [(f.filename, f.content) for f in files] == [("kvitto0.pdf", b"")]
        requests = session.scalars(select(CompletionRequest).where(CompletionRequest.application_id == closed)).all()
        assert [r.answer_text for r in requests] == [""]
        notes = session.scalars(select(CaseEvent.text_sv).where(CaseEvent.application_id == closed)).all()
        assert len(notes) == 1 and "gallrades" in notes[0]
        log = session.scalars(select(RetentionLog).where(RetentionLog.subject == "case")).all()
    assert sorted(r.application_id for r in log) == sorted([closed, withdrawn])
    assert {r.rule for r in log} == {"FICKAN_CASE_RETENTION_MONTHS=24"}
    assert "1 attachment(s)" in log[0].removed


def test_open_cases_and_recent_ones_are_never_touched(db) -> None:
    long_ago = START - timedelta(days=3000)
    open_ones = [_case(db, status, long_ago) for status in ("submitted", "in_progress", "decided", "payment_scheduled")]
    recent = _case(db, "closed", START, closed_at=START)
    retention = Retention(db, settings=SETTINGS, clock=Clock(START + timedelta(days=100)))
    assert retention.sweep() == type(retention.sweep())(0, 0, 0)
    for application_id in [*open_ones, recent]:
        app = _app(db, application_id)
        assert app.answers["rent"] == "6500" and app.thinned_at is None
    with db.read() as session:
        assert session.scalars(select(RetentionLog)).all() == []


def test_each_run_handles_a_bounded_batch_and_the_next_run_goes_on(db) -> None:
    for _ in range(5):
        _case(db, "closed", START, closed_at=START)
    retention = Retention(db, settings=SETTINGS, clock=Clock(START + timedelta(days=800)))
    assert [retention.sweep().thinned for _ in range(4)] == [2, 2, 1, 0]


def test_only_admins_read_the_retention_log(db) -> None:
    retention = Retention(db, settings=SETTINGS, clock=Clock(START))
    staff = Principal(user_id="u", roles=("case_worker",), unit="ekonomiskt-bistand")
    with pytest.raises(PermissionDenied):
        retention.entries(staff)


def test_months_before_keeps_the_day_or_takes_the_months_last() -> None:
    assert months_before(datetime(2026, 3, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert months_before(datetime(2026, 1, 15, tzinfo=UTC), 24) == datetime(2024, 1, 15, tzinfo=UTC)
    assert months_before(datetime(2026, 1, 15, tzinfo=UTC), -13) == datetime(2027, 2, 15, tzinfo=UTC)


def test_the_rules_are_public_and_the_log_is_for_admins_over_grpc(db) -> None:
    import grpc

    from applications.api import GLANCE_METHODS, PUBLIC_METHODS, register
    from applications.service import Applications
    from fickan.applications.v1 import applications_pb2 as pb
    from fickan.applications.v1 import applications_pb2_grpc
    from fickan_common.grpc_server import build_server
    from fickan_common.testing import TokenFactory

    closed = _case(db, "closed", START, closed_at=START)
    retention = Retention(
        db,
        settings=RetentionSettings(draft_days=45, warning_days=10, case_months=18),
        clock=Clock(START + timedelta(days=600)),
    )
    retention.sweep()
    tokens = TokenFactory()
    server, port = build_server(
        register(Applications(db), retention=retention),
        0,
        tokens.verifier(),
        host="127.0.0.1",
        public_methods=PUBLIC_METHODS,
        glance_methods=GLANCE_METHODS,
    )
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    try:
        stub = applications_pb2_grpc.ApplicationsServiceStub(channel)
        rules = stub.GetRetentionRules(pb.GetRetentionRulesRequest())  # no token: a public page asks
        assert (rules.draft_retention_days, rules.draft_warning_days, rules.case_retention_months) == (45, 10, 18)
        assert "bifogade filer" in rules.removed and "Beslutet" in rules.kept and rules.kept_en

        for roles in (("resident",), ("case_worker",)):
            metadata = [("authorization", f"Bearer {tokens.token(roles=roles, unit='ekonomiskt-bistand')}")]
            with pytest.raises(grpc.RpcError) as refused:
                stub.ListRetentionLog(pb.ListRetentionLogRequest(), metadata=metadata)
            assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
        admin = [("authorization", f"Bearer {tokens.token(roles=('admin',))}")]
        log = stub.ListRetentionLog(pb.ListRetentionLogRequest(limit=10), metadata=admin).entries
        assert [(e.subject, e.application_id, e.rule) for e in log] == [
            ("case", closed, "FICKAN_CASE_RETENTION_MONTHS=18")
        ]
        assert log[0].at.ToDatetime(tzinfo=UTC) == START + timedelta(days=600)
    finally:
        channel.close()
        server.stop(0)


def test_a_thinned_cases_file_and_copy_are_refused_with_a_clear_text(db) -> None:
    from applications.service import THINNED_COPY, THINNED_FILE, Applications
    from fickan_common.errors import NotFound

    closed = _case(db, "closed", START, closed_at=START)
    with db.read() as session:
        owner = session.get(Application, closed).applicant_id
        file_id = session.scalars(select(Attachment.id).where(Attachment.application_id == closed)).one()
    resident = Principal(user_id=owner, roles=("resident",))
    applications = Applications(db)
    assert applications.attachment(resident, closed, file_id).content == b"%PDF-"
    Retention(db, settings=SETTINGS, clock=Clock(START + timedelta(days=800))).sweep()
    with pytest.raises(NotFound) as refused:
        applications.attachment(resident, closed, file_id)
    assert refused.value.message == THINNED_FILE.sv
    with db.transaction() as session:
        session.get(Application, closed).submitted_at = START
    with pytest.raises(NotFound) as refused:
        applications.submitted_copy(resident, closed)
    assert refused.value.message == THINNED_COPY.sv


def test_an_application_left_waiting_for_the_co_applicants_signature_is_unsent_and_goes_the_same_way(db) -> None:
    waiting = _case(db, "signature_pending", START, files=0)
    retention = Retention(db, settings=SETTINGS, clock=Clock(START + timedelta(days=24)))
    assert retention.sweep().warned == 1
    retention.clock.at = START + timedelta(days=31)
    assert retention.sweep().deleted == 1
    assert _app(db, waiting) is None

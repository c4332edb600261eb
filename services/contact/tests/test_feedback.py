"""Feedback through the real grpcio server, on SQLite and PostgreSQL: a resident rates her closed
contact 1-5 with a comment, once (changing it within the day); staff of the group read it without
her identity; a rating of 7, an open contact and someone else's contact are refused and change
nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from sqlalchemy import func, select

from contact.handlers import handle_case_status_changed
from contact.store import OUTBOX, FeedbackRow, ResidentCase
from contact.testing import case_moved
from fickan.contact.events.v1 import events_pb2
from fickan.contact.v1 import contact_pb2 as pb
from fickan_common.db import Database
from fickan_common.events import envelope, parse_data
from fickan_common.testing import TokenFactory


def md(token: str) -> list[tuple[str, str]]:
    return [("authorization", f"Bearer {token}")]


def refused(call) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as caught:
        call()
    return caught.value


def give(stub, token: str, question_id: str, rating: int, comment: str = ""):  # type: ignore[no-untyped-def]
    subject = pb.FeedbackSubject(kind="contact", subject_id=question_id)
    return stub.GiveFeedback(
        pb.GiveFeedbackRequest(subject=subject, rating=rating, comment=comment), metadata=md(token)
    )


def test_a_closed_contact_is_rated_once_and_staff_read_it_without_the_resident(
    stub, db: Database, tokens: TokenFactory
) -> None:
    anna_id = str(uuid.uuid4())
    anna = tokens.token(anna_id, name="Anna Andersson")
    bo = tokens.token(str(uuid.uuid4()), name="Bo")
    asked = stub.AskQuestion(
        pb.AskQuestionRequest(
            subject="Bygglov", body="Behöver jag bygglov för en altan?", channel="web", topic="bygga-bo"
        ),
        metadata=md(anna),
    )
    agent = tokens.token(str(uuid.uuid4()), roles=("contact_agent",), name="Bengt", group="BBMT")
    other_group = tokens.token(str(uuid.uuid4()), roles=("contact_agent",), name="Vera", group="ÄSSF")

    not_closed = refused(lambda: give(stub, anna, asked.question_id, 5))
    assert not_closed.code() == grpc.StatusCode.FAILED_PRECONDITION and "avslutad" in not_closed.details()
    stub.CloseThread(pb.CloseThreadRequest(question_id=asked.question_id, reason="ovrigt"), metadata=md(agent))

    seven = refused(lambda: give(stub, anna, asked.question_id, 7))
    assert seven.code() == grpc.StatusCode.INVALID_ARGUMENT and "1 till 5" in str(seven.trailing_metadata())
    assert refused(lambda: give(stub, bo, asked.question_id, 4)).code() == grpc.StatusCode.NOT_FOUND
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(FeedbackRow)) == 0

    given = give(stub, anna, asked.question_id, 3, "Snabbt svar men otydligt.")
    assert (given.rating, given.group, given.given) == (3, "BBMT", True)
    changed = give(stub, anna, asked.question_id, 4, "Snabbt och tydligt efter en fråga till.")
    assert changed.feedback_id == given.feedback_id and changed.rating == 4
    mine = stub.GetMyFeedback(pb.FeedbackSubject(kind="contact", subject_id=asked.question_id), metadata=md(anna))
    assert mine.given and mine.comment.startswith("Snabbt och tydligt")

    listed = stub.ListFeedback(pb.ListFeedbackRequest(), metadata=md(agent))
    assert [(f.rating, f.comment) for f in listed.feedback] == [(4, "Snabbt och tydligt efter en fråga till.")]
    assert listed.average_x100 == 400
    assert anna_id not in str(listed) and "Anna" not in str(listed) and asked.question_id not in str(listed)
    assert stub.ListFeedback(pb.ListFeedbackRequest(), metadata=md(other_group)).feedback == []
    assert refused(lambda: stub.ListFeedback(pb.ListFeedbackRequest(), metadata=md(anna))).code() == (
        grpc.StatusCode.PERMISSION_DENIED
    )

    with db.read() as session:
        rows = [r[0] for r in session.execute(select(OUTBOX.table.c.envelope).order_by(OUTBOX.table.c.id))]
    ratings = [parse_data(e, events_pb2.FeedbackGiven).rating for e in rows if e["event_type"] == "feedback_given"]
    assert ratings == [3, 4]

    # After a day the rating stands.
    with db.transaction() as session:
        row = session.scalars(select(FeedbackRow)).one()
        row.given_at = datetime.now(UTC) - timedelta(days=1, minutes=1)
    late = refused(lambda: give(stub, anna, asked.question_id, 1))
    assert late.code() == grpc.StatusCode.FAILED_PRECONDITION
    with db.read() as session:
        assert session.scalars(select(FeedbackRow)).one().rating == 4


def test_the_wall_board_shows_feedback_open_contacts_and_demand_without_anyone(
    stub, db: Database, tokens: TokenFactory
) -> None:
    anna_id = str(uuid.uuid4())
    anna = tokens.token(anna_id, name="Anna Andersson")
    agent = tokens.token(str(uuid.uuid4()), roles=("contact_agent",), name="Bengt", group="BBMT")
    first = stub.AskQuestion(
        pb.AskQuestionRequest(subject="Altan", body="Bygglov för altan?", channel="web", topic="bygga-bo"),
        metadata=md(anna),
    )
    stub.AskQuestion(
        pb.AskQuestionRequest(subject="Staket", body="Bygglov för staket?", channel="web", topic="bygga-bo"),
        metadata=md(anna),
    )
    stub.CloseThread(
        pb.CloseThreadRequest(question_id=first.question_id, reason="oppettider-information"), metadata=md(agent)
    )
    give(stub, anna, first.question_id, 2, "Fick vänta länge.")

    # Sent applications (from applications' events, which carry each decision target): the older is
    # closest to its target; a decided one and one waiting for the resident count down nothing.
    now = datetime.now(UTC)
    older, newer, decided, asked = (str(uuid.uuid4()) for _ in range(4))
    due = {older: now + timedelta(hours=4), newer: now + timedelta(hours=22), decided: now - timedelta(hours=6)}
    moves = [
        (older, "submitted", now - timedelta(hours=20), due[older]),
        (older, "received", now - timedelta(hours=19), due[older]),
        (newer, "submitted", now - timedelta(hours=2), due[newer]),
        (decided, "submitted", now - timedelta(hours=30), due[decided]),
        (decided, "decided", now - timedelta(hours=1), None),
        (asked, "submitted", now - timedelta(hours=3), now + timedelta(hours=21)),
        (asked, "completion_requested", now - timedelta(hours=1), None),
    ]
    for case, status, at, decision_due in moves:
        case_moved(db, case, [anna_id], status, open=True, sent=True, decision_due=decision_due, at=at)

    board = stub.GetWallBoard(pb.WallBoardRequest(), metadata=md(agent))
    assert [c.short_id for c in board.closest_cases] == [older[:8], newer[:8]]
    assert 4 * 3600 - 60 <= board.closest_cases[0].seconds_left <= 4 * 3600
    assert [(f.rating, f.comment) for f in board.feedback] == [(2, "Fick vänta länge.")]
    bbmt = next(g for g in board.groups if g.group == "BBMT")
    assert bbmt.open == 1 and bbmt.oldest_seconds >= 0
    assert len(board.groups) == 10 and board.closed_today == 1
    assert board.unnecessary_today_per_mille == 1000  # opening hours: the resident could have found them
    assert anna_id not in str(board) and "Anna" not in str(board)
    assert refused(lambda: stub.GetWallBoard(pb.WallBoardRequest(), metadata=md(anna))).code() == (
        grpc.StatusCode.PERMISSION_DENIED
    )


def test_a_screen_token_shows_the_board_until_it_is_revoked(stub, db: Database, tokens: TokenFactory) -> None:
    agent = tokens.token(str(uuid.uuid4()), roles=("contact_agent",), name="Bengt", group="BBMT")
    anna = tokens.token(str(uuid.uuid4()), name="Anna")
    screen = stub.CreateWallScreen(pb.CreateWallScreenRequest(name="Entrén, Stadshuset"), metadata=md(agent))
    assert len(screen.token) >= 40
    board = stub.GetWallBoardForScreen(pb.WallScreenTokenRequest(token=screen.token))  # no login
    assert len(board.groups) == 10
    listed = stub.ListWallScreens(pb.ListWallScreensRequest(), metadata=md(agent)).screens
    assert [(s.name, s.token) for s in listed] == [("Entrén, Stadshuset", "")]  # the token is shown once
    with db.read() as session:
        from contact.store import WallScreenRow

        assert screen.token not in str([r.token_hash for r in session.scalars(select(WallScreenRow))])

    stub.RevokeWallScreen(pb.WallScreenRequest(screen_id=screen.screen_id), metadata=md(agent))
    for token in (screen.token, "gissad", ""):
        error = refused(lambda token=token: stub.GetWallBoardForScreen(pb.WallScreenTokenRequest(token=token)))
        assert error.code() == grpc.StatusCode.PERMISSION_DENIED
    assert (
        refused(lambda: stub.CreateWallScreen(pb.CreateWallScreenRequest(name="Hemma"), metadata=md(anna))).code()
        == grpc.StatusCode.PERMISSION_DENIED
    )


def test_the_wall_counts_down_to_the_target_applications_says_also_when_it_moves(
    stub, db: Database, tokens: TokenFactory
) -> None:
    """A completion answered gives the case a new decision target in applications; the wall follows it
    (it used to count 24 hours from the first sending). An event from before applications said what
    its statuses mean changes the status only."""
    agent = tokens.token(str(uuid.uuid4()), roles=("contact_agent",), name="Bengt", group="BBMT")
    resident, case = str(uuid.uuid4()), str(uuid.uuid4())
    now = datetime.now(UTC)
    case_moved(db, case, [resident], "submitted", open=True, sent=True, decision_due=now + timedelta(hours=1))
    board = stub.GetWallBoard(pb.WallBoardRequest(), metadata=md(agent))
    assert [c.short_id for c in board.closest_cases] == [case[:8]]
    assert 3600 - 60 <= board.closest_cases[0].seconds_left <= 3600

    case_moved(db, case, [resident], "completion_requested", open=True, sent=True)
    assert not stub.GetWallBoard(pb.WallBoardRequest(), metadata=md(agent)).closest_cases  # the resident's turn
    case_moved(
        db, case, [resident], "completion_submitted", open=True, sent=True, decision_due=now + timedelta(hours=24)
    )
    board = stub.GetWallBoard(pb.WallBoardRequest(), metadata=md(agent))
    assert 24 * 3600 - 60 <= board.closest_cases[0].seconds_left <= 24 * 3600

    old_style = envelope(
        "applications",
        "case_status_changed",
        {"application_id": case, "resident_ids": [resident], "to_status": "in_progress", "at": _iso(datetime.now(UTC))},
    )
    assert handle_case_status_changed(db, old_style)
    with db.read() as session:
        row = session.get(ResidentCase, (resident, case))
        assert (row.status, row.open, row.sent) == ("in_progress", True, True)
        assert row.decision_due is not None  # kept: the old event said nothing of it


def _iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")

"""A guide session changes once however often and however concurrently an answer or a link arrives
(a double click, a retry): answers are positions on the guide's path, not increments, and a
followed link is a property of the session, so the staff's counts stay true. SQLite and PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from fickan_common.tokens import Principal
from insights.service import Insights
from insights.store import GuideSession


def test_eight_identical_answers_at_once_leave_one_answer(insights: Insights, db) -> None:  # type: ignore[no-untyped-def]
    step = insights.start_guide("forlorat-jobbet")
    with ThreadPoolExecutor(8) as pool:
        steps = list(pool.map(lambda _: insights.answer_guide(step.session_id, "anmald", "ja"), range(8)))

    assert {s.position.question.id for s in steps} == {"akassa"}
    with db.read() as session:
        assert session.get(GuideSession, step.session_id).answers == "anmald=ja"


def test_following_links_many_times_counts_the_session_once(insights: Insights, db) -> None:  # type: ignore[no-untyped-def]
    step = insights.start_guide("forlorat-jobbet")
    for qid, oid in (("anmald", "ja"), ("akassa", "nej"), ("pengar", "nej")):
        insights.answer_guide(step.session_id, qid, oid)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: insights.follow_link(step.session_id, ["eb", "eb-kontakt"][i % 2]), range(8)))

    staff = Principal(user_id="s1", roles=("case_worker",))
    [lost] = [row for row in insights.guide_statistics(staff) if row[0].id == "forlorat-jobbet"]
    assert lost[1:] == (1, 1, 1, 0)  # started, ended, to an e-service (the best of what it followed), to a contact

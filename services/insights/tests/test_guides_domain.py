"""The guides as data: the shipped guides load and every path ends; broken guide files are refused
at start-up; a walk answers only the question asked (or one answered earlier, going back)."""

from __future__ import annotations

import copy
import json

import pytest

from fickan_common.errors import ValidationFailed
from insights.domain import guides
from insights.settings import DATA

FORLORAT = json.loads((DATA / "guides" / "forlorat-jobbet.v1.json").read_text(encoding="utf-8"))


def test_at_least_five_target_groups_each_ending_in_links(guide_set: guides.Guides) -> None:
    assert len(guide_set.latest) >= 5
    for guide in guide_set.latest.values():
        assert guide.results and all(r.links for r in guide.results.values())


def test_lost_job_guide_reaches_ekonomiskt_bistand(guide_set: guides.Guides) -> None:
    guide = guide_set.get("forlorat-jobbet")
    position = guides.answer(guide, (), "anmald", "ja")
    position = guides.answer(guide, position.answers, "akassa", "nej")
    position = guides.answer(guide, position.answers, "pengar", "nej")
    assert position.result is not None
    assert any(x.kind == "e_service" and x.e_service_id == "ekonomiskt-bistand" for x in position.result.links)


def test_an_answer_not_in_the_guide_is_refused(guide_set: guides.Guides) -> None:
    guide = guide_set.get("forlorat-jobbet")
    with pytest.raises(ValidationFailed, match="Svaret finns inte"):
        guides.answer(guide, (), "anmald", "kanske")
    with pytest.raises(ValidationFailed, match="Frågan finns inte"):
        guides.answer(guide, (), "pengar", "nej")  # not asked yet


def test_going_back_and_answering_again_drops_the_later_answers(guide_set: guides.Guides) -> None:
    guide = guide_set.get("forlorat-jobbet")
    position = guides.answer(guide, (), "anmald", "ja")
    position = guides.answer(guide, position.answers, "akassa", "nej")
    again = guides.answer(guide, position.answers, "anmald", "nej")
    assert again.answers == (("anmald", "nej"),) and again.result.id == "anmal-dig"


def broken(change) -> dict:  # type: ignore[no-untyped-def]
    raw = copy.deepcopy(FORLORAT)
    change(raw)
    return raw


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda r: r["questions"]["pengar"]["options"][0].update(result="finns-inte"), "unknown result"),
        (lambda r: r["questions"]["pengar"]["options"][0].update(result="", next="anmald"), "loop"),
        (lambda r: r["results"]["skulder"]["links"].clear(), "leads nowhere"),
        (lambda r: r["results"]["skulder"]["links"][1].pop("e_service_id"), "e_service_id"),
        (lambda r: r["results"].update(extra=r["results"]["skulder"]), "no one reaches"),
        (lambda r: r.update(start="saknas"), "start"),
    ],
    ids=["unknown-result", "loop", "no-links", "e-service-without-id", "unreachable", "bad-start"],
)
def test_a_broken_guide_is_refused_naming_the_problem(change, problem: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(guides.GuideError, match=problem):
        guides.parse(broken(change))


def test_a_new_version_is_started_and_the_old_one_kept(tmp_path) -> None:  # type: ignore[no-untyped-def]
    v2 = broken(lambda r: r.update(version=2, title="Du har förlorat jobbet (ny)"))
    (tmp_path / "forlorat-jobbet.v1.json").write_text(json.dumps(FORLORAT), encoding="utf-8")
    (tmp_path / "forlorat-jobbet.v2.json").write_text(json.dumps(v2), encoding="utf-8")
    loaded = guides.load_dir(tmp_path)
    assert loaded.get("forlorat-jobbet").version == 2
    assert loaded.get("forlorat-jobbet", 1).title == FORLORAT["title"]

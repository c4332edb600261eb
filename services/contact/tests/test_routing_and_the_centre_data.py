"""The routing rules against the corpus of realistic questions, and the centre's data checks."""

from __future__ import annotations

import copy
import json
from importlib import resources

import pytest

from contact.domain.centre import CentreDataError, load_centre, parse_centre
from contact.routing_report import evaluate, load_corpus, main


def packaged() -> dict:
    return json.loads(resources.files("contact").joinpath("data/contact_centre.json").read_text(encoding="utf-8"))


def test_the_corpus_has_at_least_100_questions_covering_every_group() -> None:
    corpus = load_corpus()
    assert len(corpus) >= 100
    assert {q["group"] for q in corpus} == set(load_centre().groups)


def test_the_rules_route_at_least_90_percent_of_the_corpus_right() -> None:
    corpus = load_corpus()
    right, misses, _ = evaluate(corpus)
    assert right / len(corpus) >= 0.90, misses


def test_the_report_prints_the_accuracy(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    assert "routing accuracy:" in capsys.readouterr().out


def test_a_topic_with_a_group_wins_over_the_text() -> None:
    router = load_centre().router
    routed = router.route("BBMT", "Har min ansökan om ekonomiskt bistånd blivit beslutad?")
    assert (routed.group, routed.routed_by) == ("BBMT", "topic")


def test_text_routing_says_which_rules_matched_and_nothing_matched_goes_to_the_default() -> None:
    router = load_centre().router
    routed = router.by_text("Behöver jag bygglov för en altan?")
    assert routed.group == "BBMT" and routed.routed_by == "text" and "bygglov" in routed.matched
    assert router.by_text("Hej!").routed_by == "default"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["topics"].append({"code": "x", "group": "Okänd", "name": "X", "name_en": "X"}), "topic x"),
        (lambda d: d.update(default_group="Ingen"), "default_group"),
        (lambda d: d["routing"]["rules"].update({"Okänd": {"words": ["x"]}}), "unknown group"),
        (lambda d: d["reasons"][0].update(unnecessary="ja"), "reason status-pa-ansokan"),
        (lambda d: d["groups"][0].update(kind="team"), "group BSU"),
    ],
)
def test_a_wrong_data_file_stops_the_service_naming_what_is_wrong(change, message: str) -> None:
    data = copy.deepcopy(packaged())
    change(data)
    with pytest.raises(CentreDataError, match=message):
        parse_centre(data)

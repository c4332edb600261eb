"""Routing a contact to an answer group or advisory service: by the topic the resident picked, and
where the topic does not say, by its text, with a transparent rule set (phrases and word starts per
group, weighted) that the municipality edits as data."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_WORD = re.compile(r"[\wåäöéü-]+", re.IGNORECASE)

BY_TOPIC = "topic"
BY_TEXT = "text"
BY_DEFAULT = "default"
BY_AGENT = "agent"


@dataclass(frozen=True)
class RoutingRule:
    group: str
    phrases: tuple[str, ...]
    words: tuple[str, ...]


@dataclass(frozen=True)
class Routed:
    group: str
    routed_by: str
    # The rules that matched, for the thread's timeline ("bygglov", "altan").
    matched: tuple[str, ...] = ()


class Router:
    def __init__(
        self, rules: Iterable[RoutingRule], phrase_weight: int = 3, word_weight: int = 1, default_group: str = ""
    ) -> None:
        self.rules = tuple(rules)
        self.phrase_weight = phrase_weight
        self.word_weight = word_weight
        self.default_group = default_group

    def scores(self, text: str) -> dict[str, tuple[int, tuple[str, ...]]]:
        lowered = " ".join(text.lower().split())
        words = _WORD.findall(lowered)
        result: dict[str, tuple[int, tuple[str, ...]]] = {}
        for rule in self.rules:
            matched = [p for p in rule.phrases if p in lowered]
            score = self.phrase_weight * len(matched)
            for stem in rule.words:
                if any(w.startswith(stem) for w in words):
                    matched.append(stem)
                    score += self.word_weight
            if score:
                result[rule.group] = (score, tuple(matched))
        return result

    def by_text(self, text: str) -> Routed:
        scores = self.scores(text)
        if not scores:
            return Routed(self.default_group, BY_DEFAULT)
        order = {rule.group: i for i, rule in enumerate(self.rules)}
        group = max(scores, key=lambda g: (scores[g][0], -order[g]))
        return Routed(group, BY_TEXT, scores[group][1])

    def route(self, topic_group: str, text: str) -> Routed:
        """The topic's group when it has one, else by the text."""
        if topic_group:
            return Routed(topic_group, BY_TOPIC)
        return self.by_text(text)

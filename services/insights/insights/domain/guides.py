"""Guides by life situation, as versioned data (data/guides/<id>.v<version>.json), like the forms:
a few questions, each option leading to the next question or to a result, and each result to
e-services, information pages and the contact centre's right group. The newest version of a guide
is the one started; a session keeps the version it began on.

A guide file with a broken path (an option leading nowhere, a loop, a question no one reaches, a
link without its target) stops the service at start-up with a message naming the file."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from fickan_common.errors import ValidationFailed
from insights import texts

LINK_KINDS = ("e_service", "information", "contact")
FILE_NAME = re.compile(r"^(?P<id>[a-z0-9-]+)\.v(?P<version>\d+)\.json$")


class GuideError(ValueError):
    pass


@dataclass(frozen=True)
class Option:
    id: str
    label: str
    next: str  # a question id, or ""
    result: str  # a result id, or ""


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    help: str
    options: tuple[Option, ...]

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)


@dataclass(frozen=True)
class Link:
    id: str
    kind: str
    title: str
    description: str
    url: str
    e_service_id: str
    contact_group: str


@dataclass(frozen=True)
class Result:
    id: str
    title: str
    text: str
    links: tuple[Link, ...]

    def link(self, link_id: str) -> Link | None:
        return next((link for link in self.links if link.id == link_id), None)


@dataclass(frozen=True)
class Guide:
    id: str
    version: int
    target_group: str
    title: str
    summary: str
    start: str
    questions: dict[str, Question]
    results: dict[str, Result]


@dataclass(frozen=True)
class Position:
    """Where a walk stands after its answers: a question to answer, or the result it ended in."""

    answers: tuple[tuple[str, str], ...]
    question: Question | None
    result: Result | None


class Guides:
    """Every version of every guide; `latest` is what a new session starts."""

    def __init__(self, guides: list[Guide]) -> None:
        self.versions = {(g.id, g.version): g for g in guides}
        self.latest: dict[str, Guide] = {}
        for g in sorted(guides, key=lambda g: g.version):
            self.latest[g.id] = g

    def get(self, guide_id: str, version: int | None = None) -> Guide | None:
        if version is None:
            return self.latest.get(guide_id)
        return self.versions.get((guide_id, version))


def load_dir(folder: Path) -> Guides:
    guides = []
    for path in sorted(folder.glob("*.json")):
        match = FILE_NAME.match(path.name)
        if not match:
            raise GuideError(f"{path}: a guide file is named <id>.v<version>.json")
        guide = parse(json.loads(path.read_text(encoding="utf-8")), str(path))
        if (guide.id, guide.version) != (match["id"], int(match["version"])):
            raise GuideError(f"{path}: id and version inside differ from the file name")
        guides.append(guide)
    if not guides:
        raise GuideError(f"{folder}: no guides")
    return Guides(guides)


def parse(raw: dict, where: str = "guide") -> Guide:
    def need(cond: bool, problem: str) -> None:
        if not cond:
            raise GuideError(f"{where}: {problem}")

    questions = {}
    for qid, q in (raw.get("questions") or {}).items():
        options = []
        for o in q.get("options") or ():
            need(bool(o.get("id")) and bool(o.get("label")), f"question {qid} has an option without id or label")
            need(bool(o.get("next")) != bool(o.get("result")), f"option {qid}/{o['id']} needs next or result, not both")
            options.append(Option(o["id"], o["label"], o.get("next", ""), o.get("result", "")))
        need(len(options) >= 2, f"question {qid} needs at least two options")
        need(len({o.id for o in options}) == len(options), f"question {qid} has two options with one id")
        questions[qid] = Question(qid, q.get("text") or "", q.get("help", ""), tuple(options))
    results = {}
    for rid, r in (raw.get("results") or {}).items():
        links = []
        for li in r.get("links") or ():
            kind = li.get("kind")
            need(kind in LINK_KINDS, f"result {rid} link {li.get('id')} has kind {kind!r}; one of {LINK_KINDS}")
            need(bool(li.get("id")) and bool(li.get("title")), f"result {rid} has a link without id or title")
            need(kind != "e_service" or bool(li.get("e_service_id")), f"link {rid}/{li['id']} needs e_service_id")
            need(kind != "information" or bool(li.get("url")), f"link {rid}/{li['id']} needs url")
            need(kind != "contact" or bool(li.get("contact_group")), f"link {rid}/{li['id']} needs contact_group")
            links.append(
                Link(
                    li["id"], kind, li["title"], li.get("description", ""), li.get("url", ""),
                    li.get("e_service_id", ""), li.get("contact_group", ""),
                )
            )  # fmt: skip
        need(bool(links), f"result {rid} leads nowhere (no links)")
        need(len({x.id for x in links}) == len(links), f"result {rid} has two links with one id")
        results[rid] = Result(rid, r.get("title") or rid, r.get("text", ""), tuple(links))

    start = raw.get("start", "")
    need(start in questions, f"start {start!r} is not a question")
    for q in questions.values():
        for o in q.options:
            need(not o.next or o.next in questions, f"option {q.id}/{o.id} leads to unknown question {o.next}")
            need(not o.result or o.result in results, f"option {q.id}/{o.id} leads to unknown result {o.result}")
    # Every path must end: no loops, and every question and result reachable from the start.
    reached_q: set[str] = set()
    reached_r: set[str] = set()

    def visit(qid: str, path: tuple[str, ...]) -> None:
        need(qid not in path, f"the questions loop: {' -> '.join((*path, qid))}")
        reached_q.add(qid)
        for o in questions[qid].options:
            if o.next:
                visit(o.next, (*path, qid))
            else:
                reached_r.add(o.result)

    visit(start, ())
    need(reached_q == set(questions), f"questions no one reaches: {sorted(set(questions) - reached_q)}")
    need(reached_r == set(results), f"results no one reaches: {sorted(set(results) - reached_r)}")
    need(isinstance(raw.get("version"), int) and raw["version"] >= 1, "version must be a whole number from 1")
    need(
        bool(raw.get("id")) and bool(raw.get("title")) and bool(raw.get("target_group")),
        "needs id, title, target_group",
    )
    return Guide(
        raw["id"], raw["version"], raw["target_group"], raw["title"], raw.get("summary", ""), start, questions, results
    )


def walk(guide: Guide, answers: tuple[tuple[str, str], ...]) -> Position:
    """The position after these answers (as stored: each was checked when given)."""
    question: Question | None = guide.questions[guide.start]
    for qid, oid in answers:
        assert question is not None and question.id == qid
        option = question.option(oid)
        assert option is not None
        if option.result:
            return Position(answers, None, guide.results[option.result])
        question = guide.questions[option.next]
    return Position(answers, question, None)


def answer(guide: Guide, answers: tuple[tuple[str, str], ...], question_id: str, option_id: str) -> Position:
    """Answer `question_id` with `option_id`. The question is the one now asked, or one answered
    earlier on this path (the resident went back): then the later answers are dropped."""
    earlier = [i for i, (qid, _) in enumerate(answers) if qid == question_id]
    kept = answers[: earlier[0]] if earlier else answers
    position = walk(guide, kept)
    if position.question is None or position.question.id != question_id:
        raise ValidationFailed(texts.QUESTION_NOT_IN_GUIDE, {"question_id": texts.UNKNOWN_QUESTION})
    if position.question.option(option_id) is None:
        raise ValidationFailed(texts.ANSWER_NOT_IN_GUIDE, {"option_id": texts.CHOOSE_ANSWER})
    return walk(guide, (*kept, (question_id, option_id)))


def encode(answers: tuple[tuple[str, str], ...]) -> str:
    return ";".join(f"{q}={o}" for q, o in answers)


def decode(text: str) -> tuple[tuple[str, str], ...]:
    return tuple(tuple(part.split("=", 1)) for part in text.split(";") if part)  # type: ignore[misc]

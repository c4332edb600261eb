"""The glance: the latest case, the unread count and the one next step, always under 1 KB.

Plain Python (no Flask, no gRPC) so the rules and the size limit are easy to test.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bff_watch import texts

MAX_BYTES = 1024
# Budgets in bytes of serialised JSON (escapes included), and in characters for the small screen.
TITLE_CHARS, TITLE_BYTES = 32, 120
STATUS_CHARS, STATUS_BYTES = 60, 200
NEXT_CHARS, NEXT_BYTES = 120, 360

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Case:
    title: str
    status: str
    status_text: str


def dumps(payload: Any) -> bytes:
    """Compact UTF-8 JSON, the form the watch receives."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def _json_len(text: str) -> int:
    return len(dumps(text)) - 2  # without the quotes


def _clean(text: str) -> str:
    """One line of printable text: control and format characters out, whitespace collapsed."""
    kept = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\t\n ")
    return _SPACE.sub(" ", kept).strip()


def fit(text: str, max_chars: int, max_bytes: int) -> str:
    """The text cut to at most max_chars characters and max_bytes bytes of JSON, at a character
    boundary (never inside a code point or before a combining mark), with … when it was cut."""
    text = _clean(text)
    if len(text) <= max_chars and _json_len(text) <= max_bytes:
        return text
    budget = max_bytes - _json_len(texts.ELLIPSIS)
    cut = min(len(text), max_chars - 1)
    while cut > 0 and _json_len(text[:cut]) > budget:
        cut -= 1
    while 0 < cut < len(text) and unicodedata.combining(text[cut]):
        cut -= 1  # keep a letter together with its accents
    return text[:cut].rstrip() + texts.ELLIPSIS


def short_title(title: str) -> str:
    for prefix in texts.TITLE_PREFIXES:
        if title.startswith(prefix) and len(title) > len(prefix):
            rest = title[len(prefix) :]
            title = rest[:1].upper() + rest[1:]
            break
    return fit(title, TITLE_CHARS, TITLE_BYTES)


def next_step(case: Case | None, unread: int | None, lang: str) -> str:
    """The one thing to do next, most urgent first: read new messages, finish a draft, wait."""
    if unread:
        text = texts.NEXT_READ_ONE if unread == 1 else texts.NEXT_READ_MANY
        return getattr(text, lang).format(count=unread)
    if case is None:
        return getattr(texts.NEXT_START, lang)
    if case.status == "draft":
        return getattr(texts.NEXT_FINISH_DRAFT, lang)
    if case.status == "submitted":
        return getattr(texts.NEXT_WAIT, lang)
    return getattr(texts.NEXT_FOLLOW, lang)


def glance(case: Case | None, unread: int | None, lang: str = "sv") -> dict[str, Any]:
    """The payload. unread is None when the inbox could not be asked (the rest still shows)."""
    shown = None
    if case is not None:
        status_text = case.status_text
        if lang == "en" and case.status in texts.STATUS:
            status_text = texts.STATUS[case.status].en
        shown = {
            "title": short_title(case.title),
            "status": fit(case.status, 24, 24),
            "statusText": fit(status_text, STATUS_CHARS, STATUS_BYTES),
        }
    payload = {
        "case": shown,
        "unread": unread,
        "next": fit(next_step(case, unread, lang), NEXT_CHARS, NEXT_BYTES),
    }
    if len(dumps(payload)) >= MAX_BYTES:  # cannot happen with the budgets above; a guard all the same
        raise ValueError("glance over budget")
    return payload


def latest(cases: Sequence[Any]) -> Any | None:
    """The case the resident most likely cares about: the one last submitted or created."""

    def when(app: Any) -> tuple[int, int]:
        for name in ("submitted_at", "created_at"):
            if app.HasField(name):
                ts = getattr(app, name)
                return (ts.seconds, ts.nanos)
        return (0, 0)

    best = None
    for app in cases:
        if best is None or when(app) >= when(best):
            best = app
    return best

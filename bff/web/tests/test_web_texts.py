"""Every user-facing text lives in bff_web/texts.py: both languages have every key, templates ask
only for keys that exist, and hold no words of their own."""

from __future__ import annotations

import re
from pathlib import Path

from bff_web.texts import TEXTS

TEMPLATES = Path(__file__).resolve().parents[1] / "bff_web" / "templates"
SOURCES = Path(__file__).resolve().parents[1] / "bff_web"


def test_swedish_is_first_and_english_second_with_the_same_keys() -> None:
    assert list(TEXTS) == ["sv", "en"]
    assert set(TEXTS["sv"]) == set(TEXTS["en"])
    assert all(value.strip() for lang in TEXTS.values() for value in lang.values())


def test_templates_and_views_only_use_known_text_keys() -> None:
    used: set[str] = set()
    for path in [*TEMPLATES.glob("*.html"), *SOURCES.rglob("*.py")]:
        if path.name == "texts.py":
            continue
        used |= set(re.findall(r"""\bt\(\s*["']([a-z0-9_]+)["']""", path.read_text()))
        used |= set(re.findall(r"""\bflash\(\s*["']([a-z0-9_]+)["']""", path.read_text()))
    assert used, "found no text lookups at all"
    assert used - set(TEXTS["sv"]) == set()


def test_templates_hold_no_words_of_their_own() -> None:
    for path in TEMPLATES.glob("*.html"):
        source = path.read_text()
        source = re.sub(r"{#.*?#}|{%.*?%}|{{.*?}}", " ", source, flags=re.S)
        source = re.sub(r"<[^>]*>", " ", source, flags=re.S)
        leftover = re.sub(r"[\s.:–·!?,()]", "", source)  # punctuation and separators are no words
        assert leftover == "", (path.name, leftover)

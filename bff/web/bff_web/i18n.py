"""The language of a request (default Swedish; ?lang=en or the language cookie switch it) and `t`,
which templates and views use to read bff_web.texts."""

from __future__ import annotations

from flask import g, request

from bff_web.texts import DEFAULT_LANGUAGE, LANGUAGES, text

LANG_COOKIE = "fickan_lang"


def current_language() -> str:
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        return chosen
    saved = request.cookies.get(LANG_COOKIE)
    return saved if saved in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, **values: object) -> str:
    """The text for key in the current request's language."""
    return text(g.get("lang", DEFAULT_LANGUAGE), key, **values)

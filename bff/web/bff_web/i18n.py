"""The language of a request (default Swedish; ?lang=en or the language cookie switch it) and `t`,
which templates and views use to read bff_web.texts; `said` and `said_fields`, a service's refusal in
the request's language."""

from __future__ import annotations

from typing import Any

from flask import g, request

from bff_web.texts import DEFAULT_LANGUAGE, LANGUAGES, TEXTS, text
from fickan_bff.errors import http_status
from fickan_common.grpc_client import ServiceError

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


def _fallback_en(exc: ServiceError) -> str:
    """The page's own English for a refusal the service sent no English for (by its status)."""
    key = f"error_text_{http_status(exc.code)}"
    return text("en", key) if key in TEXTS["en"] else text("en", "error_text_400")


def said(exc: ServiceError) -> str:
    """A service's refusal in the request's language: the service's own words (it sends Swedish and
    English), the page's text for the status only where it sent no English."""
    lang = g.get("lang", DEFAULT_LANGUAGE)
    return exc.said(lang, _fallback_en(exc) if lang == "en" else "")


def said_fields(exc: ServiceError) -> dict[str, str]:
    """A service's field errors in the request's language (as `said`)."""
    lang = g.get("lang", DEFAULT_LANGUAGE)
    return exc.fields_said(lang, _fallback_en(exc) if lang == "en" else "")


def said_problem(problem: Any) -> str:
    """An answer's problem (applications' AnswerProblem) in the request's language."""
    if g.get("lang", DEFAULT_LANGUAGE) == "en" and problem.message_en:
        return str(problem.message_en)
    return str(problem.message)

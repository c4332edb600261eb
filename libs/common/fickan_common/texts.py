"""Texts people read, in both languages: a `Text` is a key, the Swedish and the English.

Each service keeps every message it shows people in its own texts module
(`services/<name>/<name>/texts.py`), Swedish first, English second, and raises its domain errors
with those (fickan_common.errors). The key names the code path ("identity.bankid_in_progress"), so
a client can tell messages apart without reading them. The gRPC interceptor sends the Swedish as
the status details (what every client has always read) and the English and the key in trailing
metadata; the BFFs show the English to a person who reads English.

Formatting: `TEXT.format(amount=kr(1200), day=day(d), n=3)` fills `{amount}`, `{day}` and `{n}` in
both languages; a value that is itself a `Text` (see `both`, `kr`, `day`) gives each language its
own words, anything else is the same in both.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

LANGUAGES = ("sv", "en")

MONTHS_SV = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)
MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class Text(NamedTuple):
    key: str
    sv: str
    en: str

    def format(self, **values: object) -> Text:
        """The same text with its placeholders filled, each language with its own words."""
        return Text(
            self.key,
            self.sv.format(**{name: _word(value, "sv") for name, value in values.items()}),
            self.en.format(**{name: _word(value, "en") for name, value in values.items()}),
        )

    def said(self, lang: str) -> str:
        """The text in `lang` ("sv" or "en"); Swedish for anything else."""
        return self.en if lang == "en" and self.en else self.sv


def _word(value: object, lang: str) -> object:
    return value.said(lang) if isinstance(value, Text) else value


def both(sv: str, en: str) -> Text:
    """A value with different words in each language (for `Text.format`); it has no key of its own."""
    return Text("", sv, en)


def kr(amount: int) -> Text:
    """Whole kronor: "12 500 kr" / "SEK 12,500"."""
    sv = f"{amount:,}".replace(",", "\u00a0")
    return both(f"{sv} kr", f"SEK {amount:,}")


def day(value: date) -> Text:
    """A date as people write it: "3 december 2026" / "3 December 2026"."""
    return both(
        f"{value.day} {MONTHS_SV[value.month - 1]} {value.year}",
        f"{value.day} {MONTHS_EN[value.month - 1]} {value.year}",
    )


def month(year: int, number: int) -> Text:
    """A month: "december 2026" / "December 2026"."""
    return both(f"{MONTHS_SV[number - 1]} {year}", f"{MONTHS_EN[number - 1]} {year}")


def as_text(message: Text | str, key: str = "") -> Text:
    """A text from a message that may have come without its English (e.g. another service's words
    passed on): the English is then empty, and the BFFs use their own."""
    return message if isinstance(message, Text) else Text(key, message, "")


def texts_of(module: object) -> dict[str, Text]:
    """The module's texts by attribute name: every module-level `Text`, and the `Text` values of
    its module-level dicts (e.g. messages by reason)."""
    found: dict[str, Text] = {}
    for name, value in vars(module).items():
        if name.startswith("_"):
            continue
        if isinstance(value, Text):
            found[name] = value
        elif isinstance(value, dict):
            for inner, item in value.items():
                if isinstance(item, Text):
                    found[f"{name}[{inner!r}]"] = item
    return found


def number(value: int) -> Text:
    """A whole number: "12 500" / "12,500"."""
    return both(f"{value:,}".replace(",", " "), f"{value:,}")


# --- The shared library's own texts (fickan_common): the interceptor, files, limits, storage ---
BUSY = Text(
    "common.busy",
    "Många använder tjänsten just nu. Försök igen om en liten stund.",
    "Many people are using the service right now. Please try again in a moment.",
)
# Something the service needs is away (its database, another service): what it did was rolled back.
TRY_AGAIN_SOON = Text(
    "common.try_again_soon",
    "Tjänsten svarar inte just nu. Försök igen om en liten stund.",
    "The service is not answering right now. Please try again shortly.",
)
INTERNAL = Text(
    "common.internal",
    "Något gick fel hos oss. Försök igen om en stund.",
    "Something went wrong on our side. Please try again in a while.",
)
TOKEN_MESSAGES = {
    "missing": Text("common.token_missing", "Du behöver logga in.", "You need to log in."),
    "expired": Text(
        "common.token_expired",
        "Din inloggning har gått ut. Logga in igen.",
        "Your login has expired. Please log in again.",
    ),
    "invalid": Text(
        "common.token_invalid",
        "Inloggningen kunde inte kontrolleras. Logga in igen.",
        "Your login could not be verified. Please log in again.",
    ),
    "revoked": Text(
        "common.token_revoked",
        "Din inloggning är avslutad. Logga in igen.",
        "Your login has ended. Please log in again.",
    ),
}
GLANCE_REFUSED = Text(
    "common.glance_refused",
    "Klockan kan bara visa en översikt. Öppna appen eller webben för det här.",
    "The watch can only show an overview. Open the app or the website for this.",
)
CHANGED_MEANWHILE = Text(
    "common.changed_meanwhile",
    "Uppgifterna ändrades nyss av någon annan. Ladda om sidan och försök igen.",
    "Someone else changed this just now. Reload the page and try again.",
)
FILE_WRONG_TYPE = Text(
    "common.file_wrong_type",
    "Filen är inte en JPEG-, PNG-, HEIC- eller PDF-fil. Fotografera dokumentet eller spara det som PDF.",
    "The file is not a JPEG, PNG, HEIC or PDF file. Take a photo of the document or save it as a PDF.",
)
FILE_EMPTY = Text("common.file_empty", "Filen är tom.", "The file is empty.")
FILE_TOO_LARGE = Text(
    "common.file_too_large",
    "Filen är för stor. Den får vara högst {mb} MB.",
    "The file is too large. It may be at most {mb} MB.",
)
BAD_IDEMPOTENCY_KEY = Text(
    "common.bad_idempotency_key",
    "Begärans nyckel (Idempotency-Key) ska vara 1–200 synliga tecken.",
    "The request's key (Idempotency-Key) must be 1–200 visible characters.",
)
STILL_RUNNING = Text(
    "common.still_running",
    "Samma begäran behandlas redan. Vänta en stund och ladda om sidan.",
    "The same request is already being handled. Wait a moment and reload the page.",
)
CHECK_FAILED = Text("common.check_failed", "Några uppgifter behöver rättas.", "Some details need to be corrected.")
LIMIT_BETWEEN = Text("common.limit_between", "Ska vara mellan {low} och {high}.", "Must be between {low} and {high}.")
LIMIT_AT_LEAST = Text("common.limit_at_least", "Ska vara minst {low}.", "Must be at least {low}.")
LIMIT_AT_MOST = Text("common.limit_at_most", "Får vara högst {high}.", "May be at most {high}.")
LIMIT_LENGTH = Text("common.limit_length", "Får vara högst {length} tecken.", "May be at most {length} characters.")
LIMIT_ITEMS = Text("common.limit_items", "Högst {count} st.", "At most {count}.")
LIMIT_FORM = Text("common.limit_form", "Har inte rätt form.", "Is not in the right form.")
CONTROL_CHARACTER = Text(
    "common.control_character",
    "Texten innehåller tecken som inte är text (styrtecken). Ta bort dem och försök igen.",
    "The text contains characters that are not text (control characters). Remove them and try again.",
)

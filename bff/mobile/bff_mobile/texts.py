"""Every text the phone app's residents can read from this BFF: Swedish first, English second.

Texts that come from the services (BankID hints, validation of answers, status texts) are theirs
and pass through; these are the BFF's own.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from fickan_bff import errors as bff_errors


class Text(NamedTuple):
    sv: str
    en: str


# --- Logging in and tokens -------------------------------------------------------------------
TOKEN_MISSING = Text(
    "Du behöver logga in med BankID för att fortsätta.",
    "You need to log in with BankID to continue.",
)
TOKEN_EXPIRED = Text(
    "Din inloggning har gått ut. Logga in med BankID igen.",
    "Your login has expired. Please log in with BankID again.",
)
TOKEN_INVALID = Text(
    "Vi kunde inte kontrollera din inloggning. Logga ut och logga in med BankID igen.",
    "We could not verify your login. Please log out and log in with BankID again.",
)
FORBIDDEN = Text(
    "Du har inte behörighet att göra det här i appen.",
    "You are not allowed to do this in the app.",
)
# The refresh token no longer works (spent, logged out, session over): BankID again.
SESSION_ENDED = Text(
    "Din inloggning har upphört. Logga in med BankID igen.",
    "Your login has ended. Please log in with BankID again.",
)

# Two of the app's own requests refreshed with the same token at once; the other one got the new pair.
ALREADY_REFRESHED = Text(
    "Inloggningen förnyades nyss av en annan begäran i appen. Använd den nya inloggningen.",
    "Your login was just renewed by another request in the app. Use the new login.",
)

# --- Requests --------------------------------------------------------------------------------
INVALID_REQUEST = Text(
    "Några uppgifter behöver rättas. Se meddelandena vid fälten.",
    "Some details need to be corrected. See the messages by the fields.",
)
INVALID_JSON = Text(
    "Appen skickade något vi inte kunde läsa. Uppdatera appen och försök igen.",
    "The app sent something we could not read. Please update the app and try again.",
)
INVALID_ID = Text(
    "Länken pekar inte på något giltigt. Gå tillbaka och försök igen.",
    "The link does not point to anything valid. Go back and try again.",
)
NOT_FOUND = Text(
    "Det du letar efter finns inte.",
    "What you are looking for does not exist.",
)
INVALID_IDEMPOTENCY_KEY = Text(
    "Appen skickade en ogiltig Idempotency-Key (1–200 synliga ASCII-tecken). Uppdatera appen och försök igen.",
    "The app sent an invalid Idempotency-Key (1–200 visible ASCII characters). Please update the app and try again.",
)
METHOD_NOT_ALLOWED = Text(
    "Det går inte att göra så här. Uppdatera appen och försök igen.",
    "That cannot be done this way. Please update the app and try again.",
)
TOO_LARGE = Text(
    "Det du skickade är för stort.",
    "What you sent is too large.",
)
FILE_TOO_LARGE = Text(
    "Filen är för stor. Den får vara högst 10 MB.",
    "The file is too large. It may be at most 10 MB.",
)
FILE_MISSING = Text(
    "Välj en fil att ladda upp.",
    "Choose a file to upload.",
)
NOT_MULTIPART = Text(
    "Filen ska skickas som multipart/form-data i fältet file. Uppdatera appen och försök igen.",
    "The file must be sent as multipart/form-data in the field file. Please update the app and try again.",
)
SIGNED = Text("Du har skrivit under.", "You have signed.")
CONFLICT = Text(
    "Det går inte just nu, eftersom ärendet har ändrats. Ladda om och försök igen.",
    "This is not possible right now because the case has changed. Reload and try again.",
)
RATE_LIMITED = Text(
    "Du har försökt många gånger. Vänta en stund och försök igen.",
    "You have tried many times. Please wait a while and try again.",
)
UNAVAILABLE = Text(bff_errors.UNAVAILABLE_SV, bff_errors.UNAVAILABLE_EN)
BUSY = Text(bff_errors.BUSY_SV, bff_errors.BUSY_EN)
INTERNAL = Text(
    "Något gick fel hos oss. Försök igen om en stund.",
    "Something went wrong on our side. Please try again in a while.",
)

# The English for a service's refusal that came without its own (the services send both), by HTTP status.
SERVICE_MESSAGE_EN = {
    400: "Some details need to be corrected.",
    401: "You need to log in with BankID again.",
    403: "You do not have access to this.",
    404: "What you are looking for does not exist.",
    409: CONFLICT.en,
    429: RATE_LIMITED.en,
}

# --- Field messages (Swedish, shown beside the field) ----------------------------------------
FIELD_REQUIRED = "Fältet saknas."
FIELD_NULL = "Fältet får inte vara tomt."
FIELD_NOT_TEXT = "Skriv text här."
FIELD_NOT_INTEGER = "Skriv ett heltal här."
FIELD_NOT_BOOLEAN = "Svara true eller false."
FIELD_NOT_OBJECT = "Svaren ska skickas som frågor med svar."
FIELD_NOT_ANSWER = "Svaret ska vara text eller ett heltal."
FIELD_UNKNOWN = "Fältet finns inte. Uppdatera appen."
FIELD_BLANK = "Skriv något här."
FIELD_TOO_LONG = "Texten får vara högst {max} tecken."
FIELD_TOO_MANY = "Högst {max} svar åt gången."
FIELD_VERSION = "Versionen ska vara ett heltal, 0 eller större."
FIELD_LIMIT = "Skriv ett tal mellan {min} och {max}."
FIELD_PERSONAL_NUMBER = "Skriv personnumret med 12 siffror, till exempel ÅÅÅÅMMDDNNNN."
FIELD_ORDER_REF = "Inloggningen känns inte igen. Starta om inloggningen."
FIELD_COLLECT_SECRET = "Inloggningen känns inte igen. Starta om inloggningen."
FIELD_KIND = "Det finns ingen sådan e-tjänst."
FIELD_SLUG = "Det finns inget sådant här."
FIELD_MUNICIPALITIES = "Ange kommunkoder med fyra siffror, åtskilda med komma, till exempel 1284,1292."
FIELD_YEAR = "Skriv året med fyra siffror, till exempel 2024."
FIELD_RETURN_URL = "Adressen att återvända till ska vara en fullständig adress, till exempel https://…"
FIELD_REFRESH_TOKEN = "Inloggningen känns inte igen. Logga in med BankID igen."
FIELD_USER_CODE = "Skriv de åtta bokstäverna som klockan visar, till exempel BCDF-GHJK."
FIELD_RESOURCE = "Det finns inget sådant att visa."
FIELD_DEVICE_ID = "Enheten känns inte igen. Ladda om listan och försök igen."
FIELD_ID = "Id:t känns inte igen. Ladda om och försök igen."
FIELD_FORM_VERSION = "Versionen ska vara ett heltal från 1 och uppåt."
FIELD_SIGN_ORDER = "Underskriften känns inte igen. Börja om underskriften."
# Answers: a repeating group is a list of rows (question → answer), a file question a list of ids.
FIELD_GROUP_ROW = "Varje rad ska vara frågor med svar."
FIELD_GROUP_VALUE = "Svaret ska vara text eller ett heltal."
FIELD_LIST_MIXED = "Listan ska vara antingen rader med svar eller bilagornas id."
FIELD_TOO_MANY_ITEMS = "Högst {max} i listan."
FIELD_FILE_ID = "Bilagan känns inte igen. Ladda upp den igen."
FIELD_COMPLETION_EMPTY = "Skriv något eller ladda upp det som efterfrågas."
FIELD_UPLOAD_ONLY_FILE = "Skicka bara fältet file."
# The provräkning (estimate)
FIELD_ADULTS = "Välj en eller två vuxna."
FIELD_AMOUNT = "Skriv ett belopp mellan 0 och {max} kr."
FIELD_CHILD_AGE = "Barnets ålder ska vara ett heltal mellan 0 och {max} år."
FIELD_CHILDREN = "Barnens åldrar ska skickas som en lista, högst {max} barn."

# --- Who at the municipality read my data (the access log) -----------------------------------
ROLES = {
    "case_worker": Text("Handläggare", "Case worker"),
    "contact_agent": Text("Kommunvägledare", "Contact centre agent"),
    "admin": Text("Administratör", "Administrator"),
}
ROLE_OTHER = Text("Kommunens personal", "Municipal staff")


# --- Notifications ---------------------------------------------------------------------------
FIELD_LANGUAGE = "Välj sv eller en."
FIELD_CLOCK = "Skriv tiden som TT:MM, till exempel 22:00."
LAST_EVENT_ID = Text(
    "Last-Event-ID ska vara ett heltal (det senaste id du fått).",
    "Last-Event-ID must be a whole number (the last id you received).",
)


# --- Service messages ------------------------------------------------------------------------
SERVICE_KIND = {
    "maintenance": Text("Planerat underhåll", "Planned maintenance"),
    "disruption": Text("Driftstörning", "Disruption"),
}
BANKID_DISRUPTED = Text(
    "BankID har driftstörningar. Inloggning och underskrift med BankID kan fungera dåligt just nu. "
    "Försök igen om en stund.",
    "BankID has disruptions. Logging in and signing with BankID may not work right now. Try again in a while.",
)


# --- The field messages' English -------------------------------------------------------------
# The field messages above are marshmallow's error texts (plain Swedish, some with {placeholders}
# filled by the schemas); each has its English here, and `field_en` finds it for a filled message.
FIELD_EN = {
    FIELD_REQUIRED: "The field is missing.",
    FIELD_NULL: "The field must not be empty.",
    FIELD_NOT_TEXT: "Write text here.",
    FIELD_NOT_INTEGER: "Write a whole number here.",
    FIELD_NOT_BOOLEAN: "Answer true or false.",
    FIELD_NOT_OBJECT: "The answers are to be sent as questions with answers.",
    FIELD_NOT_ANSWER: "The answer is to be text or a whole number.",
    FIELD_UNKNOWN: "The field does not exist. Update the app.",
    FIELD_BLANK: "Write something here.",
    FIELD_TOO_LONG: "The text may be at most {max} characters.",
    FIELD_TOO_MANY: "At most {max} answers at a time.",
    FIELD_VERSION: "The version is to be a whole number, 0 or more.",
    FIELD_LIMIT: "Write a number between {min} and {max}.",
    FIELD_PERSONAL_NUMBER: "Write the personal identity number with 12 digits, for example YYYYMMDDNNNN.",
    FIELD_ORDER_REF: "The login is not recognised. Start the login again.",
    FIELD_KIND: "There is no such e-service.",
    FIELD_SLUG: "There is nothing like that here.",
    FIELD_MUNICIPALITIES: "Give municipality codes of four digits, separated by commas, for example 1284,1292.",
    FIELD_YEAR: "Write the year with four digits, for example 2024.",
    FIELD_RETURN_URL: "The address to return to is to be a full address, for example https://…",
    FIELD_REFRESH_TOKEN: "The login is not recognised. Log in with BankID again.",
    FIELD_USER_CODE: "Write the eight letters the watch shows, for example BCDF-GHJK.",
    FIELD_RESOURCE: "There is nothing like that to show.",
    FIELD_DEVICE_ID: "The device is not recognised. Reload the list and try again.",
    FIELD_ID: "The id is not recognised. Reload and try again.",
    FIELD_FORM_VERSION: "The version is to be a whole number from 1 up.",
    FIELD_SIGN_ORDER: "The signing is not recognised. Start the signing again.",
    FIELD_GROUP_ROW: "Each row is to be questions with answers.",
    FIELD_LIST_MIXED: "The list is to be either rows of answers or the attachments' ids.",
    FIELD_TOO_MANY_ITEMS: "At most {max} in the list.",
    FIELD_FILE_ID: "The attachment is not recognised. Upload it again.",
    FIELD_COMPLETION_EMPTY: "Write something or upload what was asked for.",
    FIELD_UPLOAD_ONLY_FILE: "Send only the field file.",
    FIELD_ADULTS: "Choose one or two adults.",
    FIELD_AMOUNT: "Write an amount between 0 and SEK {max}.",
    FIELD_CHILD_AGE: "The child's age is to be a whole number between 0 and {max} years.",
    FIELD_CHILDREN: "The children's ages are to be sent as a list, at most {max} children.",
    FIELD_LANGUAGE: "Choose sv or en.",
    FIELD_CLOCK: "Write the time as HH:MM, for example 22:00.",
}
_FIELD_PATTERNS = [
    (
        re.compile(
            re.escape(sv).replace(r"\{", "{").replace(r"\}", "}").replace("{", "(?P<").replace("}", ">.+?)") + "$"
        ),
        en,
    )
    for sv, en in FIELD_EN.items()
]


def contract_hint(limits: Any) -> None:
    """A contract's own field message (fickan.options.v1.limits hint, hint_en) gets its English here."""
    if limits.hint and limits.hint_en:
        FIELD_EN.setdefault(limits.hint, limits.hint_en)


def field_en(message: str) -> str | None:
    """The English of one of the field messages above (filled or not), or None."""
    if message in FIELD_EN:
        return FIELD_EN[message]
    for pattern, en in _FIELD_PATTERNS:
        if match := pattern.match(message):
            return en.format(**match.groupdict())
    return None

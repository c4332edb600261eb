"""Every text a resident can read on the watch from this BFF: Swedish first, English second.
Short on purpose: a watch face holds a few words."""

from __future__ import annotations

from typing import NamedTuple

from fickan_bff import errors as bff_errors


class Text(NamedTuple):
    sv: str
    en: str


# --- The one next step -----------------------------------------------------------------------
NEXT_START = Text("Inga ärenden just nu. Ansök i Fickan-appen.", "No cases right now. Apply in the Fickan app.")
NEXT_READ_ONE = Text("Du har ett oläst meddelande. Läs det i appen.", "You have an unread message. Read it in the app.")
NEXT_READ_MANY = Text(
    "Du har {count} olästa meddelanden. Läs dem i appen.", "You have {count} unread messages. Read them in the app."
)
NEXT_FOLLOW = Text("Följ ditt ärende i appen.", "Follow your case in the app.")

# --- Time to decision and the payment ----------------------------------------------------------
DECISION_IN_MINUTES = Text("Beslut inom {n} min", "Decision within {n} min")
DECISION_IN_HOURS = Text("Beslut inom {n} h", "Decision within {n} h")
DECISION_IN_DAYS = Text("Beslut inom {n} dagar", "Decision within {n} days")
RING_ME = Text("Kontaktcenter ringer upp dig så snart de kan.", "The contact centre will call you back soon.")
PHONE_INVALID = Text("Telefonnumret saknas eller är för långt.", "The telephone number is missing or too long.")
PAYMENT = Text("Utbetalning {date}", "Payment {date}")
PAYMENT_WITH_AMOUNT = Text("Utbetalning {date}: {amount}", "Payment {date}: {amount}")
NEXT_BOOKING = Text("Bokad tid {date} kl. {time}, {kind}", "Booked time {date} at {time}, {kind}")
MONTHS = {
    "sv": ("jan", "feb", "mars", "apr", "maj", "juni", "juli", "aug", "sep", "okt", "nov", "dec"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}

# Leading words a watch has no room for ("Ansökan om ekonomiskt bistånd" → "Ekonomiskt bistånd").
TITLE_PREFIXES = ("Ansökan om ", "Application for ")
ELLIPSIS = "…"

# --- Pairing (like OAuth's device authorization grant) ----------------------------------------
PAIRING_VERIFY = Text(
    "Öppna Fickan i mobilen eller på webben och skriv koden.",
    "Open Fickan on your phone or the web and enter the code.",
)
PAIRING_PENDING = Text("Väntar på att du skriver koden.", "Waiting for you to enter the code.")
PAIRING_EXPIRED = Text("Koden har gått ut. Börja om.", "The code has expired. Start again.")
PAIRING_COMPLETE = Text("Klockan är kopplad.", "The watch is paired.")
PAIRING_NOT_FOUND = Text("Kopplingen finns inte. Börja om på klockan.", "No such pairing. Start again on the watch.")
DEVICE_CODE_INVALID = Text("Kopplingskoden är felaktig. Börja om.", "The pairing code is invalid. Start again.")

# --- Errors ----------------------------------------------------------------------------------
TOKEN_MISSING = Text(
    "Klockan är inte kopplad. Koppla den till Fickan.", "The watch is not paired. Pair it with Fickan."
)
WATCH_UNPAIRED = Text(
    "Klockan är inte längre kopplad. Koppla den igen.", "The watch is no longer paired. Pair it again."
)
TOKEN_EXPIRED = Text("Inloggningen har gått ut. Logga in igen i appen.", "Your login has expired. Log in again.")
TOKEN_INVALID = Text("Inloggningen gick inte att kontrollera. Logga in igen.", "Could not verify login. Log in again.")
FORBIDDEN = Text("Du har inte behörighet till det här.", "You do not have access to this.")
NOT_FOUND = Text("Finns inte.", "Not found.")
INVALID_REQUEST = Text(
    "Klockan skickade något felaktigt. Uppdatera appen.", "The watch sent something invalid. Update it."
)
UNKNOWN_FIELD = Text("Okänt fält. Uppdatera appen.", "Unknown field. Update the app.")
TOO_LARGE = Text("För stort.", "Too large.")
INVALID_IDEMPOTENCY_KEY = Text("Ogiltig Idempotency-Key. Uppdatera appen.", "Invalid Idempotency-Key. Update the app.")
METHOD_NOT_ALLOWED = Text("Går inte att göra så.", "Not allowed this way.")
UNAVAILABLE = Text(bff_errors.UNAVAILABLE_SV, bff_errors.UNAVAILABLE_EN)
BUSY = Text(bff_errors.BUSY_SV, bff_errors.BUSY_EN)
INTERNAL = Text("Något gick fel. Försök igen om en stund.", "Something went wrong. Try again shortly.")

LAST_EVENT_ID = Text(
    "Last-Event-ID ska vara ett heltal.",
    "Last-Event-ID must be a whole number.",
)

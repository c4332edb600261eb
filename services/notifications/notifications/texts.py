"""Every message the notifications service shows people when it refuses something: Swedish first,
English second, under one key each (fickan_common.texts)."""

from __future__ import annotations

from fickan_common.texts import Text

INVALID_POSITION = Text("notifications.invalid_position", "Ogiltig position.", "Invalid position.")
AT_LEAST_ZERO = Text("notifications.at_least_zero", "Ska vara 0 eller större.", "Must be 0 or more.")
INVALID_LIMIT = Text("notifications.invalid_limit", "Ogiltigt antal meddelanden.", "Invalid number of messages.")
LIMIT_RANGE = Text(
    "notifications.limit_range", "Ange ett tal mellan 1 och {max}.", "Enter a number between 1 and {max}."
)
NOT_YOUR_MESSAGE = Text(
    "notifications.not_your_message",
    "Du har inte behörighet till det här meddelandet.",
    "You do not have access to this message.",
)
INVALID_MESSAGE_ID = Text("notifications.invalid_message_id", "Ogiltigt meddelande-id.", "Invalid message id.")
INVALID_ID = Text("notifications.invalid_id", "Ogiltigt id.", "Invalid id.")
MESSAGE_NOT_FOUND = Text("notifications.message_not_found", "Meddelandet finns inte.", "The message does not exist.")
INVALID_TIME = Text("notifications.invalid_time", "Ogiltig tid.", "Invalid time.")
TIME_FORM = Text(
    "notifications.time_form",
    "Skriv tiden som TT:MM, till exempel 22:00.",
    "Write the time as HH:MM, for example 22:00.",
)
INVALID_EMAIL = Text("notifications.invalid_email", "Ogiltig e-postadress.", "Invalid e-mail address.")
EMAIL_FORM = Text(
    "notifications.email_form",
    "Skriv en e-postadress som namn@exempel.se.",
    "Write an e-mail address such as name@example.com.",
)
NOTICE_NOT_PUBLISHED = Text(
    "notifications.notice_not_published",
    "Driftmeddelandet kunde inte publiceras.",
    "The service notice could not be published.",
)
NOTICE_KIND = Text(
    "notifications.notice_kind",
    "Välj planerat underhåll eller driftstörning.",
    "Choose planned maintenance or disruption.",
)
NOTICE_TEXT_SV = Text("notifications.notice_text_sv", "Skriv meddelandet på svenska.", "Write the message in Swedish.")
NOTICE_TEXT_LENGTH = Text(
    "notifications.notice_text_length",
    "Meddelandet får vara högst {max} tecken.",
    "The message may be at most {max} characters.",
)
NOTICE_START = Text(
    "notifications.notice_start",
    "Skriv när det börjar, till exempel 2026-12-03 22:00.",
    "Say when it starts, for example 2026-12-03 22:00.",
)
NOTICE_START_FAR = Text(
    "notifications.notice_start_far",
    "Starten får vara högst ett år fram.",
    "The start may be at most a year ahead.",
)
NOTICE_END = Text(
    "notifications.notice_end",
    "Skriv när det slutar, till exempel 2026-12-03 23:30.",
    "Say when it ends, for example 2026-12-03 23:30.",
)
NOTICE_END_BEFORE_START = Text(
    "notifications.notice_end_before_start", "Slutet behöver vara efter starten.", "The end must be after the start."
)
NOTICE_END_PASSED = Text("notifications.notice_end_passed", "Slutet har redan passerat.", "The end has already passed.")
NOTICE_TOO_LONG = Text(
    "notifications.notice_too_long", "Ett meddelande får gälla högst 31 dagar.", "A notice may last at most 31 days."
)
NOTICES_FULL = Text(
    "notifications.notices_full",
    "Det finns redan {max} driftmeddelanden. Avsluta ett först.",
    "There are already {max} service notices. End one first.",
)
NOTICE_NOT_FOUND = Text(
    "notifications.notice_not_found", "Driftmeddelandet finns inte.", "The service notice does not exist."
)
SUBSCRIPTION_INVALID = Text(
    "notifications.subscription_invalid", "Prenumerationen är ogiltig.", "The subscription is invalid."
)
INVALID_KEY = Text("notifications.invalid_key", "Ogiltig nyckel.", "Invalid key.")
LANGUAGE = Text("notifications.language", "Välj svenska eller engelska.", "Choose Swedish or English.")
LANGUAGE_FIELD = Text("notifications.language_field", "sv eller en.", "sv or en.")
UNKNOWN_PROVIDER = Text("notifications.unknown_provider", "Okänd pushtjänst.", "Unknown push service.")
PROVIDER_FIELD = Text("notifications.provider_field", "webpush, apns eller fcm.", "webpush, apns or fcm.")
PROVIDER_NOT_IN_USE = Text(
    "notifications.provider_not_in_use",
    "Den pushtjänsten används inte här än.",
    "That push service is not in use here yet.",
)
NOT_AVAILABLE = Text("notifications.not_available", "Inte tillgänglig.", "Not available.")
UNKNOWN_DEVICE = Text("notifications.unknown_device", "Okänd enhet.", "Unknown device.")
DEVICE_FIELD = Text("notifications.device_field", "web, mobile eller watch.", "web, mobile or watch.")
ENDPOINT_HTTPS = Text(
    "notifications.endpoint_https",
    "Adressen till pushtjänsten måste börja med https://.",
    "The push service address must start with https://.",
)
INVALID_ADDRESS = Text("notifications.invalid_address", "Ogiltig adress.", "Invalid address.")
UNKNOWN_KIND = Text("notifications.unknown_kind", "Okänd sorts meddelande.", "Unknown kind of message.")
UNKNOWN_KIND_FIELD = Text("notifications.unknown_kind_field", "Okänd sort: {kind}", "Unknown kind: {kind}")
LINK_EXPIRED = Text(
    "notifications.link_expired",
    "Länken gäller inte längre. Ange adressen igen så skickar vi en ny.",
    "The link is no longer valid. Enter the address again and we will send a new one.",
)
LINK_INVALID = Text("notifications.link_invalid", "Ogiltig eller använd länk.", "Invalid or used link.")
TOO_MANY_DEVICES = Text(
    "notifications.too_many_devices",
    "Du kan ha aviseringar på högst {max} enheter. Stäng av någon först.",
    "You can have notifications on at most {max} devices. Turn one off first.",
)
TOO_MANY_DEVICES_FIELD = Text("notifications.too_many_devices_field", "För många enheter.", "Too many devices.")
SUBSCRIPTION_NOT_FOUND = Text(
    "notifications.subscription_not_found", "Prenumerationen finns inte.", "The subscription does not exist."
)
NOT_YOUR_DEVICE = Text("notifications.not_your_device", "Det här är inte din enhet.", "This is not your device.")
DELIVERY_NOT_FOUND = Text("notifications.delivery_not_found", "Utskicket finns inte.", "The delivery does not exist.")
ADMINS_DEAD_LETTERS = Text(
    "notifications.admins_dead_letters",
    "Bara administratörer ser misslyckade utskick.",
    "Only administrators see failed deliveries.",
)
ADMINS_NOTICES = Text(
    "notifications.admins_notices",
    "Bara administratörer hanterar driftmeddelanden.",
    "Only administrators manage service notices.",
)
ADMINS_PUBLISH = Text(
    "notifications.admins_publish",
    "Bara administratörer publicerar driftmeddelanden.",
    "Only administrators publish service notices.",
)

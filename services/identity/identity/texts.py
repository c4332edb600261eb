"""Every message identity shows people: Swedish first, English second, under one key each
(fickan_common.texts). BankID's own prescribed texts (the RFA messages) are in identity.domain.bankid,
in both languages as BankID words them; `bankid_text` makes a `Text` of one."""

from __future__ import annotations

from fickan_common.texts import Text
from identity.domain import bankid
from identity.limits import CLIENT, IP, ORDER_RATE, PERSON


def bankid_text(number: int | str) -> Text:
    """BankID's RFA message `number` in Swedish and English."""
    return Text(f"identity.bankid_rfa{number}", bankid.RFA[number], bankid.RFA_EN[number])


BANKID_IN_PROGRESS = bankid_text(4)  # alreadyInProgress: an order for this personnummer is pending
BANKID_INTERNAL = bankid_text(5)  # BankID (or we) not answering

# --- Logging in ----------------------------------------------------------------------------------
ORDER_GONE = Text(
    "identity.order_gone",
    "Inloggningen finns inte eller är redan avslutad. Börja om.",
    "The login does not exist or has already ended. Start again.",
)
SIGN_GONE = Text(
    "identity.sign_gone",
    "Underskriften finns inte eller är redan avslutad. Börja om.",
    "The signing does not exist or has already ended. Start again.",
)
SESSION_ENDED = Text(
    "identity.session_ended",
    "Din inloggning har gått ut. Logga in igen.",
    "Your login has expired. Please log in again.",
)
TOO_MANY = Text(
    "identity.too_many_logins",
    "För många inloggningsförsök. Vänta en stund och försök igen.",
    "Too many login attempts. Wait a while and try again.",
)
# Each limit on logging in says what it is, so a resident on a shared network knows it is not them.
REFUSED_START = {
    PERSON: TOO_MANY,
    CLIENT: Text(
        "identity.too_many_from_device",
        "För många inloggningar har startats från den här enheten. Vänta några minuter och försök igen.",
        "Too many logins have been started from this device. Wait a few minutes and try again.",
    ),
    IP: Text(
        "identity.too_many_from_network",
        "Väldigt många loggar in från samma nätverk just nu. Vänta några minuter och försök igen, "
        "eller använd mobilnätet i stället för ett delat nätverk.",
        "Very many people are logging in from the same network right now. Wait a few minutes and try "
        "again, or use the mobile network instead of a shared network.",
    ),
    ORDER_RATE: Text(
        "identity.many_logging_in",
        "Många loggar in just nu. Vänta en minut och försök igen.",
        "Many people are logging in right now. Wait a minute and try again.",
    ),
}
TOO_MANY_FAILED_COLLECTS = Text(
    "identity.too_many_failed_collects",
    "För många misslyckade försök från din anslutning. Vänta några minuter och försök igen.",
    "Too many failed attempts from your connection. Wait a few minutes and try again.",
)
PNR_MESSAGE = Text(
    "identity.personnummer_invalid",
    "Skriv ett giltigt personnummer med 12 siffror, till exempel 19900101-2385.",
    "Enter a valid personal identity number with 12 digits, for example 19900101-2385.",
)
RETURN_URL_MESSAGE = Text(
    "identity.return_url_refused",
    "Adressen att återvända till är inte tillåten.",
    "The address to return to is not allowed.",
)
UNKNOWN_DEVICE = Text("identity.unknown_device", "Okänd enhet.", "Unknown device.")
INVALID_ORDER = Text("identity.invalid_order", "Ogiltig order.", "Invalid order.")
ALREADY_REFRESHED = Text(
    "identity.already_refreshed",
    "Inloggningen förnyades nyss av en annan begäran.",
    "Your login was just renewed by another request.",
)
USER_NOT_FOUND = Text("identity.user_not_found", "Användaren finns inte.", "The user does not exist.")
DEVICE_NOT_FOUND = Text(
    "identity.device_not_found",
    "Enheten finns inte bland dina inloggade enheter.",
    "The device is not among your logged-in devices.",
)

# --- Signing -------------------------------------------------------------------------------------
NOT_YOURS = Text("identity.signature_not_yours", "Det här är inte din underskrift.", "This is not your signature.")
SIGN_ONLY_WEB_OR_APP = Text(
    "identity.sign_web_or_app",
    "Underskrifter görs på webben eller i appen.",
    "Signing is done on the website or in the app.",
)
SIGN_TEXT_LENGTH = Text(
    "identity.sign_text_length",
    "Texten att skriva under måste finnas och vara högst {max} tecken.",
    "The text to sign must be there and be at most {max} characters.",
)
SIGN_REFERENCE_MISSING = Text(
    "identity.sign_reference_missing", "Det saknas vad underskriften gäller.", "What the signature is for is missing."
)
MISSING = Text("identity.missing", "Saknas.", "Missing.")
INVALID_SIGNATURE = Text("identity.invalid_signature", "Ogiltig underskrift.", "Invalid signature.")
SIGNATURE_NOT_FOUND = Text("identity.signature_not_found", "Underskriften finns inte.", "The signature does not exist.")

# --- People, staff and the phone -----------------------------------------------------------------
RESIDENTS_ONLY = Text("identity.residents_only", "Bara invånare kan göra det här.", "Only residents can do this.")
TOO_MANY_TRIES = Text(
    "identity.too_many_tries",
    "För många försök. Vänta en stund och försök igen.",
    "Too many attempts. Wait a while and try again.",
)
STAFF_ONLY = Text(
    "identity.staff_only",
    "Det här får bara kommunens personal göra.",
    "Only the municipality's staff may do this.",
)
WHO_CALLED = Text("identity.who_called", "Ange vem som ringde.", "Say who made the call.")
WHO_CALLED_FIELD = Text("identity.who_called_field", "user eller RP.", "user or RP.")
NOT_YOUR_IDENTIFICATION = Text(
    "identity.identification_not_yours", "Det här är inte din identifiering.", "This is not your identification."
)
ROLES_NOT_SAVED = Text(
    "identity.roles_not_saved", "Behörigheten kunde inte sparas.", "The permissions could not be saved."
)
UNKNOWN_ROLE = Text("identity.unknown_role", "Okänd roll: {roles}", "Unknown role: {roles}")
UNIT_NEEDED = Text(
    "identity.unit_needed",
    "En handläggare behöver en enhet (små bokstäver, siffror och bindestreck).",
    "A case worker needs a unit (lower-case letters, digits and hyphens).",
)
UNIT_ONLY_CASE_WORKERS = Text(
    "identity.unit_only_case_workers", "Bara handläggare har en enhet.", "Only case workers have a unit."
)
ANSWER_GROUP_NEEDED = Text(
    "identity.answer_group_needed",
    "En kommunvägledare behöver en av svarsgrupperna.",
    "A contact-centre agent needs one of the answer groups.",
)
ANSWER_GROUP_ONLY_AGENTS = Text(
    "identity.answer_group_only_agents",
    "Bara kommunvägledare har en svarsgrupp.",
    "Only contact-centre agents have an answer group.",
)
OWN_ADMIN_ROLE = Text(
    "identity.own_admin_role",
    "Du kan inte ta bort din egen administratörsroll.",
    "You cannot remove your own administrator role.",
)
ACCESS_NOT_LOGGED = Text(
    "identity.access_not_logged", "Åtkomsten kunde inte loggas.", "The access could not be logged."
)
ACCESS_SUBJECTS_MISSING = Text(
    "identity.access_subjects_missing", "Vems uppgifter saknas.", "Whose details is missing."
)
ACCESS_ACTION = Text("identity.access_action", "read eller change.", "read or change.")
ACCESS_RESOURCE_MISSING = Text(
    "identity.access_resource_missing", "Vad som lästes saknas.", "What was read is missing."
)

# --- The watch -----------------------------------------------------------------------------------
CODE_WRONG = Text(
    "identity.watch_code_wrong",
    "Koden stämmer inte eller har gått ut. Kontrollera koden på klockan och försök igen.",
    "The code is wrong or has expired. Check the code on the watch and try again.",
)
WATCH_UNPAIRED = Text(
    "identity.watch_unpaired",
    "Klockan är inte längre kopplad. Koppla den igen.",
    "The watch is no longer paired. Pair it again.",
)
INVALID_CODE = Text("identity.invalid_device_code", "Ogiltig kod.", "Invalid code.")
PAIRING_NOT_FOUND = Text(
    "identity.pairing_not_found",
    "Kopplingen finns inte. Starta om kopplingen på klockan.",
    "The pairing does not exist. Start the pairing again on the watch.",
)
PAIR_WHEN_LOGGED_IN = Text(
    "identity.pair_when_logged_in",
    "Koppla klockan när du är inloggad på webben eller i appen.",
    "Pair the watch while you are logged in on the website or in the app.",
)

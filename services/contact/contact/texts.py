"""Every message the contact service shows people when it refuses something: Swedish first,
English second, under one key each (fickan_common.texts)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from fickan_common.texts import MONTHS_EN, MONTHS_SV, Text, both

FIX = Text("contact.fix", "Några uppgifter behöver rättas.", "Some details need to be corrected.")
SLOT_NOT_FOUND = Text("contact.slot_not_found", "Tiden finns inte.", "The time does not exist.")
BOOKING_NOT_FOUND = Text("contact.booking_not_found", "Bokningen finns inte.", "The booking does not exist.")
TAKEN = Text("contact.taken", "Tiden hann bokas av någon annan.", "Someone else booked this time a moment before you.")
NO_FREE = Text(
    "contact.no_free",
    "Det finns inga andra lediga tider just nu. Ring kontaktcenter så hjälper vi dig.",
    "There are no other free times right now. Call the contact centre and we will help you.",
)
TAKEN_NEXT_FREE = Text(
    "contact.taken_next_free", "{taken} Nästa lediga tider: {times}.", "{taken} The next free times: {times}."
)
PAST = Text(
    "contact.past",
    "Tiden har redan varit. Välj en tid som inte har börjat.",
    "The time has already passed. Choose a time that has not started.",
)
WITHDRAWN_TEXT = Text(
    "contact.withdrawn",
    "Rådgivaren har tagit bort tiden. Välj en annan tid.",
    "The advisor has removed the time. Choose another time.",
)
ALL_PASSED = Text(
    "contact.all_passed",
    "Alla tiderna har redan varit. Välj tider som inte har börjat.",
    "All the times have already passed. Choose times that have not started.",
)
NO_WEEKDAY = Text(
    "contact.no_weekday",
    "Ingen av veckodagarna infaller mellan första och sista dagen.",
    "None of the weekdays falls between the first and the last day.",
)
DATE_FORM = Text("contact.date_form", "Skriv ett datum som 2026-12-24.", "Write a date such as 2026-12-24.")
TIME_FORM = Text("contact.time_form", "Skriv en tid som 09:00.", "Write a time such as 09:00.")
KIND = Text("contact.kind", "Välj på plats, telefon eller video.", "Choose on site, telephone or video.")
WEEKDAYS = Text("contact.weekdays", "Välj minst en veckodag.", "Choose at least one weekday.")
END_AFTER_START = Text(
    "contact.end_after_start", "Sluttiden måste vara efter starttiden.", "The end time must be after the start time."
)
SLOT_LENGTH = Text(
    "contact.slot_length", "Välj en längd på {lengths} minuter.", "Choose a length of {lengths} minutes."
)
NO_SLOT_FITS = Text(
    "contact.no_slot_fits",
    "Från {start} till {end} ryms ingen tid på {minutes} minuter.",
    "No time of {minutes} minutes fits from {start} to {end}.",
)
FIRST_DAY_PAST = Text(
    "contact.first_day_past", "Första dagen kan inte ha varit.", "The first day cannot be in the past."
)
LAST_BEFORE_FIRST = Text(
    "contact.last_before_first",
    "Sista dagen måste vara samma dag eller efter den första.",
    "The last day must be the same day as the first or after it.",
)
MAX_WEEKS = Text(
    "contact.max_weeks", "Publicera högst {weeks} veckor åt gången.", "Publish at most {weeks} weeks at a time."
)
AT_MOST_CHARACTERS = Text("contact.at_most_characters", "Högst {max} tecken.", "At most {max} characters.")
EXTRA_LENGTH = Text(
    "contact.extra_length", "En tid är 10 minuter till 4 timmar lång.", "A time is 10 minutes to 4 hours long."
)
DAY_PASSED = Text("contact.day_passed", "Dagen har redan varit.", "The day has already passed.")
OVERLAP = Text(
    "contact.overlap",
    "Tiden {new} krockar med en tid du redan har ({existing}). Välj andra tider eller ta bort den gamla.",
    "The time {new} clashes with a time you already have ({existing}). Choose other times or remove the old one.",
)
TEXT_AT_MOST = Text(
    "contact.text_at_most", "Texten får vara högst {max} tecken.", "The text may be at most {max} characters."
)
PHONE_FORM = Text(
    "contact.phone_form",
    "Skriv ett telefonnummer med siffror, till exempel 070-123 45 67.",
    "Write a telephone number in digits, for example 070-123 45 67.",
)
PUBLISHERS_ONLY = Text(
    "contact.publishers_only",
    "Bara rådgivare och handläggare publicerar tider.",
    "Only advisors and case workers publish times.",
)
CHOOSE_ADVISORY_OR_UNIT = Text(
    "contact.choose_advisory_or_unit",
    "Välj en av de rådgivande tjänsterna eller din enhet.",
    "Choose one of the advisory services or your unit.",
)
NOT_BOOKABLE_GROUP = Text(
    "contact.not_bookable_group", "Här kan invånare inte boka tider.", "Residents cannot book times with this group."
)
OWN_SERVICE_ONLY = Text(
    "contact.own_service_only",
    "Du kan bara publicera tider för din egen tjänst.",
    "You can only publish times for your own service.",
)
JUST_PUBLISHED_MANY = Text(
    "contact.just_published_many",
    "Tiderna publicerades nyss. Ladda om sidan.",
    "The times were just published. Reload the page.",
)
JUST_PUBLISHED = Text(
    "contact.just_published",
    "Tiden publicerades nyss. Ladda om sidan.",
    "The time was just published. Reload the page.",
)
CHOOSE_DAY_OFF = Text("contact.choose_day_off", "Välj vilken dag du är ledig.", "Choose the day you are off.")
CHOOSE_DAY = Text("contact.choose_day", "Välj en dag.", "Choose a day.")
CHOOSE_ADVISORY = Text(
    "contact.choose_advisory", "Välj en av de rådgivande tjänsterna.", "Choose one of the advisory services."
)
RESIDENTS_BOOK = Text(
    "contact.residents_book", "Bara invånare kan boka tider här.", "Only residents can book times here."
)
WATCH_NO_BOOKING = Text(
    "contact.watch_no_booking",
    "Från klockan kan du se din nästa tid, inte boka.",
    "On the watch you can see your next time, not book.",
)
BOOKING_CANCELLED = Text(
    "contact.booking_cancelled", "Bokningen är avbokad. Boka en ny tid.", "The booking is cancelled. Book a new time."
)
NO_RESCHEDULE_PAST = Text(
    "contact.no_reschedule_past",
    "Tiden har redan varit och kan inte bokas om.",
    "The time has already passed and cannot be rescheduled.",
)
SAME_SERVICE = Text(
    "contact.same_service", "Boka om till en tid hos samma tjänst.", "Reschedule to a time with the same service."
)
ALREADY_BOOKED = Text(
    "contact.already_booked",
    "Du har redan en bokad tid hos {group}. Boka om den i stället.",
    "You already have a booked time with {group}. Reschedule it instead.",
)
NO_CANCEL_PAST = Text(
    "contact.no_cancel_past",
    "Tiden har redan varit och kan inte avbokas.",
    "The time has already passed and cannot be cancelled.",
)
RESIDENTS_BOOKINGS = Text(
    "contact.residents_bookings", "Bara invånare har bokningar här.", "Only residents have bookings here."
)
STATISTICS_STAFF = Text(
    "contact.statistics_staff",
    "Bara kontaktcenters medarbetare och administratörer ser statistiken.",
    "Only contact-centre staff and administrators see the statistics.",
)
DAY_FORM = Text(
    "contact.day_form",
    "Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-12-01.",
    "Write the date as YYYY-MM-DD, for example 2026-12-01.",
)
START_AFTER_END = Text(
    "contact.start_after_end", "Startdagen är efter slutdagen.", "The start day is after the end day."
)
MAX_DAYS = Text("contact.max_days", "Välj högst {days} dagar.", "Choose at most {days} days.")
OTHER_GROUP = Text(
    "contact.other_group",
    "Frågan hör till en annan svarsgrupp. Du ser bara din egen grupps frågor.",
    "The question belongs to another answer group. You only see your own group's questions.",
)
CLOSED_ALREADY = Text("contact.closed_already", "Frågan är redan avslutad.", "The question is already closed.")
CLOSE_REASON = Text("contact.close_reason", "Välj en kontaktorsak i listan.", "Choose a contact reason in the list.")
WHAT_QUESTION = Text("contact.what_question", "din fråga", "your question")
WHAT_REPLY = Text("contact.what_reply", "ditt svar", "your reply")
WHAT_NOTE = Text("contact.what_note", "anteckningen", "the note")
WRITE_WHAT = Text("contact.write_what", "Skriv {what}.", "Write {what}.")
SUBJECT_MISSING = Text("contact.subject_missing", "Skriv vad frågan gäller.", "Write what the question is about.")
SUBJECT_AT_MOST = Text(
    "contact.subject_at_most", "Rubriken får vara högst {max} tecken.", "The subject may be at most {max} characters."
)
EMAIL_FORM = Text(
    "contact.email_form",
    "Skriv en e-postadress som namn@exempel.se.",
    "Write an e-mail address such as name@example.com.",
)
REPLY_ADDRESS = Text(
    "contact.reply_address",
    "Skriv en e-postadress eller ett telefonnummer som vi kan svara till.",
    "Write an e-mail address or a telephone number we can reply to.",
)
TOPIC = Text("contact.topic", "Välj ett av ämnena i listan.", "Choose one of the topics in the list.")
UNKNOWN_CHANNEL = Text(
    "contact.unknown_channel", "Okänd kanal. Välj en av: {channels}.", "Unknown channel. Choose one of: {channels}."
)
CALL_NUMBER = Text(
    "contact.call_number", "Skriv telefonnumret vi ska ringa.", "Write the telephone number we should call."
)
NAME_AT_MOST = Text(
    "contact.name_at_most", "Namnet får vara högst {max} tecken.", "The name may be at most {max} characters."
)
STAFF_CHANNEL = Text(
    "contact.staff_channel",
    "Välj hur kontakten kom: telefon, e-post eller besök.",
    "Choose how the contact came: telephone, e-mail or visit.",
)
RESIDENTS_ASK = Text(
    "contact.residents_ask", "Bara invånare kan ställa frågor här.", "Only residents can ask questions here."
)
AGENTS_ONLY = Text(
    "contact.agents_only", "Bara kontaktcenters medarbetare kan göra det här.", "Only contact-centre staff can do this."
)
UNKNOWN_JURISDICTION = Text(
    "contact.unknown_jurisdiction",
    "jurisdiction_id: Okänd jurisdiktion {given}; här finns bara {ours}.",
    "jurisdiction_id not found: {given}; this endpoint serves {ours} only.",
)
UNKNOWN_SERVICE_CODE = Text(
    "contact.unknown_service_code",
    "Okänd typ av fel. Välj en av kommunens typer.",
    "Unknown kind of fault (service_code). Choose one of the municipality's kinds.",
)
LAT_AND_LONG = Text("contact.lat_and_long", "Ange både latitud och longitud.", "Give both latitude and longitude.")
NOT_WGS84 = Text(
    "contact.not_wgs84", "Positionen är inte en giltig WGS84-position.", "The position is not a valid WGS84 position."
)
OUTSIDE = Text(
    "contact.outside",
    "Platsen ligger utanför kommunen. Vänd dig till den kommun där felet finns.",
    "The place is outside the municipality. Contact the municipality where the fault is.",
)
WHERE_FAULT = Text(
    "contact.where_fault",
    "Ange var felet finns: en position eller en adress.",
    "Say where the fault is: a position or an address.",
)
ADDRESS_AT_MOST = Text(
    "contact.address_at_most", "Adressen får vara högst {max} tecken.", "The address may be at most {max} characters."
)
DESCRIBE_FAULT = Text("contact.describe_fault", "Beskriv felet.", "Describe the fault.")
DESCRIPTION_AT_MOST = Text(
    "contact.description_at_most",
    "Beskrivningen får vara högst {max} tecken.",
    "The description may be at most {max} characters.",
)
MEDIA_URL = Text(
    "contact.media_url",
    "Länken till bilden måste börja med https:// eller http://.",
    "The link to the picture must start with https:// or http://.",
)
UNKNOWN_ATTRIBUTE = Text(
    "contact.unknown_attribute", "Okänd fråga för den här typen av fel.", "Unknown question for this kind of fault."
)
ANSWER_ATTRIBUTE = Text("contact.answer_attribute", "Svara på frågan: {question}", "Answer the question: {question}")
ATTRIBUTE_VALUE = Text(
    "contact.attribute_value", "Välj ett av svaren i listan.", "Choose one of the answers in the list."
)
ONE_VALUE = Text("contact.one_value", "Ange bara ett svar.", "Give one answer only.")
A_NUMBER = Text("contact.a_number", "Ange ett tal.", "Enter a number.")
FAULT_NOT_FOUND = Text("contact.fault_not_found", "Felanmälan finns inte.", "The fault report does not exist.")
NO_KEY = Text("contact.no_key", "api_key saknas.", "api_key is missing.")
WRONG_KEY = Text("contact.wrong_key", "api_key är inte giltig.", "api_key is not valid.")
ISO_TIME = Text(
    "contact.iso_time",
    "Skriv en tid enligt ISO 8601, t.ex. 2026-12-01T00:00:00Z.",
    "Write a time in ISO 8601, e.g. 2026-12-01T00:00:00Z.",
)
WATCH_NO_FAULT = Text(
    "contact.watch_no_fault",
    "Från klockan kan du inte göra en felanmälan.",
    "You cannot report a fault from the watch.",
)
CHANNEL_WEB_MOBILE = Text("contact.channel_web_mobile", "Kanalen är web eller mobile.", "The channel is web or mobile.")
FAULT_STATUS = Text("contact.fault_status", "Status är open eller closed.", "The status is open or closed.")
UNKNOWN_SERVICE_CODES = Text(
    "contact.unknown_service_codes", "Okänd typ av fel: {codes}.", "Unknown kind of fault (service_code): {codes}."
)
FEEDBACK_KIND = Text(
    "contact.feedback_kind",
    "Omdömet gäller en kontakt, en bokning eller en e-tjänst.",
    "Feedback is about a contact, a booking or an e-service.",
)
COMMENT_AT_MOST = Text(
    "contact.comment_at_most",
    "Kommentaren får vara högst {max} tecken.",
    "The comment may be at most {max} characters.",
)
NOTHING_TO_RATE = Text(
    "contact.nothing_to_rate",
    "Det finns inget sådant att lämna omdöme om.",
    "There is nothing like that to give feedback on.",
)
RATE_WHEN_CLOSED = Text(
    "contact.rate_when_closed",
    "Du kan lämna omdöme när kontakten är avslutad.",
    "You can give feedback when the contact is closed.",
)
RATE_WHEN_HELD = Text(
    "contact.rate_when_held",
    "Du kan lämna omdöme när mötet har ägt rum.",
    "You can give feedback when the meeting has taken place.",
)
RATE_WHEN_SENT = Text(
    "contact.rate_when_sent",
    "Du kan lämna omdöme när ansökan är skickad.",
    "You can give feedback when the application is sent.",
)
FEEDBACK_DAY = Text(
    "contact.feedback_day", "Omdömet kan ändras under ett dygn.", "Feedback can be changed for one day."
)
FEEDBACK_JUST_SAVED = Text(
    "contact.feedback_just_saved",
    "Omdömet sparades nyss. Ladda om sidan.",
    "The feedback was just saved. Reload the page.",
)
OWN_GROUP_FEEDBACK = Text(
    "contact.own_group_feedback", "Du ser bara din egen grupps omdömen.", "You only see your own group's feedback."
)
GUEST_LIMIT = Text(
    "contact.guest_limit",
    "Du har skickat många frågor på kort tid. Vänta en stund och försök igen, eller ring kontaktcenter.",
    "You have sent many questions in a short time. Wait a while and try again, or call the contact centre.",
)
INVALID_CASE = Text("contact.invalid_case", "Ogiltigt ärende.", "Invalid case.")
CASE_NOT_LINKABLE = Text(
    "contact.case_not_linkable",
    "Frågan kan inte kopplas till det ärendet: det är inte ditt, eller så är det inte skickat än.",
    "The question cannot be linked to that case: it is not yours, or it has not been sent yet.",
)
WATCH_CALLBACK_ONLY = Text(
    "contact.watch_callback_only",
    "Från klockan kan du bara be om att bli uppringd.",
    "From the watch you can only ask to be called back.",
)
QUESTION_CLOSED_ASK_NEW = Text(
    "contact.question_closed_ask_new",
    "Frågan är avslutad. Ställ en ny fråga om du behöver mer hjälp.",
    "The question is closed. Ask a new question if you need more help.",
)
QUESTION_NOT_FOUND = Text("contact.question_not_found", "Frågan finns inte.", "The question does not exist.")
ATTACHMENT_NOT_FOUND = Text("contact.attachment_not_found", "Filen finns inte.", "The file does not exist.")
QUESTION_CLOSED_SEND = Text(
    "contact.question_closed_send",
    "Frågan är avslutad. Ställ en ny fråga om du behöver skicka mer.",
    "The question is closed. Ask a new question if you need to send more.",
)
MAX_FILES = Text("contact.max_files", "En fråga kan ha högst {max} filer.", "A question can have at most {max} files.")
SCREEN_REFUSED = Text(
    "contact.screen_refused",
    "Skärmen har inte längre tillgång till tavlan.",
    "The screen no longer has access to the board.",
)
SCREEN_NAME = Text(
    "contact.screen_name", "Ge skärmen ett namn, högst 100 tecken.", "Give the screen a name, at most 100 characters."
)
SCREEN_WHERE = Text("contact.screen_where", "Skriv var skärmen sitter.", "Write where the screen is.")
SCREEN_NOT_FOUND = Text("contact.screen_not_found", "Skärmen finns inte.", "The screen does not exist.")


_WEEKDAYS_SV = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")
_WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def when(at: datetime, zone: ZoneInfo) -> Text:
    """ "onsdag 3 december kl. 09:30" / "Wednesday 3 December at 09:30", in local time."""
    local = at.astimezone(zone)
    sv = f"{_WEEKDAYS_SV[local.weekday()]} {local.day} {MONTHS_SV[local.month - 1]} kl. {local:%H:%M}"
    en = f"{_WEEKDAYS_EN[local.weekday()]} {local.day} {MONTHS_EN[local.month - 1]} at {local:%H:%M}"
    return both(sv, en)

"""Every message the applications service shows people when it refuses something (and the
default messages of the forms' answers): Swedish first, English second, under one key each
(fickan_common.texts). A form's own Swedish message for a question keeps the default's English."""

from __future__ import annotations

from typing import Any

from fickan_common.texts import MONTHS_EN, MONTHS_SV, Text, both, day, month

FORM_REQUIRED = Text("applications.form.required", "Svara på frågan: {label}", "Answer the question: {label}")
FORM_REQUIRED_FILE = Text("applications.form.required_file", "Ladda upp: {label}", "Upload: {label}")
FORM_INTEGER = Text(
    "applications.form.integer",
    "Skriv ett heltal, utan mellanslag eller bokstäver.",
    "Write a whole number, without spaces or letters.",
)
FORM_CONTROL = Text(
    "applications.form.control",
    "Svaret innehåller tecken som inte är text (styrtecken). Ta bort dem och försök igen.",
    "The answer contains characters that are not text (control characters). Remove them and try again.",
)
FORM_RANGE = Text(
    "applications.form.range", "Skriv ett tal mellan {min} och {max}.", "Write a number between {min} and {max}."
)
FORM_MONTH = Text(
    "applications.form.month",
    "Skriv år och månad som ÅÅÅÅ-MM, till exempel 2026-12.",
    "Write the year and month as YYYY-MM, for example 2026-12.",
)
FORM_DATE = Text(
    "applications.form.date",
    "Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-12-01.",
    "Write the date as YYYY-MM-DD, for example 2026-12-01.",
)
FORM_CHOICE = Text("applications.form.choice", "Välj ett av alternativen.", "Choose one of the options.")
FORM_YESNO = Text("applications.form.yesno", "Svara ja eller nej.", "Answer yes or no.")
FORM_MAX_LENGTH = Text(
    "applications.form.max_length",
    "Texten får vara högst {max_length} tecken.",
    "The text may be at most {max_length} characters.",
)
FORM_GROUP = Text(
    "applications.form.group",
    "Svaren kunde inte läsas. Ladda om sidan och försök igen.",
    "The answers could not be read. Reload the page and try again.",
)
FORM_MIN_ITEMS = Text("applications.form.min_items", "Lägg till minst {min_items}.", "Add at least {min_items}.")
FORM_MAX_ITEMS = Text(
    "applications.form.max_items", "Du kan lägga till högst {max_items}.", "You can add at most {max_items}."
)
FORM_FILE = Text(
    "applications.form.file",
    "Bilagan kunde inte hittas. Ladda upp den igen.",
    "The attachment could not be found. Upload it again.",
)
FORM_UNKNOWN = Text("applications.form.unknown", "Frågan finns inte i formuläret.", "The question is not in the form.")
FORM_NOT_ANSWERABLE = Text(
    "applications.form.not_answerable", "Den här frågan har inget svar.", "This question has no answer."
)
FORM_EQUALS = Text("applications.form.equals", "Svaret behöver vara {equals}.", "The answer needs to be {equals}.")
FORM_PERSONNUMMER = Text(
    "applications.form.personnummer",
    "Skriv personnumret med 12 siffror, till exempel 19900101-2385.",
    "Write the personal identity number with 12 digits, for example 19900101-2385.",
)
ANSWERS_TO_FIX = Text("applications.answers_to_fix", "Några svar behöver rättas.", "Some answers need to be corrected.")
NO_SUCH_STEP = Text("applications.no_such_step", "Steget finns inte i formuläret.", "The step is not in the form.")
NOT_COMPLETE = Text(
    "applications.not_complete",
    "Ansökan är inte färdig. Svara på frågorna som saknas.",
    "The application is not complete. Answer the missing questions.",
)
NO_SUCH_ESERVICE = Text(
    "applications.no_such_eservice", "Det finns ingen sådan e-tjänst.", "There is no such e-service."
)
PERIOD_FORM = Text(
    "applications.period_form",
    "Skriv år och månad som ÅÅÅÅ-MM, till exempel 2026-12.",
    "Write the year and month as YYYY-MM, for example 2026-12.",
)
NOT_YOURS = Text(
    "applications.not_yours",
    "Du har inte behörighet till den här ansökan.",
    "You do not have access to this application.",
)
OTHER_UNIT = Text(
    "applications.other_unit", "Ärendet hör till en annan enhet än din.", "The case belongs to a unit other than yours."
)
CASE_WORKERS_ONLY = Text(
    "applications.case_workers_only", "Det här får bara handläggare göra.", "Only case workers may do this."
)
RESIDENTS_ONLY = Text("applications.residents_only", "Bara invånare kan göra det här.", "Only residents can do this.")
CHANGED_ELSEWHERE = Text(
    "applications.changed_elsewhere",
    "Ansökan har ändrats på en annan enhet. Ladda om sidan för att se de senaste svaren.",
    "The application has been changed on another device. Reload the page to see the latest answers.",
)
ALREADY_SENT = Text("applications.already_sent", "Ansökan är redan skickad.", "The application has already been sent.")
NO_WITHDRAW_DECIDED = Text(
    "applications.no_withdraw_decided",
    "Ansökan kan inte återtas när beslut är fattat.",
    "The application cannot be withdrawn once a decision has been made.",
)
NOT_SENT_YET = Text(
    "applications.not_sent_yet", "Ansökan är inte skickad än.", "The application has not been sent yet."
)
NO_TRANSITION = Text(
    "applications.no_transition",
    "Ärendet kan inte gå från ”{current}” till ”{target}”.",
    "The case cannot go from “{current}” to “{target}”.",
)
WINDOW_CLOSED = Text(
    "applications.window_closed",
    "Ansökan för {month} är inte öppen. {window}",
    "The application for {month} is not open. {window}",
)
WINDOW = Text(
    "applications.window",
    "Ansökan för {month} kan lämnas in {opens} – {closes}.",
    "The application for {month} can be handed in {opens} – {closes}.",
)
ALREADY_APPLIED = Text(
    "applications.already_applied",
    "Du har redan en ansökan för {month}.",
    "You already have an application for {month}.",
)
NO_CO_APPLICANT_HERE = Text(
    "applications.no_co_applicant_here", "Medsökande kan inte anges här.", "A co-applicant cannot be given here."
)
PARTNER_NOT_SELF = Text(
    "applications.partner_not_self",
    "Skriv din partners personnummer, inte ditt eget.",
    "Write your partner's personal identity number, not your own.",
)
ATTACHMENT_NOT_HERE = Text(
    "applications.attachment_not_here",
    "Bilagan hör inte till den här ansökan. Ladda upp den igen.",
    "The attachment does not belong to this application. Upload it again.",
)
SENT_NO_CHANGE = Text(
    "applications.sent_no_change",
    "Ansökan är redan skickad och kan inte ändras.",
    "The application has already been sent and cannot be changed.",
)
NOT_READY_TO_SIGN = Text(
    "applications.not_ready_to_sign",
    "Ansökan är inte klar att skriva under än.",
    "The application is not ready to be signed yet.",
)
SIGN_FIRST = Text(
    "applications.sign_first",
    "Skriv under ansökan med BankID innan du skickar den.",
    "Sign the application with BankID before you send it.",
)
SIGNATURE_UNCHECKABLE = Text(
    "applications.signature_uncheckable", "Underskriften kan inte kontrolleras.", "The signature cannot be checked."
)
CANNOT_CHECK = Text("applications.cannot_check", "Kan inte kontrolleras.", "Cannot be checked.")
SIGNATURE_OTHER_VERSION = Text(
    "applications.signature_other_version",
    "Underskriften gäller inte den här versionen av ansökan. Skriv under igen.",
    "The signature is not for this version of the application. Sign again.",
)
SIGNED_WAITING = Text(
    "applications.signed_waiting",
    "Du har redan skrivit under. Nu väntar ansökan på din medsökande.",
    "You have already signed. The application is now waiting for your co-applicant.",
)
NOT_WAITING_FOR_YOU = Text(
    "applications.not_waiting_for_you",
    "Ansökan väntar inte på din underskrift.",
    "The application is not waiting for your signature.",
)
WRITE_OR_UPLOAD = Text(
    "applications.write_or_upload",
    "Skriv något eller ladda upp det som efterfrågas.",
    "Write something or upload what was asked for.",
)
COMPLETION_TEXT_MAX = Text(
    "applications.completion_text_max",
    "Kompletteringens text får vara högst {max} tecken sammanlagt.",
    "The completion's text may be at most {max} characters in all.",
)
NO_COMPLETION = Text(
    "applications.no_completion", "Det finns ingen komplettering att skicka in.", "There is no completion to hand in."
)
COMPLETION_EXPIRED = Text(
    "applications.completion_expired",
    "Tiden för kompletteringen gick ut {day}. Handläggaren beslutar utifrån det som finns. Skriv till "
    "kontaktcenter om du har något viktigt att lägga till.",
    "The time for the completion ran out on {day}. The case worker decides on what there is. Write to the "
    "contact centre if you have something important to add.",
)
AGENTS_STATUS_ONLY = Text(
    "applications.agents_status_only",
    "Bara kontaktcenters medarbetare ser ärendets status här.",
    "Only contact-centre staff see the case's status here.",
)
APPLICATION_NOT_FOUND = Text(
    "applications.application_not_found", "Ansökan finns inte.", "The application does not exist."
)
NOT_SENT_NO_COPY = Text(
    "applications.not_sent_no_copy",
    "Ansökan är inte skickad än. Kopian finns när den är skickad.",
    "The application has not been sent yet. The copy exists once it is sent.",
)
THINNED_COPY = Text(
    "applications.thinned_copy",
    "Kopian finns inte längre: svaren i ärendet är gallrade enligt kommunens regler. Beslutet finns kvar i ärendet.",
    "The copy no longer exists: the case's answers have been erased under the municipality's rules. The "
    "decision remains in the case.",
)
THINNED_FILE = Text(
    "applications.thinned_file",
    "Filen är gallrad enligt kommunens regler och finns inte längre. Filnamnet finns kvar i ärendet.",
    "The file has been erased under the municipality's rules and no longer exists. Its name remains in the case.",
)
ATTACHMENTS_WHEN = Text(
    "applications.attachments_when",
    "Bilagor kan bara läggas till i ett utkast eller när kommunen ber om komplettering.",
    "Attachments can only be added to a draft or when the municipality asks for a completion.",
)
MAX_ATTACHMENTS = Text(
    "applications.max_attachments",
    "Ansökan kan ha högst {max} bilagor.",
    "The application can have at most {max} attachments.",
)
INVALID_ATTACHMENT = Text("applications.invalid_attachment", "Ogiltig bilaga.", "Invalid attachment.")
ATTACHMENT_NOT_FOUND = Text(
    "applications.attachment_not_found", "Bilagan finns inte.", "The attachment does not exist."
)
INVALID_APPLICATION_ID = Text("applications.invalid_application_id", "Ogiltigt ansökans-id.", "Invalid application id.")
INVALID_ID = Text("applications.invalid_id", "Ogiltigt id.", "Invalid id.")
NOT_VALID = Text("applications.not_valid", "Uppgiften är inte giltig.", "The detail is not valid.")
NOT_FOUND = Text("applications.not_found", "Finns inte.", "Does not exist.")
IDENTITY_AWAY = Text(
    "applications.identity_away",
    "Inloggningstjänsten svarar inte just nu. Försök igen om en stund.",
    "The login service is not answering right now. Please try again in a while.",
)
ADMINS_ONLY = Text(
    "applications.admins_only", "Bara administratörer ser gallringsloggen.", "Only administrators see the erasure log."
)
WRITE_MISSING = Text("applications.write_missing", "Skriv vad som saknas.", "Write what is missing.")
DUE_DATE_RANGE = Text(
    "applications.due_date_range",
    "Datumet behöver vara mellan i dag och 60 dagar framåt.",
    "The date needs to be between today and 60 days ahead.",
)
DATE_FORM = Text("applications.date_form", "Skriv datumet som ÅÅÅÅ-MM-DD.", "Write the date as YYYY-MM-DD.")
COMPLETION_NOT_SENT = Text(
    "applications.completion_not_sent",
    "Kompletteringen kunde inte skickas.",
    "The completion request could not be sent.",
)
ONLY_BEFORE_DECISION = Text(
    "applications.only_before_decision",
    "Beräkningen kan bara ändras innan beslut.",
    "The calculation can only be changed before the decision.",
)
OUTCOME = Text(
    "applications.outcome",
    "Välj beviljad, delvis beviljad eller avslag.",
    "Choose approved, partly approved or rejected.",
)
REASONS = Text(
    "applications.reasons",
    "Skriv skälen för beslutet. Den sökande har rätt att få veta varför.",
    "Write the reasons for the decision. The applicant has the right to know why.",
)
DECISION_NOT_SAVED = Text(
    "applications.decision_not_saved", "Beslutet kunde inte sparas.", "The decision could not be saved."
)
COMPLETION_TIME_LEFT = Text(
    "applications.completion_time_left",
    "Den sökande har till och med {day} på sig att komplettera. Du kan fatta beslut när tiden har gått ut "
    "eller när kompletteringen har kommit in.",
    "The applicant has until {day} to complete. You can decide when the time has run out or when the "
    "completion has come in.",
)
GRANTED_AMOUNT = Text("applications.granted_amount", "Ange beloppet som beviljas.", "Enter the amount granted.")
PAYMENT_DAY_RANGE = Text(
    "applications.payment_day_range",
    "Utbetalningsdagen behöver vara mellan i dag och 60 dagar framåt.",
    "The payment day needs to be between today and 60 days ahead.",
)
ONLY_APPROVED_PAID = Text(
    "applications.only_approved_paid",
    "Bara ett beviljat beslut kan betalas ut.",
    "Only an approved decision can be paid out.",
)
PAID_ALREADY = Text(
    "applications.paid_already",
    "En utbetalning för det här ärendet eller den här månaden finns redan.",
    "A payment for this case or this month already exists.",
)
NOT_SCHEDULED = Text(
    "applications.not_scheduled",
    "Ärendet har status {status}, inte schemalagd utbetalning.",
    "The case has the status {status}, not payment scheduled.",
)
NORM_DIR = Text(
    "applications.norm_dir",
    "{env} pekar på {value}, som inte är en mapp med riksnormtabeller.",
    "{env} points to {value}, which is not a folder of national norm tables.",
)
NORM_YEAR = Text(
    "applications.norm_year",
    "Året för riksnormen måste vara ett årtal, till exempel 2026.",
    "The year of the national norm must be a year, for example 2026.",
)
NORM_NO_TABLE = Text(
    "applications.norm_no_table",
    "Det finns ingen riksnormtabell för år {year}. Tabeller finns för: {years}.",
    "There is no national norm table for {year}. There are tables for: {years}.",
)
NONE = Text("applications.none", "inga", "none")
NORM_UNREADABLE = Text(
    "applications.norm_unreadable",
    "Riksnormtabellen {path} kunde inte läsas: {problem}",
    "The national norm table {path} could not be read: {problem}",
)
NORM_MISSING = Text(
    "applications.norm_missing",
    "Riksnormtabellen {path} är felaktig: uppgiften {name} saknas.",
    "The national norm table {path} is wrong: {name} is missing.",
)
NORM_WRONG = Text(
    "applications.norm_wrong",
    "Riksnormtabellen {path} är felaktig: {problem}",
    "The national norm table {path} is wrong: {problem}",
)
CALC_AMOUNT = Text(
    "applications.calc_amount",
    "Beloppet ska vara ett heltal mellan 0 och {max}.",
    "The amount must be a whole number between 0 and {max}.",
)
CALC_ADULTS = Text(
    "applications.calc_adults",
    "Hushållet ska ha en vuxen (ensamstående) eller två (gifta eller sambor).",
    "The household must have one adult (single) or two (married or cohabiting).",
)
CALC_CHILDREN = Text(
    "applications.calc_children", "Högst {max} barn kan räknas.", "At most {max} children can be counted."
)
CALC_CHILD_AGE = Text(
    "applications.calc_child_age",
    "Barnets ålder ska vara mellan 0 och {max} år.",
    "The child's age must be between 0 and {max} years.",
)
CALC_UNKNOWN_COST = Text(
    "applications.calc_unknown_cost", "Utgiften är okänd i beräkningen.", "The cost is unknown to the calculation."
)
CALC_UNKNOWN_INCOME = Text(
    "applications.calc_unknown_income",
    "Inkomstslaget är okänt i beräkningen.",
    "The kind of income is unknown to the calculation.",
)
CALC_INCOME_PERSON = Text(
    "applications.calc_income_person",
    "Ange om inkomsten är den sökandes, partnerns eller ett barns.",
    "Say whether the income is the applicant's, the partner's or a child's.",
)
CALC_MONTHS = Text(
    "applications.calc_months",
    "Antalet månader ska vara ett heltal, 0 eller mer.",
    "The number of months must be a whole number, 0 or more.",
)
CALC_TO_FIX = Text(
    "applications.calc_to_fix",
    "Uppgifterna till beräkningen behöver rättas.",
    "The details for the calculation need to be corrected.",
)
ADJUST_WHICH = Text(
    "applications.adjust_which", "Ange vilken rad som ska justeras.", "Say which line is to be adjusted."
)
ADJUST_WHY = Text("applications.adjust_why", "Skriv varför beloppet justeras.", "Write why the amount is adjusted.")
ADJUST_REASON_MAX = Text(
    "applications.adjust_reason_max",
    "Motiveringen får vara högst {max} tecken.",
    "The reason may be at most {max} characters.",
)
ADJUST_AMOUNT = Text(
    "applications.adjust_amount",
    "Beloppet ska vara ett heltal mellan -{max} och {max}.",
    "The amount must be a whole number between -{max} and {max}.",
)
ADJUST_TWICE = Text(
    "applications.adjust_twice",
    "Samma rad justeras redan i en annan justering.",
    "The same line is already adjusted in another adjustment.",
)
ADJUST_INCOME_SIGN = Text(
    "applications.adjust_income_sign",
    "En inkomst kan inte bli ett tillägg. Ange inkomsten som ett negativt belopp, till exempel {example}, "
    "eller 0 om den inte ska räknas.",
    "An income cannot become an addition. Give the income as a negative amount, for example {example}, or 0 if "
    "it is not to be counted.",
)
ADJUST_NOT_NEGATIVE = Text(
    "applications.adjust_not_negative",
    "Beloppet på den här raden kan inte vara negativt.",
    "The amount on this line cannot be negative.",
)
ADJUST_NO_LINE = Text(
    "applications.adjust_no_line",
    "Det finns ingen rad ”{code}” i beräkningen.",
    "There is no line “{code}” in the calculation.",
)
ADJUSTMENTS_FAILED = Text(
    "applications.adjustments_failed", "Justeringarna kunde inte göras.", "The adjustments could not be made."
)


def kr(amount: int) -> Text:
    """Whole kronor as the calculation writes them: "7 500 kr" / "SEK 7,500"."""
    sign = "-" if amount < 0 else ""
    return both(f"{sign}{abs(amount):,} kr".replace(",", " "), f"{sign}SEK {abs(amount):,}")


def month_of(period: str) -> Text:
    """ "2026-12" as "december 2026" / "December 2026"."""
    year, number = (int(part) for part in period.split("-"))
    return month(year, number)


def window_text(window: Any) -> Text:
    """When the application for a period (applications.domain.periods.Window) can be handed in."""
    opens = both(
        f"{window.opens.day} {MONTHS_SV[window.opens.month - 1]}",
        f"{window.opens.day} {MONTHS_EN[window.opens.month - 1]}",
    )
    return WINDOW.format(month=month_of(window.period), opens=opens, closes=day(window.closes))


def status(said: Any) -> Text:
    """A status's words (applications.domain.cases.Text: sv and en) as a value for `Text.format`."""
    return both(said.sv, said.en)


# Signing with BankID (applications/signing.py).
SIGNING_OTHER_CASE = Text(
    "applications.signing.other_case",
    "Underskriften gäller en annan ansökan. Börja om underskriften.",
    "The signature is for another application. Start the signing again.",
)
SIGNING_CHANGED = Text(
    "applications.signing.changed",
    "Ansökan har ändrats sedan du började skriva under. Läs igenom den och skriv under igen.",
    "The application has changed since you started signing. Read it through and sign again.",
)
SIGNING_ALREADY_SIGNED = Text(
    "applications.signing.already_signed",
    "Du har redan skrivit under. Nu väntar ansökan på din medsökande.",
    "You have already signed. The application is now waiting for your co-applicant.",
)
SIGNING_NO_SIGNATURE = Text(
    "applications.signing.no_signature",
    "Den här ansökan skickas utan underskrift.",
    "This application is sent without a signature.",
)
SIGNING_UNKNOWN_ORDER = Text(
    "applications.signing.unknown_order",
    "Underskriften finns inte eller är redan avslutad. Börja om.",
    "The signing does not exist or has already ended. Start again.",
)
SIGNING_ENDED = Text(
    "applications.signing.ended",
    "Underskriften avbröts eller tog för lång tid. Börja om.",
    "The signing was cancelled or took too long. Start again.",
)
SIGNING_NO_BANKID = Text(
    "applications.signing.no_bankid",
    "Underskrifter med BankID går inte att göra just nu. Försök igen om en stund.",
    "Signing with BankID is not possible right now. Try again in a while.",
)

# What applications says when identity or contact answers a refusal without words of its own.
NOT_NOW = Text("applications.not_now", "Det går inte just nu.", "This is not possible right now.")
NOT_ALLOWED = Text("applications.not_allowed", "Det här får du inte göra.", "You are not allowed to do this.")
# The contact-centre agents' glance (contact_links.py).
NOT_YOUR_GROUPS_CASE = Text(
    "applications.not_your_groups_case",
    "Du ser bara ärenden som en fråga i din svarsgrupp gäller.",
    "You only see cases that a question in your answer group is about.",
)
QUESTION_NOT_FOUND = Text("applications.question_not_found", "Frågan finns inte.", "The question does not exist.")
CONTACT_AWAY = Text(
    "applications.contact_away",
    "Kontaktcenters tjänst svarar inte just nu. Försök igen om en stund.",
    "The contact centre's service is not answering right now. Please try again in a while.",
)

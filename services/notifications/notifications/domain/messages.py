"""Every text a resident gets from notifications, in one place: per trigger the inbox subject and
body and the watch's short form (at most 60 characters), Swedish and English; and the channel
texts (e-mail, push) that only say there is news, never what (secrecy).

Plain functions of plain values: the handlers feed them what the events carry."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

LANGUAGES = ("sv", "en")
SHORT_MAX = 60

MONTHS = {
    "sv": (
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
    ),
    "en": (
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
    ),
}

# Application kinds as a resident says them ("din ansökan om ...").
KIND_NAMES = {
    "sv": {k: "ekonomiskt bistånd" for k in ("ekonomiskt_bistand", "eb_grundansokan", "eb_lopande")},
    "en": {k: "financial assistance" for k in ("ekonomiskt_bistand", "eb_grundansokan", "eb_lopande")},
}

MAX_ID_LENGTH = 36  # ids are uuids; the store's columns hold no more
_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


class MalformedEvent(ValueError):
    """The event lacks what the message needs; redelivering it will not help."""


class NobodyToTell(Exception):
    """The event is fine but concerns no resident with an inbox (a guest's contact, for example)."""


@dataclass(frozen=True)
class MessageText:
    subject: str
    body: str
    reference: str
    kind: str = ""
    short: str = ""
    fields: dict = field(default_factory=dict, compare=False, repr=False)


# trigger -> language -> (subject, body, short). {placeholders} are filled by render().
TEMPLATES: dict[str, dict[str, tuple[str, str, str]]] = {
    "application_received": {
        "sv": (
            "Vi har tagit emot din ansökan",
            "Vi har tagit emot {what}. Du får ett meddelande här när ansökan är beslutad.",
            "Ansökan mottagen",
        ),
        "en": (
            "We have received your application",
            "We have received {what}. You will get a message here when it has been decided.",
            "Application received",
        ),
    },
    "question_received": {
        "sv": (
            "Vi har tagit emot din fråga",
            "Tack för din fråga. Vi har tagit emot den och svarar så snart vi kan. Du får svaret här.",
            "Fråga mottagen",
        ),
        "en": (
            "We have received your question",
            "Thank you for your question. We have received it and will answer as soon as we can. "
            "You will find the answer here.",
            "Question received",
        ),
    },
    "reply_sent": {
        "sv": (
            "Svar från kontaktcenter",
            "Kontaktcenter har svarat på din fråga. Du läser svaret under Kontakt, Mina frågor.",
            "Svar från kontaktcenter",
        ),
        "en": (
            "Reply from the contact centre",
            "The contact centre has answered your question. Read the answer under Contact, My questions.",
            "Reply from the contact centre",
        ),
    },
    "booking_confirmed": {
        "sv": ("Ditt möte är bokat", "Ditt möte ({mode}) är bokat {when}.", "Möte bokat {when_short}"),
        "en": ("Your meeting is booked", "Your meeting ({mode}) is booked for {when}.", "Meeting booked {when_short}"),
    },
    "booking_reminder": {
        "sv": (
            "Påminnelse: du har ett möte i morgon",
            "Du har ett möte ({mode}) {when}.",
            "Möte i morgon {when_short}",
        ),
        "en": (
            "Reminder: you have a meeting tomorrow",
            "You have a meeting ({mode}) on {when}.",
            "Meeting tomorrow {when_short}",
        ),
    },
    "signature_requested": {
        "sv": (
            "Skriv under ansökan",
            "Du är medsökande i en ansökan om ekonomiskt bistånd. Logga in och skriv under den med ditt BankID, "
            "så skickas den till kommunen.",
            "Skriv under ansökan",
        ),
        "en": (
            "Sign the application",
            "You are co-applicant in an application for financial assistance. Log in and sign it with your "
            "BankID, and it is sent to the municipality.",
            "Sign the application",
        ),
    },
    "completion_requested": {
        "sv": (
            "Vi behöver mer underlag",
            "Handläggaren behöver mer underlag för att kunna besluta om din ansökan. Skicka in det{due}. "
            "Se vad som behövs i ansökan.",
            "Skicka in underlag{due_short}",
        ),
        "en": (
            "We need more documents",
            "The case worker needs more documents to decide on your application. Send them{due}. "
            "See what is needed in the application.",
            "Send documents{due_short}",
        ),
    },
    "random_check": {
        "sv": (
            "Din ansökan är utvald till stickprov",
            "Vi gör stickprov bland ansökningarna. Skicka in underlag för dina inkomster och utgifter{due}. "
            "Se vad som behövs i ansökan.",
            "Stickprov: skicka underlag{due_short}",
        ),
        "en": (
            "Your application was picked for a random check",
            "We check a random sample of applications. Send documents of your income and expenses{due}. "
            "See what is needed in the application.",
            "Random check: send documents{due_short}",
        ),
    },
    "completion_due": {
        "sv": (
            "Påminnelse: skicka in underlaget i morgon",
            "Underlaget till din ansökan ska vara inne senast i morgon, {date}. Skicka in det i ansökan.",
            "Underlag senast i morgon",
        ),
        "en": (
            "Reminder: send the documents by tomorrow",
            "The documents for your application are due tomorrow, {date}. Send them in the application.",
            "Documents due tomorrow",
        ),
    },
    "decision_approved": {
        "sv": (
            "Beslut om din ansökan",
            "{what} är beviljad med {amount}. Du får ett meddelande när pengarna betalas ut.",
            "Beviljad: {amount}",
        ),
        "en": (
            "Decision on your application",
            "{what} is approved with {amount}. You will get a message when the money is paid.",
            "Approved: {amount}",
        ),
    },
    "decision_partly_approved": {
        "sv": (
            "Beslut om din ansökan",
            "{what} är delvis beviljad med {amount}. Läs skälen i beslutet och hur du kan överklaga.",
            "Delvis beviljad: {amount}",
        ),
        "en": (
            "Decision on your application",
            "{what} is partly approved with {amount}. Read the reasons in the decision and how to appeal.",
            "Partly approved: {amount}",
        ),
    },
    "decision_rejected": {
        "sv": (
            "Beslut om din ansökan",
            "{what} har fått avslag. Läs skälen i beslutet och hur du kan överklaga inom tre veckor.",
            "Beslut: avslag",
        ),
        "en": (
            "Decision on your application",
            "{what} has been rejected. Read the reasons in the decision and how to appeal within three weeks.",
            "Decision: rejected",
        ),
    },
    "payment_scheduled": {
        "sv": ("Utbetalning planerad", "{amount} betalas ut till ditt konto {date}.", "{amount} betalas {date_short}"),
        "en": ("Payment scheduled", "{amount} will be paid to your account on {date}.", "{amount} paid {date_short}"),
    },
    "payment_day": {
        "sv": ("I dag betalas pengarna ut", "I dag betalas {amount} ut till ditt konto.", "I dag: {amount}"),
        "en": ("The money is paid today", "Today {amount} is paid to your account.", "Today: {amount}"),
    },
    "payment_made": {
        "sv": ("Pengarna är utbetalda", "{amount} är utbetalda till ditt konto.", "Utbetalt: {amount}"),
        "en": ("The money has been paid", "{amount} has been paid to your account.", "Paid: {amount}"),
    },
    "period_opened": {
        "sv": (
            "Nu kan du söka för {month}",
            "Ansökan om ekonomiskt bistånd för {month} är öppen {opens} – {closes}. "
            "Svaren från förra månaden är redan ifyllda.",
            "Sök för {month}",
        ),
        "en": (
            "You can now apply for {month}",
            "The application for financial assistance for {month} is open {opens} – {closes}. "
            "Last month's answers are already filled in.",
            "Apply for {month}",
        ),
    },
    "draft_deletion_warning": {
        "sv": (
            "Din påbörjade ansökan tas bort {date}",
            "Du har en påbörjad ansökan som inte har sparats på länge. Den tas bort {date}, med filerna du "
            "har bifogat, om du inte öppnar och sparar den innan dess. Läs mer under Integritet.",
            "Utkast tas bort {date_short}",
        ),
        "en": (
            "Your unfinished application will be deleted on {date}",
            "You have an unfinished application that has not been saved for a long time. It will be deleted "
            "on {date}, with the files you attached, unless you open and save it before then. Read more under "
            "Privacy.",
            "Draft deleted on {date_short}",
        ),
    },
    "draft_deleted": {
        "sv": (
            "Din påbörjade ansökan är borttagen",
            "Din påbörjade ansökan hade inte sparats på länge och är nu borttagen, med filerna du hade bifogat. "
            "Du kan börja en ny ansökan när du vill.",
            "Utkast borttaget",
        ),
        "en": (
            "Your unfinished application has been deleted",
            "Your unfinished application had not been saved for a long time and has now been deleted, with the "
            "files you had attached. You can start a new application whenever you like.",
            "Draft deleted",
        ),
    },
    "period_closing": {
        "sv": (
            "Sista dagarna att söka för {month}",
            "Ansökan för {month} stänger {closes}, om tre dagar. Du har inte skickat in någon ansökan än.",
            "Sök för {month} senast {closes_short}",
        ),
        "en": (
            "Last days to apply for {month}",
            "The application for {month} closes on {closes}, in three days. You have not sent one yet.",
            "Apply for {month} by {closes_short}",
        ),
    },
}

# What an e-mail and a push say: only that there is news, and where to read it.
CHANNEL_TEXTS = {
    "sv": {
        "email_subject": "Nytt meddelande från Fickan",
        "email_body": "Hej!\n\nDu har fått ett nytt meddelande i Fickan. Logga in för att läsa det:\n{link}\n\n"
        "Du får det här mejlet för att du har bett om det. Ändra dina val här: {settings}\n",
        "push_title": "Fickan",
        "push_body": "Du har ett nytt meddelande.",
        "confirm_subject": "Bekräfta din e-postadress i Fickan",
        "confirm_body": "Hej!\n\nBekräfta att vi får skicka aviseringar till den här adressen genom att öppna länken:\n"
        "{link}\n\nHar du inte bett om det kan du bortse från mejlet.\n",
    },
    "en": {
        "email_subject": "New message from Fickan",
        "email_body": "Hello,\n\nYou have a new message in Fickan. Log in to read it:\n{link}\n\n"
        "You get this e-mail because you asked for it. Change your choices here: {settings}\n",
        "push_title": "Fickan",
        "push_body": "You have a new message.",
        "confirm_subject": "Confirm your e-mail address in Fickan",
        "confirm_body": "Hello,\n\nConfirm that we may send notices to this address by opening the link:\n{link}\n\n"
        "If you did not ask for this, you can ignore this e-mail.\n",
    },
}

MODES = {
    "sv": {"visit": "besök", "phone": "telefon", "video": "video"},
    "en": {"visit": "visit", "phone": "phone", "video": "video"},
}


def language(value: str) -> str:
    return value if value in LANGUAGES else "sv"


def month_name(period: str, lang: str = "sv") -> str | None:
    """ "2026-12" -> "december 2026"; None when the period is not a valid YYYY-MM."""
    match = _PERIOD.match(period or "")
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        return None
    return f"{MONTHS[language(lang)][month - 1]} {year}"


def date_text(value: str, lang: str = "sv", short: bool = False) -> str:
    """ "2026-12-25" -> "25 december 2026" ("25 dec" short; the text as it came when not a date)."""
    match = _DATE.match(value or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        return value
    name = MONTHS[language(lang)][int(match.group(2)) - 1]
    if short:
        return f"{int(match.group(3))} {name[:3]}"
    return f"{int(match.group(3))} {name} {match.group(1)}"


def kr(amount: int) -> str:
    return f"{amount:,}".replace(",", "\u00a0") + " kr"


def require_id(field_name: str, value: str) -> str:
    """A usable id from an event, or MalformedEvent naming the field."""
    value = (value or "").strip()
    if not value:
        raise MalformedEvent(f"{field_name} is missing")
    if len(value) > MAX_ID_LENGTH:
        raise MalformedEvent(f"{field_name} is longer than {MAX_ID_LENGTH} characters")
    return value


def _localise(fields: dict, lang: str) -> dict:
    """The language's form of the raw values an event or reminder carries."""
    out = dict(fields)
    if "period" in fields:
        out["month"] = month_name(fields["period"], lang) or fields["period"]
        kind = KIND_NAMES[lang].get(fields.get("application_kind", ""))
        month = month_name(fields["period"], lang)
        if lang == "sv":
            what = "din ansökan" + (f" om {kind}" if kind else "") + (f" för {month}" if month else "")
            out["what"] = what if "application_kind" in fields else ("Din ansökan" + (f" för {month}" if month else ""))
        else:
            what = "your application" + (f" for {kind}" if kind else "") + (f" for {month}" if month else "")
            out["what"] = (
                what if "application_kind" in fields else ("Your application" + (f" for {month}" if month else ""))
            )
    if "amount" in fields:
        out["amount"] = kr(int(fields["amount"]))
    for name in ("date", "opens", "closes"):
        if name in fields:
            out[name] = date_text(fields[name], lang)
            out[f"{name}_short"] = date_text(fields[name], lang, short=True)
    if "due_date" in fields:
        due = fields["due_date"]
        by = "senast" if lang == "sv" else "by"
        out["due"] = f" {by} {date_text(due, lang)}" if due else ""
        out["due_short"] = f" {by} {date_text(due, lang, short=True)}" if due else ""
    if "starts_at" in fields:
        # "2026-12-03T10:00" local time, as the reminder stored it
        day, _, clock = fields["starts_at"].partition("T")
        at = "kl." if lang == "sv" else "at"
        out["when"] = f"{date_text(day, lang)} {at} {clock[:5]}"
        out["when_short"] = f"{date_text(day, lang, short=True)} {clock[:5]}"
        out["mode"] = MODES[lang].get(fields.get("mode", ""), fields.get("mode", ""))
    return out


def render(kind: str, fields: dict, reference: str, lang: str = "sv") -> MessageText:
    """The message of one trigger in one language. A template that needs a value the event lacks
    makes the event malformed."""
    lang = language(lang)
    subject, body, short = TEMPLATES[kind][lang]
    values = _localise(fields, lang)
    try:
        text = MessageText(
            subject=subject.format(**values),
            body=body.format(**values),
            reference=reference,
            kind=kind,
            short=short.format(**values)[:SHORT_MAX],
            fields=dict(fields),
        )
    except KeyError as exc:
        raise MalformedEvent(f"{kind} needs {exc.args[0]}") from None
    return text


# The named texts of each trigger (the handlers and the tests call these).


def application_received(application_id: str, kind: str, period: str, lang: str = "sv") -> MessageText:
    """The receipt for a submitted application. An unknown kind or unreadable period leaves that
    part out rather than leaving the resident without a receipt."""
    return render(
        "application_received",
        {"period": period, "application_kind": kind},
        f"application:{application_id}",
        lang,
    )


def question_received(question_id: str, lang: str = "sv") -> MessageText:
    return render("question_received", {}, f"question:{question_id}", lang)


def reply_sent(question_id: str, lang: str = "sv") -> MessageText:
    """The contact centre answered: the answer itself stays in the thread (events carry no text)."""
    return render("reply_sent", {}, f"question:{question_id}", lang)


def signature_requested(application_id: str, lang: str = "sv") -> MessageText:
    return render("signature_requested", {}, f"application:{application_id}", lang)


def completion_requested(application_id: str, due_date: str, random_check: bool, lang: str = "sv") -> MessageText:
    kind = "random_check" if random_check else "completion_requested"
    return render(kind, {"due_date": due_date}, f"application:{application_id}", lang)


def decision_made(application_id: str, outcome: str, amount: int, period: str, lang: str = "sv") -> MessageText:
    if outcome not in ("approved", "partly_approved", "rejected"):
        raise MalformedEvent(f"unknown outcome {outcome!r}")
    return render(f"decision_{outcome}", {"period": period, "amount": amount}, f"application:{application_id}", lang)


def payment_scheduled(application_id: str, amount: int, payment_date: str, lang: str = "sv") -> MessageText:
    return render("payment_scheduled", {"amount": amount, "date": payment_date}, f"application:{application_id}", lang)


def payment_made(application_id: str, amount: int, lang: str = "sv") -> MessageText:
    return render("payment_made", {"amount": amount}, f"application:{application_id}", lang)


def period_opened(period: str, opens: str, closes: str, lang: str = "sv") -> MessageText:
    if not month_name(period):
        raise MalformedEvent(f"period {period!r} is not YYYY-MM")
    return render("period_opened", {"period": period, "opens": opens, "closes": closes}, f"period:{period}", lang)

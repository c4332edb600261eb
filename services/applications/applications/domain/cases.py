"""The case lifecycle as an explicit state machine, who may do what with a case, and what the resident
reads about each step in plain Swedish (English second).

    draft ─▶ signature_pending ─▶ submitted ─▶ received ─▶ in_progress ─▶ decided ─▶ payment_scheduled ─▶ paid ─▶ closed
      │            │                  │            │   ▲          │  ▲         │
      │            │                  │            ▼   │          ▼  │         └─▶ closed (rejected)
      │            │                  │      completion_requested ⇄ completion_submitted
      │            │                  │      random_check         ─▶ completion_submitted
      │            │                  │      (either ─▶ decided once its due date passed unanswered)
      └────────────┴──────────────────┴──── withdrawn (by the resident, any time before a decision)

Every move is checked here; an illegal one is refused with Conflict and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from applications import texts
from fickan_common.errors import Conflict, PermissionDenied, StaleVersion
from fickan_common.tokens import Principal

DRAFT = "draft"
SIGNATURE_PENDING = "signature_pending"
SUBMITTED = "submitted"
RECEIVED = "received"
IN_PROGRESS = "in_progress"
COMPLETION_REQUESTED = "completion_requested"
RANDOM_CHECK = "random_check"
COMPLETION_SUBMITTED = "completion_submitted"
DECIDED = "decided"
PAYMENT_SCHEDULED = "payment_scheduled"
PAID = "paid"
CLOSED = "closed"
WITHDRAWN = "withdrawn"

# status -> the statuses it may move to
TRANSITIONS: dict[str, set[str]] = {
    DRAFT: {SIGNATURE_PENDING, SUBMITTED, WITHDRAWN},
    SIGNATURE_PENDING: {SUBMITTED, DRAFT, WITHDRAWN},
    SUBMITTED: {RECEIVED, WITHDRAWN},
    RECEIVED: {IN_PROGRESS, COMPLETION_REQUESTED, RANDOM_CHECK, DECIDED, WITHDRAWN},
    IN_PROGRESS: {COMPLETION_REQUESTED, RANDOM_CHECK, DECIDED, WITHDRAWN},
    # To decided only once the due date passed unanswered (checked by Casework.decide): the case
    # worker decides on what there is; nothing is ever rejected by itself.
    COMPLETION_REQUESTED: {COMPLETION_SUBMITTED, DECIDED, WITHDRAWN},
    RANDOM_CHECK: {COMPLETION_SUBMITTED, DECIDED, WITHDRAWN},
    COMPLETION_SUBMITTED: {IN_PROGRESS, COMPLETION_REQUESTED, RANDOM_CHECK, DECIDED, WITHDRAWN},
    DECIDED: {PAYMENT_SCHEDULED, CLOSED},
    PAYMENT_SCHEDULED: {PAID},
    PAID: {CLOSED},
    CLOSED: set(),
    WITHDRAWN: set(),
}
STATUSES = tuple(TRANSITIONS)
OPEN_FOR_STAFF = {RECEIVED, IN_PROGRESS, COMPLETION_REQUESTED, RANDOM_CHECK, COMPLETION_SUBMITTED}
UNDECIDED = {DRAFT, SIGNATURE_PENDING, SUBMITTED, *OPEN_FOR_STAFF}
WAITING_FOR_RESIDENT = {COMPLETION_REQUESTED, RANDOM_CHECK}
# The applicant may still change the answers (new answers void the signatures).
EDITABLE = {DRAFT, SIGNATURE_PENDING}
# The case waits for its residents: to finish it, sign it or send what is missing.
RESIDENTS_ACT = {*EDITABLE, *WAITING_FOR_RESIDENT}
RESIDENT_ROLES = ("applicant", "co_applicant")
# The municipality's turn to decide: sent or open for staff, not waiting for the resident (a
# completion asked for, a random check). The decision target counts down only here.
MUNICIPALITYS_TURN = {SUBMITTED, *OPEN_FOR_STAFF} - WAITING_FOR_RESIDENT
ENDED = {CLOSED, WITHDRAWN}
# Begun and not ended: what the case_status_changed event calls open (contact links a question to it).
OPEN = set(STATUSES) - {DRAFT} - ENDED


@dataclass(frozen=True)
class Text:
    sv: str
    en: str


# What the resident reads about the case in each status: where it is and what happens next.
STATUS_TEXT: dict[str, Text] = {
    DRAFT: Text("Utkast – inte skickad än", "Draft – not sent yet"),
    SIGNATURE_PENDING: Text("Väntar på underskrift från medsökande", "Waiting for the co-applicant's signature"),
    SUBMITTED: Text("Skickad – vi har tagit emot din ansökan", "Sent – we have received your application"),
    RECEIVED: Text("Mottagen – står i kö för handläggning", "Received – queued for a case worker"),
    IN_PROGRESS: Text("Handläggs – en handläggare går igenom din ansökan", "In progress – a case worker is on it"),
    COMPLETION_REQUESTED: Text("Komplettering behövs – vi väntar på dig", "Completion needed – we are waiting for you"),
    RANDOM_CHECK: Text(
        "Stickprov – visa underlag för inkomster och utgifter", "Random check – show proof of incomes and costs"
    ),
    COMPLETION_SUBMITTED: Text("Komplettering inskickad – handläggs", "Completion sent – being handled"),
    DECIDED: Text("Beslut fattat", "Decided"),
    PAYMENT_SCHEDULED: Text("Beviljad – utbetalning planerad", "Approved – payment scheduled"),
    PAID: Text("Utbetald", "Paid"),
    CLOSED: Text("Avslutad", "Closed"),
    WITHDRAWN: Text("Återtagen", "Withdrawn"),
}

# The timeline entry written for each move, in the resident's words.
TIMELINE_TEXT: dict[str, Text] = {
    DRAFT: Text("Ansökan är tillbaka som utkast.", "The application is a draft again."),
    SIGNATURE_PENDING: Text(
        "Du har skrivit under. Nu behöver din medsökande skriva under med BankID.",
        "You have signed. Now your co-applicant needs to sign with BankID.",
    ),
    SUBMITTED: Text("Ansökan är skickad till kommunen.", "The application was sent to the municipality."),
    RECEIVED: Text("Ansökan är mottagen och står i kö för handläggning.", "The application is received and queued."),
    IN_PROGRESS: Text("En handläggare har börjat gå igenom ansökan.", "A case worker has started on the application."),
    COMPLETION_REQUESTED: Text(
        "Handläggaren behöver mer underlag från dig.", "The case worker needs more documents from you."
    ),
    RANDOM_CHECK: Text(
        "Din ansökan har valts ut till stickprov. Visa underlag för inkomster och utgifter.",
        "Your application was picked for a random check. Show proof of incomes and costs.",
    ),
    COMPLETION_SUBMITTED: Text("Du har skickat in kompletteringen.", "You have sent the completion."),
    DECIDED: Text("Beslut är fattat.", "A decision has been made."),
    PAYMENT_SCHEDULED: Text("Utbetalningen är planerad.", "The payment is scheduled."),
    PAID: Text("Pengarna är utbetalda.", "The money has been paid."),
    CLOSED: Text("Ärendet är avslutat.", "The case is closed."),
    WITHDRAWN: Text("Ansökan är återtagen.", "The application was withdrawn."),
}

# The same for staff, where the resident's wording ("vi väntar på dig", "Du har…") would be wrong.
STAFF_STATUS_TEXT: dict[str, Text] = {
    SUBMITTED: Text("Skickad – väntar på att tas emot", "Sent – waiting to be received"),
    IN_PROGRESS: Text("Handläggs", "In progress"),
    COMPLETION_REQUESTED: Text(
        "Komplettering begärd – väntar på den sökande", "Completion requested – waiting for the applicant"
    ),
    RANDOM_CHECK: Text(
        "Stickprov – väntar på underlag från den sökande", "Random check – waiting for the applicant's proof"
    ),
}
STAFF_TIMELINE_TEXT: dict[str, Text] = {
    SIGNATURE_PENDING: Text(
        "Den sökande skrev under. Medsökande behövde skriva under med BankID.",
        "The applicant signed. The co-applicant needed to sign with BankID.",
    ),
    COMPLETION_REQUESTED: Text(
        "Handläggaren begärde komplettering från den sökande.", "The case worker asked the applicant for more."
    ),
    RANDOM_CHECK: Text(
        "Ansökan valdes ut till stickprov: underlag för inkomster och utgifter begärdes.",
        "The application was picked for a random check: proof of incomes and costs was requested.",
    ),
    COMPLETION_SUBMITTED: Text("Den sökande skickade in kompletteringen.", "The applicant sent the completion."),
}

OUTCOMES = ("approved", "partly_approved", "rejected")
OUTCOME_TEXT = {
    "approved": Text("Beviljad", "Approved"),
    "partly_approved": Text("Delvis beviljad", "Partly approved"),
    "rejected": Text("Avslag", "Rejected"),
}
APPEAL_TEXT = Text(
    "Om du inte är nöjd med beslutet kan du överklaga det. Skriv till kommunen inom tre veckor från den dag du "
    "fick beslutet. Berätta vilket beslut du överklagar, varför du tycker att det är fel och hur du vill att det "
    "ska ändras. Kommunen skickar överklagandet vidare till förvaltningsrätten.",
    "If you are not satisfied with the decision you can appeal. Write to the municipality within three weeks of "
    "the day you received the decision. Say which decision you appeal, why you think it is wrong and how you want "
    "it changed. The municipality sends the appeal on to the administrative court.",
)

# Notes written in the resident's words, as staff read them.
STAFF_NOTE_TEXT: dict[str, Text] = {
    "Du lade till i kompletteringen.": Text(
        "Den sökande lade till i kompletteringen.", "The applicant added to the completion."
    ),
}

NOT_YOURS = texts.NOT_YOURS
OTHER_UNIT = texts.OTHER_UNIT
CASE_WORKERS_ONLY = texts.CASE_WORKERS_ONLY


@dataclass(frozen=True)
class Allowed:
    """What the caller may do with a case now. Clients offer only these; the commands check the same
    rules (transition() and the checks in service and casework) and refuse the rest."""

    edit: bool = False
    withdraw: bool = False
    start_work: bool = False
    request_completion: bool = False
    decide: bool = False
    schedule_payment: bool = False
    close: bool = False


def allowed(status: str, role: str, outcome: str = "", overdue: bool = False) -> Allowed:
    """role: applicant | co_applicant | staff; outcome: the decision's; overdue: the latest completion's
    due date passed unanswered (a case waiting for the resident is decided only then)."""
    moves = TRANSITIONS.get(status, set())
    if role in RESIDENT_ROLES:
        return Allowed(edit=role == "applicant" and status in EDITABLE, withdraw=WITHDRAWN in moves)
    if role != "staff":
        return Allowed()
    return Allowed(
        start_work=IN_PROGRESS in moves,
        request_completion=COMPLETION_REQUESTED in moves,
        decide=DECIDED in moves and (status not in WAITING_FOR_RESIDENT or overdue),
        schedule_payment=PAYMENT_SCHEDULED in moves and outcome != "rejected",
        # An approved case is closed by the service once paid; a case worker closes a rejected one.
        close=CLOSED in moves and status == DECIDED and outcome == "rejected",
    )


def text_of(status: str) -> Text:
    return STATUS_TEXT.get(status, Text(status, status))


def staff_text_of(status: str) -> Text:
    return STAFF_STATUS_TEXT.get(status) or text_of(status)


def staff_timeline_text(status: str, kind: str, text: Text) -> Text:
    """A timeline entry as a case worker reads it: the resident's wording of a move becomes the
    staff's; entries written for both (a decision, a payment) stay as they are."""
    if kind == "status" and status in STAFF_TIMELINE_TEXT and text.sv == TIMELINE_TEXT[status].sv:
        return STAFF_TIMELINE_TEXT[status]
    return STAFF_NOTE_TEXT.get(text.sv, text)


def require_resident(principal: Principal) -> None:
    if not principal.is_resident:
        raise PermissionDenied(texts.RESIDENTS_ONLY)


def require_owner(principal: Principal, applicant_id: str) -> None:
    """Changes to a draft are the applicant's alone."""
    if principal.user_id != applicant_id:
        raise PermissionDenied(NOT_YOURS)


def resident_role(principal: Principal, applicant_id: str, co_applicant_id: str | None) -> str:
    """The caller's part in a case: applicant or co_applicant; refused otherwise."""
    if principal.user_id == applicant_id:
        return "applicant"
    if co_applicant_id and principal.user_id == co_applicant_id:
        return "co_applicant"
    raise PermissionDenied(NOT_YOURS)


def require_case_worker(principal: Principal) -> None:
    if not principal.has_role("case_worker") or not principal.unit:
        raise PermissionDenied(CASE_WORKERS_ONLY)


def require_case_worker_of(principal: Principal, unit: str, status: str) -> None:
    """Staff see cases of their own unit only, once sent; a draft is the resident's own business."""
    require_case_worker(principal)
    if status in (DRAFT, SIGNATURE_PENDING) or unit != principal.unit:
        raise PermissionDenied(OTHER_UNIT)


def require_version(current: int, expected: int) -> None:
    """expected 0 means the client does not check (first save from a fresh client)."""
    if expected and expected != current:
        raise StaleVersion(texts.CHANGED_ELSEWHERE)


def transition(current: str, target: str) -> str:
    """The new status, or Conflict with a plain Swedish reason."""
    if target in TRANSITIONS.get(current, set()):
        return target
    if current == target == SUBMITTED:
        raise Conflict(texts.ALREADY_SENT)
    if target == WITHDRAWN:
        raise Conflict(texts.NO_WITHDRAW_DECIDED)
    if current in (DRAFT, SIGNATURE_PENDING) and target != WITHDRAWN:
        raise Conflict(texts.NOT_SENT_YET)
    raise Conflict(
        texts.NO_TRANSITION.format(current=texts.status(text_of(current)), target=texts.status(text_of(target)))
    )

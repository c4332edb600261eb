"""Decision proposals for standard monthly cases.

When a monthly application comes in, the service checks it against a short list of rules, each
passed or failed with a plain Swedish explanation, and proposes a decision with the calculation's
amount. A case worker accepts or overrides the proposal; a municipality may let the service decide
by itself when every rule passed (FICKAN_AUTO_DECIDE). The rule trace stays on the case either way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from applications.domain.calculation import Calculation, CalculationInput
from applications.domain.forms import NO, YES, Form, tagged

APPROVE = "approve"
NEEDS_CASE_WORKER = "needs_case_worker"


@dataclass(frozen=True)
class Check:
    rule: str
    text: str
    passed: bool
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "text": self.text, "passed": self.passed, "detail": self.detail}


def checks(
    form: Form,
    answers: Mapping[str, Any],
    data: CalculationInput,
    previous: CalculationInput | None,
    previous_approved: bool,
    calculation: Calculation,
    in_period: bool,
    random_check: bool,
) -> list[Check]:
    """Every rule, in order, each with its result. The rules read the calculation's input and the
    form's tagged questions ({"case": "changes"}, {"case": "income_proof"}), never a question id: a
    form without such a question fails that rule, so its cases always go to a case worker."""
    changes, proof = tagged(form, "case", "changes"), tagged(form, "case", "income_proof")
    changed = answers.get(changes.id) if changes else None
    rent = data.costs.get("housing")
    last_rent = previous.costs.get("housing") if previous else None
    return [
        Check(
            "monthly_after_approval",
            "Månadsansökan efter ett tidigare beviljat beslut",
            form.period_bound and previous_approved,
            "" if previous_approved else "Det finns inget tidigare beviljat beslut att bygga på.",
        ),
        Check(
            "nothing_changed",
            "Inget i hushållet har ändrats sedan förra månaden",
            changed == NO,
            "Den sökande har angett ändringar." if changed == YES else "",
        ),
        Check(
            "rent_unchanged",
            "Boendekostnaden är densamma som förra månaden",
            rent is not None and rent == last_rent,
            f"Förra månaden {last_rent or 0} kr, nu {rent or 0} kr." if rent != last_rent else "",
        ),
        Check(
            "no_costs_to_assess",
            "Inga utgifter som behöver prövas särskilt (läkarvård, tandvård, glasögon …)",
            not data.assessed_costs,
        ),
        Check(
            "incomes_documented",
            "Inkomsterna styrks med lönebesked eller beslut",
            (not data.incomes) or bool(proof and answers.get(proof.id)),
        ),
        Check("within_period", "Ansökan kom in under ansökningsperioden", in_period),
        Check(
            "confirmed_norm",
            "Beräkningen bygger bara på fastställda belopp",
            not calculation.estimated,
            "Någon del av riksnormen är uppskattad." if calculation.estimated else "",
        ),
        Check(
            "support_needed",
            "Hushållets behov är större än inkomsterna",
            calculation.result > 0,
            f"Beräknat bistånd {calculation.result} kr.",
        ),
        Check("not_random_check", "Ansökan är inte utvald till stickprov", not random_check),
    ]


def propose(found: list[Check], calculation: Calculation) -> dict[str, Any]:
    """The proposal as stored on the case (and sent to case workers)."""
    passed = all(c.passed for c in found)
    return {
        "recommendation": APPROVE if passed else NEEDS_CASE_WORKER,
        "amount": calculation.result if passed else 0,
        "checks": [c.as_dict() for c in found],
    }

"""What goes into the copy of a sent application: made only of the snapshot kept when it was sent
(the answers as the resident read them, the attachments, who signed and when), plus the completions
the resident has answered since, clearly apart. Swedish, like the form itself."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from applications import copy_pdf
from applications.domain import forms
from applications.domain.periods import MONTHS_SV, month_name

LOCAL = ZoneInfo("Europe/Stockholm")
ROLE = {"applicant": "Sökande", "co_applicant": "Medsökande"}
KINDS = {"application/pdf": "PDF", "image/png": "PNG-bild", "image/jpeg": "JPEG-bild"}


def when(value: str | datetime | None) -> str:
    """ "3 december 2026 kl. 10:14", Swedish time."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    local = moment.astimezone(LOCAL)
    return f"{local.day} {MONTHS_SV[local.month - 1]} {local.year} kl. {local:%H:%M}"


def _size(size: int) -> str:
    return (
        f"{max(1, round(size / 1024))} kB" if size < 1024 * 1024 else f"{size / (1024 * 1024):.1f} MB".replace(".", ",")
    )


def filename(application_id: str) -> str:
    return f"ansokan-{application_id[:8]}.pdf"


def render(snapshot: dict[str, Any], application_id: str, completions: list[dict[str, Any]]) -> bytes:
    form = forms.form_for(snapshot["form_kind"], snapshot["form_version"])
    period = snapshot.get("period", "")
    title = form.title + (f" för {month_name(period)}" if period and form.period_bound else "")
    short_id = application_id[:8]
    doc = copy_pdf.Document(
        title=f"{title} – kopia av det du skickade",
        subject=f"Ärende {short_id}, skickad {when(snapshot['at'])}",
        footer=f"Fickan – kopia av ärende {short_id}",
    )
    doc.heading(1, title)
    doc.paragraph(
        f"Det här är en kopia av det som skickades till kommunen {when(snapshot['at'])}. "
        f"Ärendenummer {short_id}. Kopian är gjord av det som sparades när ansökan skickades."
    )

    doc.heading(2, "Underskrifter")
    signatures = snapshot.get("signatures") or []
    for signature in signatures:
        name = signature.get("name") or "namnet saknas"
        doc.item(
            f"{name} skrev under med BankID {when(signature.get('signed_at'))}.",
            label=ROLE.get(signature.get("role", ""), "Underskrift"),
        )
    if not signatures:
        doc.paragraph("Ansökan skickades utan underskrift med BankID.")

    names = {a["id"]: a["filename"] for a in snapshot.get("attachments", [])}
    doc.heading(2, "Dina svar")
    for step_title, lines in forms.read_answers(form, snapshot.get("answers", {}), names):
        doc.heading(3, step_title)
        for question, answer in lines:
            doc.item(answer or "Inget svar", label=question)

    doc.heading(2, "Bilagor")
    attachments = snapshot.get("attachments") or []
    for stored in attachments:
        kind = KINDS.get(stored.get("content_type", ""), "fil")
        doc.item(
            f"{stored['filename']} ({kind}, {_size(stored.get('size', 0))}), uppladdad "
            f"{when(stored.get('uploaded_at'))}. Kontrollsumma SHA-256: {stored.get('sha256', '')[:16]}…"
        )
    if not attachments:
        doc.paragraph("Inga bilagor skickades med ansökan.")

    if completions:
        doc.heading(2, "Kompletteringar du har skickat efteråt")
        for completion in completions:
            doc.heading(3, f"Begärt {when(completion['requested_at'])}: {', '.join(completion['items'])}")
            doc.item(completion["text"] or "Ingen text", label=f"Ditt svar {when(completion['answered_at'])}")
            if completion["files"]:
                doc.item(", ".join(completion["files"]), label="Filer")

    doc.heading(2, "Om kopian")
    doc.paragraph(
        f"Kontrollsumma för svaren: {snapshot.get('fingerprint', '')}. Samma kontrollsumma står i texten som "
        "skrevs under med BankID, så att det går att se att svaren är just de som skrevs under."
    )
    return copy_pdf.render(doc)

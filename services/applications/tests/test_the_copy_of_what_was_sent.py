"""The case answers "what did I send, what happens now, whom do I ask?": a PDF copy of exactly what
was sent (the answers as the resident read them, the attachments, who signed and when) made here
from the snapshot kept at sending — tagged, titled, in Swedish, its text real text — for the
residents of the case and the unit's case workers only (their read in the access log); the case
names its case worker and unit, the contact topic to ask in, and the date of the next step."""

# ruff: noqa: F811 - test functions take the imported `desk` fixture as their argument
from __future__ import annotations

import io
import uuid
from datetime import timedelta

import grpc
import pypdf
import pytest
from sqlalchemy import select

from applications.store import OUTBOX
from fickan.applications.v1 import applications_pb2 as pb

from .case_helpers import PDF, UNIT
from .test_every_case_change_happens_once import Desk, desk  # noqa: F401

ANNA = {"name": "Anna Andersson"}
KARIN = {"roles": ("resident", "case_worker"), "unit": UNIT, "name": "Karin Berg"}


def sent(desk: Desk, anna: str) -> pb.Application:
    draft = desk.draft(anna)
    request = pb.SubmitRequest(
        application_id=draft.application_id,
        expected_version=draft.version,
        signature_id=desk.signature(anna, draft.application_id),
    )
    return desk.stub.Submit(request, metadata=desk.auth(anna, **ANNA))


def copy(desk: Desk, user: str, application_id: str, **claims: object) -> pb.SubmittedCopy:
    request = pb.GetSubmittedCopyRequest(application_id=application_id)
    return desk.stub.GetSubmittedCopy(request, metadata=desk.auth(user, **claims))


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def structure_leaves(reader: pypdf.PdfReader) -> list[tuple[str, object]]:
    """(type, MCID or MCR list) of every leaf of the structure tree, in reading order."""
    found: list[tuple[str, object]] = []

    def walk(element) -> None:  # type: ignore[no-untyped-def]
        element = element.get_object()
        kids = element.get("/K")
        if isinstance(kids, list):
            for kid in kids:
                kid = kid.get_object()
                if isinstance(kid, dict) and kid.get("/Type") == "/MCR":
                    found.append((element["/S"], kid["/MCID"]))
                else:
                    walk(kid)
        elif isinstance(kids, int):
            found.append((element["/S"], kids))
        elif kids is not None:
            walk(kids)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


def test_the_copy_holds_the_answers_files_and_signature_and_is_a_tagged_swedish_pdf(desk: Desk) -> None:
    anna = str(uuid.uuid4())
    case = sent(desk, anna)
    answer = copy(desk, anna, case.application_id)
    assert answer.content_type == "application/pdf" and answer.filename == f"ansokan-{case.application_id[:8]}.pdf"

    text = text_of(answer.content)
    for expected in (
        "Grundansökan om ekonomiskt bistånd",
        "Vad gör du just nu?",
        "Jag är arbetssökande",  # the choice as the resident read it, not its code
        "Hyra eller avgift per månad (kr)",
        "7200",
        "Alva, 5",  # a row of a group
        "Anna Andersson skrev under med BankID",
        "Bilagor",
        "a.pdf (PDF, 1 kB)",
        case.application_id[:8],
    ):
        assert expected in text, expected

    reader = pypdf.PdfReader(io.BytesIO(answer.content))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "sv" and bool(root["/MarkInfo"]["/Marked"])
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata.title.startswith("Grundansökan om ekonomiskt bistånd")
    leaves = structure_leaves(reader)
    kinds = [kind for kind, _ in leaves]
    assert kinds[0] == "/H1" and "/H2" in kinds and "/Lbl" in kinds and "/LBody" in kinds
    marked = sum(page.get_contents().get_data().count(b"BDC") for page in reader.pages)
    footers = len(reader.pages)  # one artifact per page
    assert marked - footers == sum(len(mcid) if isinstance(mcid, list) else 1 for _, mcid in leaves)
    for page in reader.pages:
        assert page["/StructParents"] >= 0 and page["/Tabs"] == "/S"
        assert "/XObject" not in page["/Resources"]  # text, never an image of text
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            assert font["/Subtype"] == "/TrueType" and "/ToUnicode" in font
            assert "/FontFile2" in font["/FontDescriptor"].get_object()  # embedded


def test_the_copy_is_what_was_sent_and_later_completions_stand_apart(desk: Desk) -> None:
    anna = str(uuid.uuid4())
    case = sent(desk, anna)
    desk.stub.StartWork(pb.CaseActionRequest(application_id=case.application_id), metadata=desk.auth("karin", **KARIN))
    due = (desk.today[0] + timedelta(days=7)).isoformat()
    desk.stub.RequestCompletion(
        pb.RequestCompletionRequest(application_id=case.application_id, items=["Lönebesked"], due_date=due),
        metadata=desk.auth("karin", **KARIN),
    )
    upload = pb.UploadAttachmentRequest(application_id=case.application_id, filename="lonebesked.pdf", content=PDF)
    later = desk.stub.UploadAttachment(upload, metadata=desk.auth(anna))
    desk.stub.SubmitCompletion(
        pb.SubmitCompletionRequest(
            application_id=case.application_id, text="Här är lönebeskedet.", attachment_ids=[later.attachment_id]
        ),
        metadata=desk.auth(anna),
    )
    text = text_of(copy(desk, anna, case.application_id).content)
    sent_part, completions = text.split("Kompletteringar du har skickat efteråt")
    assert "lonebesked.pdf" not in sent_part  # not part of what was sent
    assert "Här är lönebeskedet." in completions and "lonebesked.pdf" in completions and "Lönebesked" in completions


def test_the_case_names_who_handles_it_where_to_ask_and_when_the_next_step_is(desk: Desk) -> None:
    anna = str(uuid.uuid4())
    case = sent(desk, anna)
    shown = desk.stub.GetApplication(
        pb.GetApplicationRequest(application_id=case.application_id), metadata=desk.auth(anna)
    )
    assert shown.unit_name == "Enheten för ekonomiskt bistånd" and shown.unit_name_en
    assert shown.contact_topic == "ekonomiskt-bistand" and shown.case_worker_name == ""
    assert shown.next_step_date == shown.due_at.ToDatetime().date().isoformat()
    assert shown.applicant_name == "Anna Andersson"

    desk.stub.StartWork(pb.CaseActionRequest(application_id=case.application_id), metadata=desk.auth("karin", **KARIN))
    due = (desk.today[0] + timedelta(days=5)).isoformat()
    desk.stub.RequestCompletion(
        pb.RequestCompletionRequest(application_id=case.application_id, items=["Lönebesked"], due_date=due),
        metadata=desk.auth("karin", **KARIN),
    )
    shown = desk.stub.GetApplication(
        pb.GetApplicationRequest(application_id=case.application_id), metadata=desk.auth(anna)
    )
    assert shown.case_worker_name == "Karin Berg" and shown.next_step_date == due


def test_only_the_residents_and_the_units_case_workers_get_the_copy(desk: Desk) -> None:
    anna = str(uuid.uuid4())
    draft = desk.draft(anna)
    with pytest.raises(grpc.RpcError) as not_sent:
        copy(desk, anna, draft.application_id)
    assert not_sent.value.code() == grpc.StatusCode.FAILED_PRECONDITION and "inte skickad" in not_sent.value.details()

    case = sent(desk, anna)
    for user, claims in (
        (str(uuid.uuid4()), {}),  # another resident
        ("other-worker", {"roles": ("resident", "case_worker"), "unit": "annan-enhet", "name": "Olle"}),
        ("agent", {"roles": ("resident", "contact_agent"), "name": "Vera"}),
    ):
        with pytest.raises(grpc.RpcError) as refused:
            copy(desk, user, case.application_id, **claims)
        assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED, claims

    def copies_logged() -> list[dict]:
        with desk.db.read() as session:
            envelopes = session.execute(
                select(OUTBOX.table.c.envelope).where(OUTBOX.table.c.event_type == "resident_data_accessed")
            ).scalars()
            return [
                e["data"]
                for e in envelopes
                if e["data"].get("resource") == f"application:{case.application_id}"
                and e["data"].get("description", "").startswith("Kopia av")
            ]

    assert copies_logged() == []  # the refusals read nothing
    assert copy(desk, "karin", case.application_id, **KARIN).content.startswith(b"%PDF")
    [logged] = copies_logged()
    assert logged["subject_ids"] == [anna] and logged["actor_name"] == "Karin Berg" and logged["action"] == "read"

"""Attachments from the phone: one file per multipart upload, at most 10 MB (only this route takes a
body that large); the service decides the type by the content and its refusals pass through in
Swedish; a download is the file itself with headers that keep it from being run or cached."""

from __future__ import annotations

import io

import pytest
from conftest import asked, attachments_of

from fickan.applications.v1 import applications_pb2 as apps_pb

MONTHLY = "eb_lopande"

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
TEN_MB = 10 * 1024 * 1024


@pytest.fixture
def case_id(world, resident) -> str:
    return world.applications.draft(resident, MONTHLY).id


@pytest.fixture
def add_attachment(world, resident):  # type: ignore[no-untyped-def]
    """A file the resident uploaded, through the service's own use case; its id."""

    def add(case_id: str, content: bytes = PDF, name: str = "kvitto.pdf") -> str:
        return world.applications.applications.upload(world.identity.principal(resident), case_id, name, content).id

    return add


def _upload(client, who, case_id: str, content: bytes, name: str = "kvitto.pdf", **extra):
    return client.post(
        f"/v1/applications/{case_id}/attachments",
        data={"file": (io.BytesIO(content), name), **extra},
        headers=who.headers,
        content_type="multipart/form-data",
    )


def test_an_upload_answers_the_attachment(client, resident, world, case_id):
    answer = _upload(client, resident, case_id, PNG, name="Hyra för december.png")

    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    assert set(body) == {"id", "filename", "contentType", "size", "sha256", "uploadedAt"}
    assert body["filename"] == "Hyra för december.png"
    assert body["contentType"] == "image/png"
    assert body["size"] == len(PNG)
    assert attachments_of(world, case_id) == [body["id"]]
    assert [(r.filename, len(r.content)) for r in asked(world, "applications", "UploadAttachment")] == [
        ("Hyra för december.png", len(PNG))
    ]


def test_a_file_of_exactly_10_mb_is_taken(client, resident, world, case_id):
    answer = _upload(client, resident, case_id, PDF + b"0" * (TEN_MB - len(PDF)))

    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["size"] == TEN_MB


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"MZ\x90\x00 this is a program", "Filen är inte en JPEG-, PNG-, HEIC- eller PDF-fil."),
        (b"just text, named like a PDF", "Filen är inte en JPEG-, PNG-, HEIC- eller PDF-fil."),
        (b"", "Filen är tom."),
    ],
)
def test_the_services_refusals_pass_through_in_swedish(client, resident, world, case_id, content, message):
    answer = _upload(client, resident, case_id, content, name="kvitto.pdf")

    assert answer.status_code == 400
    error = answer.get_json()["error"]
    assert error["code"] == "invalid_request"
    assert error["message"].startswith(message)
    assert error["fields"]["file"].startswith(message)
    assert attachments_of(world, case_id) == []


def test_a_file_over_10_mb_is_413_in_swedish_and_the_service_is_not_asked(client, resident, world, case_id):
    answer = _upload(client, resident, case_id, PDF + b"0" * (TEN_MB + 1 - len(PDF)))

    assert answer.status_code == 413
    error = answer.get_json()["error"]
    assert error["code"] == "too_large"
    assert error["message"] == "Filen är för stor. Den får vara högst 10 MB."
    assert error["message_en"] == "The file is too large. It may be at most 10 MB."
    assert error["fields"] == {"file": "Filen är för stor. Den får vara högst 10 MB."}
    assert "UploadAttachment" not in world.spies["applications"].names()


def test_a_body_over_the_upload_limit_is_413_before_it_is_read(client, resident, world, case_id):
    answer = _upload(client, resident, case_id, b"%PDF-" + b"0" * (12 * 1024 * 1024))

    assert answer.status_code == 413
    assert answer.get_json()["error"]["message"] == "Filen är för stor. Den får vara högst 10 MB."
    assert "UploadAttachment" not in world.spies["applications"].names()


def test_other_bodies_stay_small(client, resident, world, case_id):
    """Only the upload may be large: a 2 MB JSON body is refused."""
    answer = client.put(
        f"/v1/applications/{case_id}/answers",
        data=b'{"answers": {"ovrigt": "' + b"x" * (2 * 1024 * 1024) + b'"}, "version": 1}',
        headers={**resident.headers, "Content-Type": "application/json"},
    )

    assert answer.status_code == 413
    assert answer.get_json()["error"]["code"] == "too_large"
    assert world.spies["applications"].names() == []


def test_an_upload_that_is_not_multipart_is_400(client, resident, world, case_id):
    answer = client.post(
        f"/v1/applications/{case_id}/attachments",
        data=PDF,
        headers={**resident.headers, "Content-Type": "application/pdf"},
    )

    assert answer.status_code == 400
    error = answer.get_json()["error"]
    assert error["message"].startswith("Filen ska skickas som multipart/form-data")
    assert error["fields"] == {"file": "Välj en fil att ladda upp."}
    assert world.spies["applications"].names() == []


def test_an_upload_without_a_file_is_400(client, resident, world, case_id):
    answer = client.post(
        f"/v1/applications/{case_id}/attachments",
        data={"file": "not a file, a text field"},
        headers=resident.headers,
        content_type="multipart/form-data",
    )

    assert answer.status_code == 400
    assert answer.get_json()["error"]["fields"] == {"file": "Välj en fil att ladda upp."}
    assert world.spies["applications"].names() == []


def test_an_upload_with_other_fields_or_two_files_is_400(client, resident, world, case_id):
    extra = _upload(client, resident, case_id, PDF, owner="resident-2")
    two = client.post(
        f"/v1/applications/{case_id}/attachments",
        data={"file": [(io.BytesIO(PDF), "a.pdf"), (io.BytesIO(PDF), "b.pdf")]},
        headers=resident.headers,
        content_type="multipart/form-data",
    )

    assert extra.status_code == 400
    assert extra.get_json()["error"]["fields"] == {"owner": "Skicka bara fältet file."}
    assert two.status_code == 400
    assert two.get_json()["error"]["fields"] == {"file": "Skicka bara fältet file."}
    assert world.spies["applications"].names() == []


def test_a_long_file_name_is_cut_before_it_is_sent(client, resident, world, case_id):
    answer = _upload(client, resident, case_id, PDF, name="a" * 1000 + ".pdf")

    assert answer.status_code == 201
    [sent_name] = [r.filename for r in asked(world, "applications", "UploadAttachment")]
    assert len(sent_name) == 255


def test_someone_elses_case_is_403(client, neighbour, world, case_id):
    answer = _upload(client, neighbour, case_id, PDF)

    assert answer.status_code == 403
    assert attachments_of(world, case_id) == []


def test_an_upload_needs_a_login_before_anything_is_read(client, world, case_id):
    answer = client.post(
        f"/v1/applications/{case_id}/attachments",
        data={"file": (io.BytesIO(PDF), "kvitto.pdf")},
        content_type="multipart/form-data",
    )

    assert answer.status_code == 401
    assert world.spies["applications"].names() == []


# --- Download ----------------------------------------------------------------------------------
def test_a_download_is_the_file_with_safe_headers(client, resident, world, case_id, add_attachment):
    attachment_id = add_attachment(case_id, PDF, 'Hyra "december" å.pdf')

    answer = client.get(f"/v1/applications/{case_id}/attachments/{attachment_id}", headers=resident.headers)

    assert answer.status_code == 200
    assert answer.get_data() == PDF
    assert answer.headers["Content-Type"] == "application/pdf"
    assert answer.headers["Content-Disposition"] == (
        # applications keeps the name without the quotes; the BFF gives an ASCII name and the UTF-8 one
        "attachment; filename=\"Hyra december a.pdf\"; filename*=UTF-8''Hyra%20december%20%C3%A5.pdf"
    )
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Cache-Control"] == "no-store"
    assert "sandbox" in answer.headers["Content-Security-Policy"]


def test_a_download_of_an_unexpected_type_is_only_ever_octet_stream(client, resident, world, case_id):
    """Failure injection: applications never keeps such a file (it checks the bytes); if it ever
    answered one, the BFF still would not let a browser run it."""
    attachment_id = "6f1c1b8e-0f5e-4a43-9b8b-3e2f0a1d2c3b"
    html = apps_pb.AttachmentContent(
        attachment=apps_pb.Attachment(attachment_id=attachment_id, filename="x.html", content_type="text/html"),
        content=b"<html><script>alert(1)</script>",
    )
    world.spies["applications"].inject("GetAttachment", lambda request, context: html)

    answer = client.get(f"/v1/applications/{case_id}/attachments/{attachment_id}", headers=resident.headers)

    assert answer.headers["Content-Type"] == "application/octet-stream"
    assert answer.headers["Content-Disposition"].startswith("attachment;")


def test_a_file_name_cannot_break_the_header(client, resident, world, case_id, add_attachment):
    attachment_id = add_attachment(case_id, PDF, "a\r\nSet-Cookie: x=1;.pdf")

    answer = client.get(f"/v1/applications/{case_id}/attachments/{attachment_id}", headers=resident.headers)

    assert answer.status_code == 200
    assert "Set-Cookie" not in answer.headers
    assert "\r" not in answer.headers["Content-Disposition"] and "\n" not in answer.headers["Content-Disposition"]


def test_a_missing_attachment_is_404_and_another_residents_is_403(
    client, resident, neighbour, world, case_id, add_attachment
):
    attachment_id = add_attachment(case_id, PDF)

    missing = client.get(
        f"/v1/applications/{case_id}/attachments/6f1c1b8e-0f5e-4a43-9b8b-3e2f0a1d2c3b", headers=resident.headers
    )
    theirs = client.get(f"/v1/applications/{case_id}/attachments/{attachment_id}", headers=neighbour.headers)

    assert missing.status_code == 404
    assert missing.get_json()["error"]["message"] == "Bilagan finns inte."
    assert theirs.status_code == 403
    assert PDF not in theirs.get_data()


@pytest.mark.parametrize("bad_id", ["123", "not-a-uuid", "../../etc/passwd", "' OR 1=1 --"])
def test_a_bad_attachment_id_is_400(client, resident, world, case_id, bad_id):
    answer = client.get(f"/v1/applications/{case_id}/attachments/{bad_id}", headers=resident.headers)

    assert answer.status_code in (400, 404)  # a slash in the id does not even match the route
    if answer.status_code == 400:
        assert answer.get_json()["error"]["code"] == "invalid_id"
        assert "attachment_id" in answer.get_json()["error"]["fields"]
    assert world.spies["applications"].names() == []

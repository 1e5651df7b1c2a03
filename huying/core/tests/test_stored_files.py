"""core.uploads.sniff (the type by the first bytes, a size limit per file) and the storage
names of core.models.StoredFile (random, nothing the uploader typed)."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from huying.core.models import stored_file_path
from huying.core.uploads import DOCUMENTS, DOCX, IMAGES_AND_PDF, JPEG, PDF, PNG, WEBP, sniff, stored_name
from huying.proposals.models import ProposalAttachment

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF_BYTES = b"%PDF-1.7\n" + b"0" * 64
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def code_of(error: ValidationError, field: str = "file") -> str | None:
    return error.error_dict[field][0].code


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (PNG_BYTES, PNG),
        (PDF_BYTES, PDF),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 32, JPEG),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 32, WEBP),
    ],
)
def test_the_type_comes_from_the_bytes(content: bytes, expected: str) -> None:
    assert sniff(upload("whatever.bin", content), IMAGES_AND_PDF) == (expected, len(content))


def test_a_png_renamed_pdf_is_refused_where_only_pdf_is_allowed() -> None:
    with pytest.raises(ValidationError) as exc:
        sniff(upload("report.pdf", PNG_BYTES), {PDF})
    assert code_of(exc.value) == "file_type"
    assert "report.pdf" in exc.value.message_dict["file"][0]


def test_a_program_is_refused_whatever_its_name() -> None:
    for name in ("photo.jpg", "setup.exe", "doc.pdf"):
        with pytest.raises(ValidationError) as exc:
            sniff(upload(name, EXE_BYTES), DOCUMENTS)
        assert code_of(exc.value) == "file_type"


def test_a_zip_that_is_not_a_word_document_is_refused() -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("evil.sh", "echo")
    with pytest.raises(ValidationError):
        sniff(upload("a.docx", archive.getvalue()), DOCUMENTS)
    assert sniff(upload("a.docx", docx_bytes()), DOCUMENTS)[0] == DOCX


def test_the_size_limit_per_file() -> None:
    assert sniff(upload("a.pdf", PDF_BYTES), {PDF}, max_bytes=len(PDF_BYTES)) == (PDF, len(PDF_BYTES))
    with pytest.raises(ValidationError) as exc:
        sniff(upload("a.pdf", PDF_BYTES), {PDF}, max_bytes=len(PDF_BYTES) - 1, field="attachments")
    assert code_of(exc.value, "attachments") == "file_too_large"


def test_the_default_limit_is_the_setting(settings: object) -> None:
    settings.UPLOAD_MAX_FILE_MB = 1  # type: ignore[attr-defined]
    big = PDF_BYTES + b"0" * (1024 * 1024)
    with pytest.raises(ValidationError) as exc:
        sniff(upload("big.pdf", big), {PDF})
    assert code_of(exc.value) == "file_too_large"


def test_an_empty_file_is_refused_and_a_caller_may_word_it() -> None:
    with pytest.raises(ValidationError) as exc:
        sniff(upload("a.pdf", b""), {PDF}, messages={"empty": "空的"})
    assert code_of(exc.value) == "empty"
    assert exc.value.message_dict["file"] == ["空的"]


def test_the_file_is_left_at_its_start() -> None:
    file = upload("a.pdf", PDF_BYTES)
    file.read(5)
    sniff(file, {PDF})
    assert file.read() == PDF_BYTES


# --- storage names ----------------------------------------------------------------------
NAME = re.compile(r"^proposals/attachments/7/[A-Za-z0-9_-]{32}\.(\w+)$")


def test_stored_names_are_random_and_ignore_what_the_uploader_typed() -> None:
    attachment = ProposalAttachment(proposal_id=7, content_type=PDF)
    names = {stored_file_path(attachment, "../../etc/passwd.pdf") for _ in range(50)}
    assert len(names) == 50  # unguessable: never the same twice
    for name in names:
        match = NAME.match(name)
        assert match is not None and match.group(1) == "pdf"
        assert "passwd" not in name and ".." not in name


def test_the_extension_is_the_sniffed_types() -> None:
    attachment = ProposalAttachment(proposal_id=7, content_type=PNG)
    match = NAME.match(stored_file_path(attachment, "photo.exe"))
    assert match is not None and match.group(1) == "png"


def test_an_unknown_type_keeps_only_an_allowed_extension() -> None:
    assert stored_name("application/x-unknown", "notes.pdf").endswith(".pdf")
    assert stored_name("application/x-unknown", "setup.exe").endswith(".bin")
    assert stored_name("application/x-unknown", "no-extension").endswith(".bin")
    assert "/" not in stored_name("", "a/b/c.pdf")


@pytest.mark.django_db
def test_a_saved_file_gets_the_shared_name(tmp_path: object, settings: object, tree: object, alice: object) -> None:
    from huying.proposals.actions import do_create_session
    from huying.proposals.models import Proposal

    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]
    session = do_create_session(None, cppcc=tree.province_cppcc, term=13, number=3)  # type: ignore[attr-defined]
    proposal = Proposal.objects.create(session=session, title="关于测试的建议", proposer=alice)
    attachment = ProposalAttachment(proposal=proposal, original_name="调研.pdf", content_type=PDF, size=10)
    attachment.file.save("../调研.pdf", ContentFile(PDF_BYTES), save=False)
    attachment.save()
    assert re.fullmatch(rf"proposals/attachments/{proposal.pk}/[A-Za-z0-9_-]{{32}}\.pdf", attachment.file.name)
    assert str(attachment) == "调研.pdf"

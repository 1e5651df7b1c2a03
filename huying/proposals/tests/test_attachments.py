"""Attachments of proposals: the author adds and removes them while drafting; readers of
the proposal download them; everyone else gets 404; bad files change nothing."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from huying.audit.models import AuditEntry
from huying.proposals import actions
from huying.proposals.models import Proposal, ProposalAttachment, Session
from huying.proposals.tests.conftest import make_draft

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n" + b"0" * 200
API = "/api/v1/proposals"


def pdf(name: str = "调研报告.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def draft(alice: Any, erin: Any, session: Session) -> Proposal:
    proposal = make_draft(alice, session)
    actions.do_invite_cosigner(alice, proposal, erin)
    return proposal


def test_author_attaches_on_the_page_and_readers_download(
    client: Client, draft: Proposal, alice: Any, erin: Any, bob: Any, charlie: Any, dora: Any
) -> None:
    client.force_login(alice)
    response = client.post(f"/proposals/{draft.pk}/attachments/", {"file": pdf()})
    assert response.status_code == 302
    attachment = ProposalAttachment.objects.get(proposal=draft)
    assert attachment.content_type == "application/pdf" and attachment.original_name == "调研报告.pdf"
    assert attachment.file.name.endswith(".pdf") and "调研" not in attachment.file.name
    assert AuditEntry.objects.filter(action="proposal.attachment_add").count() == 1
    assert "调研报告.pdf" in client.get(f"/proposals/{draft.pk}/edit/").content.decode()

    url = f"/proposals/attachments/{attachment.pk}/"
    assert b"".join(client.get(url).streaming_content) == PDF
    client.force_login(erin)  # invited co-signer: reads the draft
    assert client.get(url).status_code == 200
    for outsider in (charlie, dora, bob):  # bob: staff see no drafts
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 404


def test_wrong_type_and_too_many_are_refused_and_change_nothing(draft: Proposal, alice: Any) -> None:
    fake = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError) as caught:
        actions.do_add_attachment(alice, draft, fake)
    assert "file" in caught.value.message_dict
    for index in range(5):
        actions.do_add_attachment(alice, draft, pdf(f"{index}.pdf"))
    with pytest.raises(ValidationError) as caught:
        actions.do_add_attachment(alice, draft, pdf("6.pdf"))
    assert "file" in caught.value.message_dict
    assert draft.attachments.count() == 5


def test_only_the_author_and_only_while_drafting(
    client: Client, draft: Proposal, alice: Any, erin: Any, bob: Any
) -> None:
    client.force_login(erin)
    assert client.post(f"{API}/{draft.pk}/attachments", {"file": pdf()}).status_code == 403
    client.force_login(alice)
    made = client.post(f"{API}/{draft.pk}/attachments", {"file": pdf()})
    assert made.status_code == 201 and made.json()["content_type"] == "application/pdf"
    listed = client.get(f"{API}/{draft.pk}/attachments").json()
    assert [a["name"] for a in listed] == ["调研报告.pdf"]
    assert client.get(listed[0]["url"]).status_code == 200

    actions.do_submit(alice, draft)
    refused = client.post(f"{API}/{draft.pk}/attachments", {"file": pdf("late.pdf")})
    assert refused.status_code == 422 and "file" in refused.json()["errors"]
    assert client.delete(f"{API}/attachments/{listed[0]['id']}").status_code == 422
    assert draft.attachments.count() == 1
    client.force_login(bob)  # staff read submitted proposals and their attachments
    assert client.get(listed[0]["url"]).status_code == 200


def test_author_removes_a_draft_attachment(client: Client, draft: Proposal, alice: Any) -> None:
    attachment = actions.do_add_attachment(alice, draft, pdf())
    client.force_login(alice)
    assert client.post(f"/proposals/attachments/{attachment.pk}/remove/").status_code == 302
    assert not ProposalAttachment.objects.exists()
    assert client.post(f"{API}/{draft.pk}/attachments", {}).json()["errors"]["file"]


def test_attachments_get_random_names_and_safe_download_headers(client: Client, draft: Proposal, alice: Any) -> None:
    first = actions.do_add_attachment(alice, draft, pdf("a.pdf"))
    second = actions.do_add_attachment(alice, draft, pdf("a.pdf"))
    for attachment in (first, second):
        assert re.fullmatch(rf"proposals/attachments/{draft.pk}/[A-Za-z0-9_-]{{32}}\.pdf", attachment.file.name)
    assert first.file.name != second.file.name
    client.force_login(alice)
    response = client.get(f"/proposals/attachments/{first.pk}/")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == f'attachment; filename="attachment-{first.pk}.pdf"'


def test_an_attachment_over_the_request_limit_stores_nothing(draft: Proposal, alice: Any, settings: Any) -> None:
    settings.UPLOAD_MAX_FILE_MB = 1
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (1024 * 1024), content_type="application/pdf")
    with pytest.raises(ValidationError) as caught:
        actions.do_add_attachment(alice, draft, big)
    assert "file" in caught.value.message_dict
    assert draft.attachments.count() == 0
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_the_api_download_is_refused_to_outsiders(
    client: Client, draft: Proposal, alice: Any, bob: Any, charlie: Any, dora: Any
) -> None:
    attachment = actions.do_add_attachment(alice, draft, pdf())
    url = f"{API}/attachments/{attachment.pk}/file"
    assert client.get(url).status_code == 401  # the API needs a login or a token
    for outsider in (bob, charlie, dora):  # bob: staff see no drafts
        client.force_login(outsider)
        response = client.get(url)
        assert response.status_code == 404 and set(response.json()) == {"message", "errors"}
    client.force_login(alice)
    response = client.get(url)
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF

"""Attachments of proposals in the API: list, add (multipart, field ``file``), remove,
download. Same rules as the pages (huying/proposals/attachments.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from huying.core.api_errors import ErrorOut
from huying.core.api_types import Id
from huying.proposals import actions
from huying.proposals.attachments import do_add_attachment, do_remove_attachment, file_response, readable_attachment
from huying.proposals.models import ProposalAttachment

router = Router(tags=["proposals"])


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    created_at: datetime
    url: str


def _out(a: ProposalAttachment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "name": a.original_name,
        "content_type": a.content_type,
        "size": a.size,
        "created_at": a.created_at,
        "url": f"/api/v1/proposals/attachments/{a.pk}/file",
    }


@router.get(
    "/{int:pk}/attachments", response={200: list[AttachmentOut], 404: ErrorOut}, summary="A proposal's attachments"
)
def list_attachments(request: HttpRequest, pk: Id) -> Any:
    proposal = actions.access_proposal(request.user, pk)
    return [_out(a) for a in proposal.attachments.all()]


@router.post(
    "/{int:pk}/attachments",
    response={201: AttachmentOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Attach a file to a draft (multipart, field file)",
)
def add_attachment(request: HttpRequest, pk: Id, file: UploadedFile | None = File(None)) -> Any:  # noqa: B008
    """PDF, DOC, DOCX, JPEG, PNG or WebP by its bytes, at most 20 MB; at most five per
    proposal; only the author, only while the proposal is a draft."""
    proposal = actions.access_proposal(request.user, pk)
    return Status(201, _out(do_add_attachment(request.user, proposal, file)))


@router.delete(
    "/attachments/{int:pk}",
    response={204: None, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Remove an attachment from a draft",
)
def remove_attachment(request: HttpRequest, pk: Id) -> Any:
    do_remove_attachment(request.user, readable_attachment(request.user, pk))
    return Status(204, None)


@router.get("/attachments/{int:pk}/file", response={404: ErrorOut}, summary="Download an attachment")
def download_attachment(request: HttpRequest, pk: Id) -> Any:
    return file_response(readable_attachment(request.user, pk))

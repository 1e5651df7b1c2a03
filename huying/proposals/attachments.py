"""Attachments of proposals (附件): added and removed by the author while the proposal is a
draft, at most :data:`MAX_ATTACHMENTS`, each checked by its bytes like reply documents
(PDF, Word, JPEG, PNG, WebP, at most 20 MB)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from huying.audit.actions import record
from huying.core.uploads import check_upload_batch
from huying.proposals.choices import ProposalStatus
from huying.proposals.documents import CONTENT_TYPES, check_document
from huying.proposals.models import Proposal, ProposalAttachment

MAX_ATTACHMENTS = 5


def _check_author_draft(actor: Any, proposal: Proposal) -> None:
    if not proposal.is_author(actor):
        raise PermissionDenied(_("Only the first proposer or the authorised staff may do this."))
    if proposal.status != ProposalStatus.DRAFT:
        raise ValidationError({"file": _("Attachments can only be changed while the proposal is a draft.")})


def do_add_attachment(actor: Any, proposal: Proposal, upload: Any) -> ProposalAttachment:
    """Attach ``upload`` (a Django uploaded file) to the draft ``proposal``."""
    _check_author_draft(actor, proposal)
    if upload is None:
        raise ValidationError({"file": _("Choose a file to attach.")})
    check_upload_batch([upload], field="file")
    extension = check_document(upload, field="file", attachment=True)
    name = (getattr(upload, "name", "") or "file")[:200]
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.status != ProposalStatus.DRAFT:
            raise ValidationError({"file": _("Attachments can only be changed while the proposal is a draft.")})
        if locked.attachments.count() >= MAX_ATTACHMENTS:
            raise ValidationError({"file": _("A proposal takes at most %(n)d attachments.") % {"n": MAX_ATTACHMENTS}})
        attachment = ProposalAttachment(
            proposal=locked,
            original_name=name,
            content_type=CONTENT_TYPES[extension],
            size=upload.size,
            uploaded_by=actor,
        )
        attachment.file.save(name, upload, save=False)
        attachment.save()
        record(
            actor, "proposal.attachment_add", locked, {"attachment": attachment.pk, "name": attachment.original_name}
        )
    return attachment


def do_remove_attachment(actor: Any, attachment: ProposalAttachment) -> None:
    proposal = attachment.proposal
    _check_author_draft(actor, proposal)
    with transaction.atomic():
        record(
            actor,
            "proposal.attachment_remove",
            proposal,
            {"attachment": attachment.pk, "name": attachment.original_name},
        )
        name = attachment.file.name
        storage = attachment.file.storage
        attachment.delete()
        transaction.on_commit(lambda: storage.delete(name))


def readable_attachment(user: Any, pk: int) -> ProposalAttachment:
    """The attachment ``pk`` if ``user`` may read its proposal, else 404 (no hint it exists)."""
    readable = Proposal.objects.visible_to(user).values("pk")
    found = ProposalAttachment.objects.select_related("proposal").filter(pk=pk, proposal_id__in=readable).first()
    if found is None:
        raise Http404(_("There is no such attachment, or you may not see it."))
    return found


def file_response(attachment: ProposalAttachment) -> FileResponse:
    """The attachment as a download (after :func:`readable_attachment` checked the reader)."""
    return attachment.download()

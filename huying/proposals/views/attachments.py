"""Attachments of proposals: add and remove while drafting (the author), download (whoever
may read the proposal: proposers, co-signers, staff, the handling units). Attachments are
not part of the public zone (they may hold personal data); publication shows the text."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from huying.proposals import actions
from huying.proposals.attachments import do_add_attachment, do_remove_attachment, file_response, readable_attachment


@require_POST
@login_required
def add(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = actions.access_proposal(request.user, pk)
    try:
        attachment = do_add_attachment(request.user, proposal, request.FILES.get("file"))
    except ValidationError as exc:
        for message in exc.message_dict.get("file", exc.messages):
            messages.error(request, message)
    else:
        messages.success(request, _("Attached %(name)s.") % {"name": attachment.original_name})
    return redirect("proposals:edit", proposal.pk)


@require_POST
@login_required
def remove(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = readable_attachment(request.user, pk)
    try:
        do_remove_attachment(request.user, attachment)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Removed %(name)s.") % {"name": attachment.original_name})
    return redirect("proposals:edit", attachment.proposal_id)


@require_safe
def download(request: HttpRequest, pk: int) -> FileResponse:
    return file_response(readable_attachment(request.user, pk))

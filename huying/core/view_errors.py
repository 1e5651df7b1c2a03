"""How a page shows a refused action: the field errors of a ``ValidationError`` for the form
that was sent, or one flash message (a refusal, a rate limit, an illegal move) after a
redirect. Shared by the pages whose actions raise these (``actions.py`` of each app)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from huying.core.ratelimit import RateLimited


def field_errors(exc: ValidationError) -> dict[str, list[str]]:
    """Messages per field; errors not tied to a field under ``form``."""
    if hasattr(exc, "error_dict"):
        return {
            ("form" if k == "__all__" else k): [str(m) for e in v for m in e.messages]
            for k, v in exc.error_dict.items()
        }
    return {"form": [str(m) for m in exc.messages]}


def flash_error(request: HttpRequest, exc: Exception) -> None:
    """One error message for the next page."""
    if isinstance(exc, RateLimited):
        messages.error(request, exc.message)
    elif isinstance(exc, ValidationError):
        messages.error(request, " ".join(str(m) for m in exc.messages))
    else:
        messages.error(request, str(exc) or _("You may not do this."))

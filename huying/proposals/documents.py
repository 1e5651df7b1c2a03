"""Reply documents (答复函) and proposal attachments (附件): what may be uploaded.

The type is read from the file's first bytes by :func:`huying.core.uploads.sniff`, never
from its name or the browser's claim: PDF, Word (DOC or DOCX), JPEG, PNG or WebP, at most
:data:`MAX_DOCUMENT_BYTES`. The stored name is made by the platform, so nothing the uploader
typed reaches the file system.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from huying.core.uploads import DOCUMENTS, EXTENSIONS, sniff

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
DOCUMENT_TYPES: dict[str, str] = {content_type: EXTENSIONS[content_type] for content_type in DOCUMENTS}
CONTENT_TYPES = {extension: content_type for content_type, extension in DOCUMENT_TYPES.items()}


def _document_messages(name: str) -> dict[str, str]:
    """What is said about a bad reply document (答复文件) or a bad proposal attachment
    (附件 ``name``): each names the file it is about and the rule it breaks."""
    mb = MAX_DOCUMENT_BYTES // (1024 * 1024)
    if name:
        return {
            "large": _("The attachment “%(name)s” is larger than %(mb)d MB.") % {"name": name, "mb": mb},
            "empty": _("The attachment “%(name)s” is empty.") % {"name": name},
            "type": _("The attachment “%(name)s” must be a PDF, Word (DOC or DOCX), JPEG, PNG or WebP file.")
            % {"name": name},
        }
    return {
        "large": _("The reply document is larger than %(mb)d MB.") % {"mb": mb},
        "empty": _("The reply document is empty."),
        "type": _("The reply document must be a PDF, Word (DOC or DOCX), JPEG, PNG or WebP file."),
    }


def check_document(upload: Any, *, field: str = "document", attachment: bool = False) -> str:
    """The file extension to store ``upload`` under, or a ValidationError on ``field``
    whose message names the file: the reply document, or (``attachment``) the proposal's
    attachment by its name."""
    name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1][:100] if attachment else ""
    if attachment and not name:
        name = "?"
    content_type, _size = sniff(
        upload, DOCUMENTS, max_bytes=MAX_DOCUMENT_BYTES, field=field, messages=_document_messages(name)
    )
    return DOCUMENT_TYPES[content_type]

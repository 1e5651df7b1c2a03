"""Reply documents (答复函): what a handling unit may upload with its reply.

The type is read from the file's first bytes (magic numbers), never from its name or the
browser's claim: PDF, Word (DOC: an OLE2 compound file; DOCX: a ZIP holding
``word/document.xml``), JPEG, PNG or WebP, at most :data:`MAX_DOCUMENT_BYTES`. The stored
name is made by the platform (``reply-<assignment>-r<round>.<ext>``), so nothing the
uploader typed reaches the file system.
"""

from __future__ import annotations

import zipfile
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOCUMENT_TYPES: dict[str, str] = {
    "application/pdf": "pdf",
    "application/msword": "doc",
    DOCX: "docx",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
}
CONTENT_TYPES = {extension: content_type for content_type, extension in DOCUMENT_TYPES.items()}
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _is_docx(file: IO[bytes]) -> bool:
    try:
        with zipfile.ZipFile(file) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def sniff_document(file: IO[bytes]) -> str | None:
    """The content type the file's bytes say it is, among the accepted ones, else ``None``.
    Leaves the file positioned at its start."""
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    content_type: str | None = None
    if head.startswith(b"%PDF-"):
        content_type = "application/pdf"
    elif head.startswith(OLE2):
        content_type = "application/msword"
    elif head.startswith(b"PK\x03\x04"):
        content_type = DOCX if _is_docx(file) else None
    elif head.startswith(b"\xff\xd8\xff"):
        content_type = "image/jpeg"
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        content_type = "image/png"
    elif len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        content_type = "image/webp"
    file.seek(0)
    return content_type


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
    texts = _document_messages(name)
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
        upload.seek(0)
    if size > MAX_DOCUMENT_BYTES:
        raise ValidationError({field: [texts["large"]]})
    if size == 0:
        raise ValidationError({field: [texts["empty"]]})
    content_type = sniff_document(upload)
    if content_type is None:
        raise ValidationError({field: [texts["type"]]})
    return DOCUMENT_TYPES[content_type]

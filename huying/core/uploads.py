"""Uploaded files: what one request may carry, how stored files are named, how they are sent.

Every upload path (the public report form, grid reports and member referrals, Open311
``media``, the hotline and report APIs, a unit's evidence when it resolves, proposal
attachments, reply documents) calls :func:`check_upload_batch` before anything is stored,
so one request never stores more than ``UPLOAD_MAX_FILES`` files, ``UPLOAD_MAX_FILE_MB``
per file or ``UPLOAD_MAX_TOTAL_MB`` together (docs/operations.md "Uploaded files"). Then
each file goes through :func:`sniff`: its type is read from its first bytes (never from
its name or the browser's claim) and must be one the caller allows, within the caller's
size limit per file.

Stored names come from :func:`random_name` (a random token and a checked extension): a
name says nothing about the case and cannot be guessed. Stored files of a case are rows of
a model built on ``huying.core.models.StoredFile``, whose ``upload_to`` makes that name.
Files are never served from ``MEDIA_ROOT`` directly; each download is a view that first
checks that the viewer may see the case, and answers through :func:`download_response`.
"""

from __future__ import annotations

import re
import secrets
import zipfile
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils.translation import gettext as _

# Types a browser may show in the page (raster images and PDF); everything else is sent
# as a download of application/octet-stream, whatever was recorded for it.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
SAFE_TYPES = INLINE_TYPES | {
    "application/pdf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
_EXTENSION = re.compile(r"^[a-z0-9]{1,5}$")
MB = 1024 * 1024

JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
PDF = "application/pdf"
DOC = "application/msword"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Every type :func:`sniff` recognises, with the extension a stored file of it gets.
EXTENSIONS: dict[str, str] = {JPEG: "jpg", PNG: "png", WEBP: "webp", PDF: "pdf", DOC: "doc", DOCX: "docx"}
IMAGES_AND_PDF = frozenset({JPEG, PNG, WEBP, PDF})
DOCUMENTS = frozenset(EXTENSIONS)
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class UploadLimits:
    max_files: int
    max_file_bytes: int
    max_total_bytes: int

    @property
    def max_file_mb(self) -> int:
        return self.max_file_bytes // MB

    @property
    def max_total_mb(self) -> int:
        return self.max_total_bytes // MB


def limits() -> UploadLimits:
    """The per-request limits from the settings (read on each call, so tests may change them)."""
    return UploadLimits(
        max_files=settings.UPLOAD_MAX_FILES,
        max_file_bytes=settings.UPLOAD_MAX_FILE_MB * MB,
        max_total_bytes=settings.UPLOAD_MAX_TOTAL_MB * MB,
    )


def size_of(upload: Any) -> int:
    """The size in bytes of a Django uploaded file, a ``File``, or a holder of one in
    ``.file`` (``huying.workorders.actions.UploadedAttachment``)."""
    size = getattr(upload, "size", None)
    if size is None and hasattr(upload, "file"):
        size = getattr(upload.file, "size", None)
    if size is None:
        handle: IO[bytes] = getattr(upload, "file", upload)
        position = handle.tell()
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(position)
    return int(size or 0)


def _is_docx(handle: IO[bytes]) -> bool:
    try:
        with zipfile.ZipFile(handle) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def content_type_of(handle: IO[bytes]) -> str | None:
    """The type the file's first bytes (magic numbers) say it is, among :data:`EXTENSIONS`;
    ``None`` for anything else, whatever its name claims. DOC is an OLE2 compound file,
    DOCX a ZIP holding ``word/document.xml``. Leaves the file positioned at its start."""
    handle.seek(0)
    head = handle.read(16)
    handle.seek(0)
    found: str | None = None
    if head.startswith(b"\xff\xd8\xff"):
        found = JPEG
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        found = PNG
    elif len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        found = WEBP
    elif head.startswith(b"%PDF-"):
        found = PDF
    elif head.startswith(_OLE2):
        found = DOC
    elif head.startswith(b"PK\x03\x04"):
        found = DOCX if _is_docx(handle) else None
    handle.seek(0)
    return found


def _type_names(allowed: Collection[str]) -> str:
    return "、".join(EXTENSIONS[t].upper() for t in EXTENSIONS if t in allowed)


def sniff(
    upload: Any,
    allowed: Collection[str],
    *,
    max_bytes: int | None = None,
    field: str = "file",
    messages: Mapping[str, str] | None = None,
) -> tuple[str, int]:
    """The content type (read from the first bytes) and the size of ``upload`` — a Django
    uploaded file, a ``File``, or a holder of one in ``.file`` — or a ValidationError on
    ``field``: larger than ``max_bytes`` (default ``UPLOAD_MAX_FILE_MB``; code
    ``file_too_large``), empty (``empty``), or not one of the ``allowed`` content types
    (``file_type``). ``messages`` may replace the text said for ``large``, ``empty`` and
    ``type`` (a workflow's own wording); by default each names the file."""
    name = (getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1][:100] or "?"
    limit = limits().max_file_bytes if max_bytes is None else max_bytes
    texts = dict(messages or {})
    size = size_of(upload)
    if size > limit:
        text = texts.get("large") or _("%(name)s is larger than %(mb)d MB.") % {"name": name, "mb": limit // MB}
        raise ValidationError({field: ValidationError(text, code="file_too_large")})
    if size == 0:
        text = texts.get("empty") or _("%(name)s is empty.") % {"name": name}
        raise ValidationError({field: ValidationError(text, code="empty")})
    handle: IO[bytes] = getattr(upload, "file", upload) if not hasattr(upload, "read") else upload
    content_type = content_type_of(handle)
    if content_type is None or content_type not in allowed:
        text = texts.get("type") or _("%(name)s must be a file of one of these types: %(types)s.") % {
            "name": name,
            "types": _type_names(allowed),
        }
        raise ValidationError({field: ValidationError(text, code="file_type")})
    return content_type, size


def check_upload_batch(files: Sequence[Any], *, field: str) -> None:
    """Refuse the files of one request together, before any is stored: more than
    ``UPLOAD_MAX_FILES``, one larger than ``UPLOAD_MAX_FILE_MB``, or more than
    ``UPLOAD_MAX_TOTAL_MB`` in all. Raises ValidationError on ``field`` (codes
    ``too_many``, ``file_too_large``, ``too_large``); the API answers 422 in its one error
    format, pages show the message on the field, Open311 answers 400."""
    limit = limits()
    if len(files) > limit.max_files:
        raise ValidationError(
            {
                field: ValidationError(
                    _("Attach at most %(n)d files at a time.") % {"n": limit.max_files}, code="too_many"
                )
            }
        )
    total = 0
    for upload in files:
        size = size_of(upload)
        if size > limit.max_file_bytes:
            name = getattr(upload, "name", "") or _("A file")
            raise ValidationError(
                {
                    field: ValidationError(
                        _("%(name)s is larger than %(mb)d MB.") % {"name": name, "mb": limit.max_file_mb},
                        code="file_too_large",
                    )
                }
            )
        total += size
    if total > limit.max_total_bytes:
        raise ValidationError(
            {
                field: ValidationError(
                    _("The files are larger than %(mb)d MB together: send fewer or smaller files.")
                    % {"mb": limit.max_total_mb},
                    code="too_large",
                )
            }
        )


def random_name(extension: str, folder: str = "") -> str:
    """A storage name nobody can guess: ``folder/<32 random characters>.<extension>``.
    Only a short lower-case alphanumeric extension is kept (``bin`` otherwise)."""
    extension = (extension or "").lower().lstrip(".")
    if not _EXTENSION.match(extension):
        extension = "bin"
    token = secrets.token_urlsafe(24)
    return f"{folder.rstrip('/')}/{token}.{extension}" if folder else f"{token}.{extension}"


def stored_name(content_type: str, filename: str, folder: str = "") -> str:
    """The storage name of a new file: :func:`random_name` in ``folder``, with the extension
    of its sniffed ``content_type``; the uploader's ``filename`` gives only its extension,
    and only when that is one of the known types' (``bin`` otherwise). Nothing else of what
    the uploader typed (a path, a name) reaches the file system."""
    extension = EXTENSIONS.get(content_type)
    if extension is None:
        given = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        extension = given if given in EXTENSIONS.values() else "bin"
    return random_name(extension, folder)


def download_response(
    handle: IO[bytes], *, content_type: str, filename: str, inline: bool = False, cache_seconds: int = 3600
) -> FileResponse:
    """Send a stored file after the caller checked that the viewer may see it.

    Only known types keep their content type (others go out as
    ``application/octet-stream``); only raster images may be shown inline; every answer
    carries ``Content-Disposition``, ``X-Content-Type-Options: nosniff``, a sandboxing
    content security policy and private caching."""
    safe_type = content_type if content_type in SAFE_TYPES else "application/octet-stream"
    response = FileResponse(
        handle,
        content_type=safe_type,
        as_attachment=not (inline and safe_type in INLINE_TYPES),
        filename=filename,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = f"private, max-age={cache_seconds}"
    return response

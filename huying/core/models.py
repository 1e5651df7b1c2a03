"""Shared tables and model pieces every workflow builds on.

- :class:`Counter`: one row per numbering scope (``proposal:<session id>``,
  ``workorder:<prefix>:<year>`` …), advanced by :func:`huying.core.counters.next_value`.
- :class:`StoredFile`: the abstract base of a stored file attached to a case (a work
  order's photos and evidence, a proposal's attachments): the sniffed type, the size, who
  uploaded it, and a storage name nobody can guess (:func:`stored_file_path`).

Core imports no other app: ``uploaded_by`` names the user model by setting.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huying.core.uploads import download_response, stored_name


class Counter(models.Model):
    """The last number handed out in a scope. :func:`huying.core.counters.next_value`
    locks the row (``SELECT … FOR UPDATE``) in the caller's transaction, so numbers are
    sequential, unique and gap-free: a rolled-back transaction gives its number back."""

    scope = models.CharField(_("scope"), max_length=100, unique=True)
    value = models.PositiveBigIntegerField(_("last value"), default=0)

    class Meta:
        verbose_name = _("counter")
        verbose_name_plural = _("counters")

    def __str__(self) -> str:
        return f"{self.scope}: {self.value}"


def stored_file_path(instance: StoredFile, filename: str) -> str:
    """``<the model's storage_dir()>/<random token>.<extension of the sniffed type>``:
    nothing the uploader typed (older files keep their stored names; every file is only
    reachable through a permission-checked download view)."""
    return stored_name(instance.content_type, filename, instance.storage_dir())


class StoredFile(models.Model):
    """A file uploaded to a case. Concrete models add the foreign key to their case, may
    choose their folder (:meth:`storage_dir`), and serve the file from a view that checks
    the viewer may see the case, then answers with :meth:`download`."""

    file = models.FileField(_("file"), upload_to=stored_file_path, max_length=255)
    original_name = models.CharField(_("original file name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name or self.file.name

    def storage_dir(self) -> str:
        """The folder a new file is stored in (default ``<app label>/YYYY/MM``)."""
        return f"{self._meta.app_label}/{timezone.now():%Y/%m}"

    @property
    def extension(self) -> str:
        return self.file.name.rsplit(".", 1)[-1].lower()

    def download(self, *, filename: str | None = None, inline: bool = False) -> FileResponse:
        """The file as an HTTP answer (:func:`huying.core.uploads.download_response`), after
        the caller checked that the viewer may see the case."""
        return download_response(
            self.file.open("rb"),
            content_type=self.content_type,
            filename=filename or f"attachment-{self.pk}.{self.extension}",
            inline=inline,
        )


class OutboxTask(models.Model):
    """A task written in the same transaction as the action that needs it (the outbox), so a
    committed action never loses its task: :func:`huying.core.outbox.enqueue` inserts the
    row and hands it to the broker once the transaction commits; a worker runs it with the
    row locked and marks it done in the same transaction (a second delivery finds it done);
    beat's ``outbox-requeue`` job hands again what is not done after
    ``OUTBOX_REQUEUE_AFTER_SECONDS`` (a send that failed, a message lost with Redis or held
    by a killed worker). ``runs`` counts completed runs: 1 for every done row."""

    name = models.CharField(_("task"), max_length=100)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    requeued_at = models.DateTimeField(_("handed again at"), null=True, blank=True)
    requeues = models.PositiveIntegerField(_("times handed again"), default=0)
    runs = models.PositiveIntegerField(_("completed runs"), default=0)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("queued task")
        verbose_name_plural = _("queued tasks")
        indexes = [
            models.Index(fields=["created_at"], condition=models.Q(done_at__isnull=True), name="outbox_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk}"

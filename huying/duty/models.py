from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DutyEntry(models.Model):
    """One act of one member (我的履职), written only through :mod:`huying.duty.acts`."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("member"), on_delete=models.PROTECT, related_name="duty_entries"
    )
    kind = models.CharField(_("kind of act"), max_length=48)
    group = models.CharField(_("group"), max_length=24)
    qualifier = models.CharField(_("qualifier"), max_length=24, blank=True)
    source_type = models.CharField(_("source type"), max_length=48)
    source_id = models.BigIntegerField(_("source id"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    retracted_at = models.DateTimeField(_("retracted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("duty record entry")
        verbose_name_plural = _("duty record entries")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "kind", "source_type", "source_id", "qualifier"], name="duty_entry_once_per_act"
            )
        ]
        indexes = [models.Index(fields=["member", "occurred_at"], name="duty_entry_member_time")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.kind} {self.source_type}#{self.source_id}"

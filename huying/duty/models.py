from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DutyEntryQuerySet(models.QuerySet["DutyEntry"]):
    def visible_to(self, user: Any) -> DutyEntryQuerySet:
        """The entries of the members whose record ``user`` may read (docs/duty.md, "Who
        sees what"): a member his own, staff the members they manage, leaders at a CPPCC
        that CPPCC and those below it, administrators everyone, the public nothing."""
        from huying.duty.access import visible_member_ids

        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_administrator:
            return self
        return self.filter(Q(member_id=user.pk) | Q(member_id__in=visible_member_ids(user)))

    def live(self) -> DutyEntryQuerySet:
        return self.filter(retracted_at__isnull=True)


class DutyEntry(models.Model):
    """One act of one member (我的履职), written only through :mod:`huying.duty.acts`.

    ``points`` is what the act counts under the rule valid on ``occurred_on``
    (:mod:`huying.duty.points`); a retracted act counts 0. ``occurred_on`` and ``year`` are
    the act's local date and year, stored so the ledger and the rankings read indexes."""

    # No index of its own: (member, occurred_at) and the uniqueness constraint lead with it.
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="duty_entries",
        db_index=False,
    )
    kind = models.CharField(_("kind of act"), max_length=48)
    group = models.CharField(_("group"), max_length=24)
    qualifier = models.CharField(_("qualifier"), max_length=24, blank=True)
    source_type = models.CharField(_("source type"), max_length=48)
    source_id = models.BigIntegerField(_("source id"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    occurred_on = models.DateField(_("date"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    points = models.IntegerField(_("points"), default=0)
    retracted_at = models.DateTimeField(_("retracted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = DutyEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("duty record entry")
        verbose_name_plural = _("duty record entries")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "kind", "source_type", "source_id", "qualifier"], name="duty_entry_once_per_act"
            )
        ]
        indexes = [
            models.Index(fields=["member", "occurred_at"], name="duty_entry_member_time"),
            # A rule change recomputes the entries of one kind in its validity period.
            models.Index(fields=["kind", "occurred_on"], name="duty_entry_kind_day"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.kind} {self.source_type}#{self.source_id}"


class PointRule(models.Model):
    """积分规则: what an act of ``kind`` (with ``qualifier``, or any qualifier when blank)
    counts from ``valid_from`` to ``valid_to`` (open-ended when empty). A rule naming the
    qualifier wins over the blank one; two rules of the same kind and qualifier never
    overlap (checked in :func:`huying.duty.actions.do_save_rule`)."""

    kind = models.CharField(_("kind of act"), max_length=48)
    qualifier = models.CharField(_("qualifier"), max_length=24, blank=True, help_text=_("Empty: any qualifier."))
    points = models.IntegerField(_("points"))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True, help_text=_("Empty: until further notice."))
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("points rule")
        verbose_name_plural = _("points rules")
        ordering = ["kind", "qualifier", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="duty_rule_period_ordered",
            ),
            models.CheckConstraint(condition=Q(points__gte=-1000, points__lte=1000), name="duty_rule_points_bounded"),
        ]
        indexes = [models.Index(fields=["kind", "qualifier", "valid_from"], name="duty_rule_lookup")]

    def __str__(self) -> str:
        return f"{self.kind}/{self.qualifier or '*'} {self.points:+d} {self.valid_from}"


class DutySummary(models.Model):
    """A member's points and acts in a year: kept by :mod:`huying.duty.acts` as acts are
    recorded or retracted and rebuilt by a rule change, so rankings read one row a member."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("member"), on_delete=models.CASCADE, related_name="duty_summaries"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    points = models.IntegerField(_("points"), default=0)
    acts = models.PositiveIntegerField(_("acts"), default=0)

    class Meta:
        verbose_name = _("yearly duty summary")
        verbose_name_plural = _("yearly duty summaries")
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="duty_summary_once_per_year")]
        # Rankings read a member's points and acts of a year from the index alone (PostgreSQL;
        # SQLite ignores the included columns).
        indexes = [models.Index(fields=["member", "year"], include=["points", "acts"], name="duty_summary_points")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.year} {self.points}"

"""一委一品 and 专题专栏: columns, the items tagged to them from other modules, the column's
own articles (栏目文章) and its status history.

A tag names its item by content type and id (``ColumnTag``), and by the key of the source
that registered the item's model (:mod:`huying.columns.sources`), so a column gathers items
of modules it does not import. Only :mod:`huying.columns.transitions` writes
``Column.status``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huying.columns.choices import ACTIVE_STATUSES, ColumnKind, ColumnStatus, CoverColour
from huying.core.models import StoredFile

# Statuses anyone (anonymous visitors included) may read.
READABLE = (ColumnStatus.PUBLISHED, ColumnStatus.ARCHIVED)


def manager_paths(user: Any) -> list[str]:
    """The organisation paths under which ``user`` manages columns: agency staff of a CPPCC
    committee (at the committee itself or one of its offices) manage every column of that
    committee and of the committees below it; agency staff of a special committee manage
    their committee's flagship only."""
    from huying.accounts.choices import Role
    from huying.organisations.choices import OrgKind

    paths = []
    for role in getattr(user, "active_roles", []):
        org = role.organisation
        if role.role != Role.AGENCY_STAFF or org is None:
            continue
        if org.kind == OrgKind.CPPCC_OFFICE and org.parent_id is not None:
            paths.append(org.path.rsplit("/", 2)[0] + "/")
        elif org.kind in (OrgKind.CPPCC, OrgKind.SPECIAL_COMMITTEE):
            paths.append(org.path)
    return paths


def managed_condition(user: Any) -> Q | None:
    """The columns ``user`` manages as a condition (``None``: every column, for
    administrators); an impossible condition for everyone else."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    if user.is_administrator:
        return None
    condition = Q(pk__in=[])
    for path in manager_paths(user):
        condition |= Q(cppcc__path__startswith=path) | Q(committee__path__startswith=path)
    return condition


class ColumnQuerySet(models.QuerySet["Column"]):
    def visible_to(self, user: Any) -> ColumnQuerySet:
        """Published and archived columns for everyone, anonymous visitors included; drafts
        only for the staff who manage the column and administrators."""
        managed = managed_condition(user)
        if managed is None:
            return self.all()
        return self.filter(Q(status__in=READABLE) | managed)

    def managed_by(self, user: Any) -> ColumnQuerySet:
        managed = managed_condition(user)
        return self.all() if managed is None else self.filter(managed)

    def for_list(self) -> ColumnQuerySet:
        return self.select_related("cppcc", "committee", "cover")


class Column(models.Model):
    title = models.CharField(_("title"), max_length=60)
    slug = models.SlugField(
        _("web address"), max_length=60, unique=True, help_text=_("Letters, digits and hyphens, e.g. greater-bay-area.")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ColumnKind.choices)
    cppcc = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("CPPCC committee"), on_delete=models.PROTECT, related_name="+"
    )
    committee = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("special committee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    summary = models.CharField(_("summary"), max_length=120, blank=True)
    intro = models.TextField(_("introduction"), max_length=5000, blank=True)
    cover_colour = models.CharField(
        _("cover colour"), max_length=10, choices=CoverColour.choices, default=CoverColour.RED
    )
    position = models.PositiveSmallIntegerField(_("order"), default=100, help_text=_("Smaller numbers come first."))
    status = models.CharField(_("status"), max_length=10, choices=ColumnStatus.choices, default=ColumnStatus.DRAFT)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    objects = ColumnQuerySet.as_manager()

    class Meta:
        verbose_name = _("column")
        ordering = ["position", "title", "pk"]
        indexes = [models.Index(fields=["status", "kind", "position"], name="column_listing")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ColumnStatus.values), name="column_status_valid"),
            models.CheckConstraint(
                condition=Q(kind=ColumnKind.FLAGSHIP, committee__isnull=False)
                | Q(kind=ColumnKind.TOPIC, committee__isnull=True),
                name="column_flagship_has_committee",
            ),
            # 一委一品: at most one active (draft or published) flagship per special committee.
            models.UniqueConstraint(
                fields=["committee"],
                condition=Q(kind=ColumnKind.FLAGSHIP, status__in=ACTIVE_STATUSES),
                name="column_one_active_flagship",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def owner(self) -> Any:
        """The organisation the column belongs to: the committee of a flagship, else the CPPCC."""
        return self.committee if self.kind == ColumnKind.FLAGSHIP else self.cppcc

    @property
    def is_readable(self) -> bool:
        return self.status in READABLE


class ColumnEvent(models.Model):
    """A column's status history (one row per move)."""

    column = models.ForeignKey(Column, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=10, choices=ColumnStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=ColumnStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.column_id} {self.from_status}→{self.to_status}"


class ColumnCover(StoredFile):
    """The column's cover picture (optional; the cover colour is used without one)."""

    column = models.OneToOneField(Column, on_delete=models.CASCADE, related_name="cover")

    class Meta:
        verbose_name = _("column cover")


class ColumnTag(models.Model):
    """One item of another module gathered into a column: by its source's key (for grouping
    and counting) and by content type and id (which object)."""

    column = models.ForeignKey(Column, on_delete=models.CASCADE, related_name="tags")
    source = models.CharField(_("source"), max_length=30)
    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    tagged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    tagged_at = models.DateTimeField(_("tagged at"), default=timezone.now)

    class Meta:
        ordering = ["-tagged_at", "-pk"]
        indexes = [
            models.Index(fields=["column", "source", "object_id"], name="column_tag_source"),
            models.Index(fields=["content_type", "object_id"], name="column_tag_object"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["column", "content_type", "object_id"], name="column_tag_once"),
        ]

    def __str__(self) -> str:
        return f"{self.column_id} ← {self.source}:{self.object_id}"


class ColumnArticleQuerySet(models.QuerySet["ColumnArticle"]):
    def visible_to(self, user: Any) -> ColumnArticleQuerySet:
        """The articles of the columns ``user`` may read."""
        return self.filter(column__in=Column.objects.visible_to(user))


class ColumnArticle(models.Model):
    """栏目文章: the column's own news (until a news app registers as a source)."""

    column = models.ForeignKey(Column, on_delete=models.CASCADE, related_name="articles")
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"), max_length=20000)
    published_on = models.DateField(_("published on"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ColumnArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("column article")
        ordering = ["-published_on", "-pk"]
        indexes = [models.Index(fields=["column", "-published_on"], name="column_article_latest")]

    def __str__(self) -> str:
        return self.title

    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.body.split("\n") if p.strip()]

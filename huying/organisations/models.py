"""One tree of organisations: CPPCC committees, government units, command centres,
streets and communities.

The tree is stored as a materialised path (``path`` = the ids of all ancestors and the
node itself, zero-padded and ``/``-separated), so "everything under Guangzhou" is one
indexed ``path LIKE '000001/000003/%'`` query, without recursion per row, on SQLite and
PostgreSQL alike. Only :mod:`huying.organisations.actions` creates and moves nodes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from huying.organisations.choices import OrgKind, OrgLevel

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from huying.accounts.models import User

SEGMENT_WIDTH = 8


def path_segment(pk: int) -> str:
    return f"{pk:0{SEGMENT_WIDTH}d}/"


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def subtree(self, root: Organisation, include_root: bool = True) -> OrganisationQuerySet:
        qs = self.filter(path__startswith=root.path)
        return qs if include_root else qs.exclude(pk=root.pk)

    def subtrees(self, roots: list[Organisation]) -> OrganisationQuerySet:
        """All nodes under any of ``roots`` (one query, OR of prefix matches)."""
        if not roots:
            return self.none()
        condition = Q()
        for root in roots:
            condition |= Q(path__startswith=root.path)
        return self.filter(condition)

    def ancestors_of(self, node: Organisation, include_self: bool = False) -> OrganisationQuerySet:
        paths = node.ancestor_paths()
        if include_self:
            paths.append(node.path)
        return self.filter(path__in=paths)

    def active(self) -> OrganisationQuerySet:
        return self.filter(is_active=True)

    def roots(self) -> OrganisationQuerySet:
        return self.filter(parent__isnull=True)

    def search(self, query: str) -> OrganisationQuerySet:
        """Name or short name contains ``query`` (anywhere in the tree)."""
        query = query.strip()
        if not query:
            return self
        return self.filter(Q(name__icontains=query) | Q(short_name__icontains=query))

    def with_child_count(self, user: User | AnonymousUser) -> OrganisationQuerySet:
        """Annotate ``child_count``: the children ``user`` can see (for expand buttons)."""
        if user.is_authenticated and user.is_administrator:
            return self.annotate(child_count=Count("children"))
        return self.annotate(child_count=Count("children", filter=Q(children__is_active=True)))

    def visible_to(self, user: User | AnonymousUser) -> OrganisationQuerySet:
        """The organisation directory is public information (names of committees,
        departments and streets); inactive units are only shown to administrators."""
        if user.is_authenticated and user.is_administrator:
            return self.all()
        return self.filter(is_active=True)


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=OrgKind.choices, db_index=True)
    level = models.CharField(_("level"), max_length=16, choices=OrgLevel.choices, db_index=True)
    division_code = models.CharField(
        _("division code"),
        max_length=12,
        blank=True,
        db_index=True,
        help_text=_("Statistical administrative division code of the area this organisation serves."),
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(_("tree path"), max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    sort_order = models.IntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="organisation_unique_name_per_parent"),
            models.UniqueConstraint(
                fields=["name"], condition=Q(parent__isnull=True), name="organisation_unique_root_name"
            ),
        ]
        indexes = [models.Index(fields=["kind", "level"], name="organisation_kind_level")]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def ancestor_paths(self) -> list[str]:
        segments = [s for s in self.path.split("/") if s]
        return ["".join(f"{s}/" for s in segments[:i]) for i in range(1, len(segments))]

    def ancestors(self) -> OrganisationQuerySet:
        return Organisation.objects.ancestors_of(self)

    def descendants(self, include_self: bool = False) -> OrganisationQuerySet:
        return Organisation.objects.subtree(self, include_root=include_self)

    def is_descendant_of(self, other: Organisation) -> bool:
        return self.path.startswith(other.path)


class Sector(models.Model):
    """One of the 34 sectors (界别) of the CPPCC."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    short_name = models.CharField(_("short name"), max_length=20, blank=True)
    group = models.CharField(_("group"), max_length=20, blank=True)
    sort_order = models.IntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name

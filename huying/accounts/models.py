"""People, their roles in organisations, and API tokens."""

from __future__ import annotations

import hashlib
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huying.accounts.choices import (
    CONSOLE_ROLES,
    DASHBOARD_ROLES,
    MEMBER_SECTION_ROLES,
    TWO_FACTOR_ROLES,
    MemberLevel,
    Role,
)

if TYPE_CHECKING:
    from huying.organisations.models import Organisation

mobile_validator = RegexValidator(
    r"^1[3-9]\d{9}$", _("Enter a mainland China mobile number of 11 digits starting with 1.")
)
username_validator = RegexValidator(
    r"^[A-Za-z0-9_.@+-]{3,40}$",
    _("Use 3 to 40 letters, digits or the characters _ . @ + -."),
)


def mask_mobile(mobile: str) -> str:
    """138****1234: the first three and last four digits stay, the middle is hidden."""
    if not mobile:
        return ""
    if len(mobile) < 8:
        return "*" * len(mobile)
    return f"{mobile[:3]}****{mobile[-4:]}"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, username: str, password: str | None = None, **extra: Any) -> User:
        if not username:
            raise ValueError("A login name is required.")
        user = self.model(username=username, **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, username: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("real_name", username)
        return self.create_user(username, password, **extra)


class UserQuerySet(models.QuerySet["User"]):
    def visible_to(self, viewer: User) -> UserQuerySet:
        """Who may see whom in directories and lists.

        Administrators see everyone; people working in an organisation see the people
        holding a role in the same organisation subtrees; everyone sees themselves.
        """
        if not viewer.is_authenticated:
            return self.none()
        if viewer.is_administrator:
            return self.all()
        roots = viewer.organisations
        if not roots:
            return self.filter(pk=viewer.pk)
        from huying.organisations.models import Organisation

        orgs = Organisation.objects.subtrees(roots).values("pk")
        return self.filter(Q(pk=viewer.pk) | Q(role_assignments__organisation__in=orgs)).distinct()

    def search(self, text: str, *, viewer: Any) -> UserQuerySet:
        """People whose real name or login name contains ``text``, or whose mobile number
        does for a ``viewer`` who may see it whole (:meth:`User.mobile_for`: administrators
        for everyone, anyone for themselves). A masked number is never searchable: a
        match on its hidden digits would give them away one search at a time."""
        text = text.strip()
        if not text:
            return self
        condition = Q(real_name__icontains=text) | Q(username__icontains=text)
        if getattr(viewer, "is_authenticated", False):
            if viewer.is_administrator:
                condition |= Q(mobile__contains=text)
            else:
                condition |= Q(pk=viewer.pk, mobile__contains=text)
        return self.filter(condition)

    def holding(self, role: str = "", organisation: Organisation | None = None) -> UserQuerySet:
        """People with an active ``role`` (any role if empty) in ``organisation`` or anywhere
        below it (anywhere if ``None``). One subquery, no duplicates."""
        if not role and organisation is None:
            return self
        assignments = RoleAssignment.objects.filter(is_active=True)
        if role:
            assignments = assignments.filter(role=role)
        if organisation is not None:
            assignments = assignments.filter(organisation__path__startswith=organisation.path)
        return self.filter(pk__in=assignments.values("user_id"))

    def with_current_roles(self) -> UserQuerySet:
        """Prefetch the active role assignments (with organisations) as ``current_roles``."""
        return self.prefetch_related(
            models.Prefetch(
                "role_assignments",
                queryset=RoleAssignment.objects.filter(is_active=True).select_related("organisation"),
                to_attr="current_roles",
            )
        )


class _UserManagerWithQuerySet(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractBaseUser, PermissionsMixin):
    username = models.CharField(
        _("login name"),
        max_length=40,
        unique=True,
        validators=[username_validator],
        error_messages={"unique": _("This login name is already taken.")},
    )
    real_name = models.CharField(_("real name"), max_length=50)
    mobile = models.CharField(_("mobile phone"), max_length=11, blank=True, validators=[mobile_validator])
    is_real_name_verified = models.BooleanField(_("real-name verified"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("Django admin access"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = _UserManagerWithQuerySet()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS = ["real_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["mobile"], condition=~Q(mobile=""), name="user_unique_mobile"),
        ]

    def __str__(self) -> str:
        return self.real_name or self.username

    def get_full_name(self) -> str:
        return self.real_name

    def get_short_name(self) -> str:
        return self.real_name

    # --- roles -------------------------------------------------------------------------
    @cached_property
    def active_roles(self) -> list[RoleAssignment]:
        return list(self.role_assignments.filter(is_active=True).select_related("organisation", "sector"))

    @cached_property
    def role_set(self) -> frozenset[str]:
        roles = {a.role for a in self.active_roles}
        if self.is_superuser:
            roles.add(Role.ADMIN)
        return frozenset(roles)

    @property
    def organisations(self) -> list[Organisation]:
        return [a.organisation for a in self.active_roles if a.organisation is not None]

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set.intersection(roles))

    @property
    def is_administrator(self) -> bool:
        return self.is_active and (self.is_superuser or Role.ADMIN in self.role_set)

    @property
    def can_use_console(self) -> bool:
        return bool(self.role_set & CONSOLE_ROLES)

    @property
    def can_use_member_sections(self) -> bool:
        return bool(self.role_set & MEMBER_SECTION_ROLES)

    @property
    def can_use_dashboard(self) -> bool:
        return bool(self.role_set & DASHBOARD_ROLES)

    @property
    def may_use_two_factor(self) -> bool:
        return bool(self.role_set & TWO_FACTOR_ROLES)

    @property
    def masked_mobile(self) -> str:
        return mask_mobile(self.mobile)

    def mobile_for(self, viewer: Any) -> str:
        """The phone number as ``viewer`` may see it: whole for the person themselves and
        administrators, masked for everyone else."""
        if getattr(viewer, "is_authenticated", False) and (viewer.pk == self.pk or viewer.is_administrator):
            return self.mobile
        return self.masked_mobile


class RoleAssignmentQuerySet(models.QuerySet["RoleAssignment"]):
    def active(self) -> RoleAssignmentQuerySet:
        return self.filter(is_active=True)

    def visible_to(self, viewer: User) -> RoleAssignmentQuerySet:
        return self.filter(user__in=User.objects.visible_to(viewer).values("pk"))


class RoleAssignment(models.Model):
    """A role a person holds in an organisation. A person may hold several.

    Members carry their term (届), sector (界别), special committee and level; the
    public role is the only one without an organisation.
    """

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, db_index=True)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    title = models.CharField(_("job title"), max_length=50, blank=True)
    term = models.PositiveSmallIntegerField(_("term"), null=True, blank=True, help_text=_("Term number, e.g. 13"))
    sector = models.ForeignKey(
        "organisations.Sector", verbose_name=_("sector"), null=True, blank=True, on_delete=models.PROTECT
    )
    special_committee = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("special committee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="committee_members",
    )
    member_level = models.CharField(_("member level"), max_length=12, choices=MemberLevel.choices, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        ordering = ["user_id", "role"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(role=Role.PUBLIC) & Q(organisation__isnull=True))
                | (~Q(role=Role.PUBLIC) & Q(organisation__isnull=False)),
                name="role_organisation_unless_public",
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.MEMBER)
                | (Q(term__isnull=False) & Q(sector__isnull=False) & ~Q(member_level="")),
                name="role_member_has_term_sector_level",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "organisation"],
                condition=Q(is_active=True),
                name="role_unique_active_assignment",
            ),
        ]

    def __str__(self) -> str:
        if self.organisation_id:
            return f"{self.organisation} · {self.get_role_display()}"
        return str(self.get_role_display())


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self) -> ApiTokenQuerySet:
        now = timezone.now()
        return self.filter(revoked_at__isnull=True, user__is_active=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A per-client API token. Only the SHA-256 of the secret is stored; the secret is
    shown once, when the token is created."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("client name"), max_length=80)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

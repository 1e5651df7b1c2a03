"""Every write to people, roles and tokens. Pages, the API, commands and tests call these.

Each ``do_*`` function validates, writes in one transaction and appends an audit entry.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huying.accounts.choices import Role
from huying.accounts.models import ApiToken, RoleAssignment, User, hash_token
from huying.audit.actions import record
from huying.organisations.choices import OrgKind
from huying.organisations.models import Organisation, Sector

TOKEN_PREFIX = "hy_"  # noqa: S105 - a public prefix, not a secret


@transaction.atomic
def do_create_user(
    actor: Any,
    *,
    username: str,
    real_name: str,
    password: str | None,
    mobile: str = "",
    is_real_name_verified: bool = False,
) -> User:
    """Create a person. Called by administrators, the demo loader and public sign-up.

    ``password=None`` makes an account that cannot log in with a password."""
    user = User(
        username=username.strip(),
        real_name=real_name.strip(),
        mobile=mobile.strip(),
        is_real_name_verified=is_real_name_verified,
    )
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.full_clean()
    user.save()
    record(actor, "user.create", user, {"username": username, "real_name": real_name, "mobile": user.masked_mobile})
    return user


@transaction.atomic
def do_assign_role(
    actor: Any,
    user: User,
    role: str,
    organisation: Organisation | None = None,
    *,
    title: str = "",
    term: int | None = None,
    sector: Sector | None = None,
    special_committee: Organisation | None = None,
    member_level: str = "",
) -> RoleAssignment:
    """Give ``user`` a role in ``organisation`` (none for the public role)."""
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if role == Role.PUBLIC and organisation is not None:
        raise ValidationError({"organisation": _("The public role is not bound to an organisation.")})
    if role != Role.PUBLIC and organisation is None:
        raise ValidationError({"organisation": _("This role must be bound to an organisation.")})
    if role == Role.MEMBER:
        if organisation is not None and organisation.kind != OrgKind.CPPCC:
            raise ValidationError({"organisation": _("Members belong to a CPPCC committee.")})
        if special_committee is not None and special_committee.kind != OrgKind.SPECIAL_COMMITTEE:
            raise ValidationError({"special_committee": _("Choose a special committee.")})
    assignment = RoleAssignment(
        user=user,
        role=role,
        organisation=organisation,
        title=title,
        term=term,
        sector=sector,
        special_committee=special_committee,
        member_level=member_level,
    )
    assignment.full_clean()
    assignment.save()
    user.__dict__.pop("active_roles", None)
    user.__dict__.pop("role_set", None)
    record(
        actor,
        "role.assign",
        user,
        {"role": role, "organisation": organisation.name if organisation else None},
    )
    return assignment


@transaction.atomic
def do_revoke_role(actor: Any, assignment: RoleAssignment) -> None:
    """End a role assignment (kept for history, marked inactive)."""
    if not assignment.is_active:
        raise ValidationError(_("This role has already been revoked."))
    RoleAssignment.objects.filter(pk=assignment.pk).update(is_active=False)
    assignment.is_active = False
    record(
        actor,
        "role.revoke",
        assignment.user,
        {"role": assignment.role, "organisation": str(assignment.organisation or "")},
    )


@transaction.atomic
def do_create_api_token(actor: Any, user: User, name: str, expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """Create a token for ``user``. Returns the token row and the secret, which is never
    stored and cannot be shown again."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the client a name.")})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry time must be in the future.")})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=secret[:10], token_hash=hash_token(secret), expires_at=expires_at
    )
    record(actor, "api_token.create", token, {"name": name, "user": user.username})
    return token, secret


@transaction.atomic
def do_revoke_api_token(actor: Any, token: ApiToken) -> None:
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if not updated:
        raise ValidationError(_("This token has already been revoked."))
    token.refresh_from_db()
    record(actor, "api_token.revoke", token, {"name": token.name})

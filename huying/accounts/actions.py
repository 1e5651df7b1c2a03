"""Every write to people, roles, tokens and two-factor devices. Pages, the API, commands
and tests call these.

Each ``do_*`` function validates, writes in one transaction and appends an audit entry.
Secrets (passwords, token secrets, OTP keys and codes) never reach the audit log.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from django.contrib.auth import login as auth_login
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from huying.accounts import token_cache
from huying.accounts.choices import Role
from huying.accounts.models import ApiToken, RoleAssignment, User, hash_token, mask_mobile
from huying.audit.actions import record
from huying.organisations.choices import OrgKind
from huying.organisations.models import Organisation, Sector

TOKEN_PREFIX = "hy_"  # noqa: S105 - a public prefix, not a secret
BACKUP_CODE_COUNT = 10
TWO_FACTOR_DEVICE_NAME = "default"


def _check_mobile_free(mobile: str, exclude_pk: int | None = None) -> None:
    if not mobile:
        return
    taken = User.objects.filter(mobile=mobile)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError({"mobile": _("This mobile number is already registered to another person.")})


# --- people ---------------------------------------------------------------------------------
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
    _check_mobile_free(user.mobile)
    user.full_clean()
    user.save()
    record(actor, "user.create", user, {"username": username, "real_name": real_name, "mobile": user.masked_mobile})
    return user


@transaction.atomic
def do_update_user(
    actor: Any,
    user: User,
    *,
    real_name: str,
    mobile: str,
    is_real_name_verified: bool,
) -> User:
    """Change a person's name, mobile number and verification flag (administrators).

    The audit entry keeps mobile numbers masked."""
    new_values: dict[str, Any] = {
        "real_name": real_name.strip(),
        "mobile": mobile.strip(),
        "is_real_name_verified": is_real_name_verified,
    }
    changes: dict[str, list[Any]] = {}
    for field, new in new_values.items():
        old = getattr(user, field)
        if old != new:
            changes[field] = [mask_mobile(old), mask_mobile(new)] if field == "mobile" else [old, new]
            setattr(user, field, new)
    if not changes:
        return user
    _check_mobile_free(user.mobile, exclude_pk=user.pk)
    user.full_clean(exclude=["password"])
    user.save(update_fields=list(changes))
    record(actor, "user.update", user, changes)
    return user


@transaction.atomic
def do_set_user_active(actor: Any, user: User, active: bool) -> None:
    """Deactivate or reactivate a person (administrators).

    A deactivated person cannot log in, their sessions stop working and their API tokens
    are revoked (reactivation does not bring the tokens back). Nobody can deactivate
    themselves, so an administrator cannot lock everyone out by accident."""
    if user.is_active == active:
        raise ValidationError(
            _("This person is already active.") if active else _("This person is already deactivated.")
        )
    if not active and actor is not None and getattr(actor, "pk", None) == user.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    User.objects.filter(pk=user.pk).update(is_active=active)
    token_cache.invalidate()
    user.is_active = active
    changes: dict[str, Any] = {"is_active": [not active, active]}
    if not active:
        revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        changes["api_tokens_revoked"] = revoked
    record(actor, "user.reactivate" if active else "user.deactivate", user, changes)


@transaction.atomic
def do_change_password(actor: Any, user: User, new_password: str) -> None:
    """Set a new password (the person themselves, from the password change page).

    The caller has validated the old password and the password rules."""
    user.set_password(new_password)
    user.save(update_fields=["password"])
    record(actor, "user.password_change", user, {})


@transaction.atomic
def do_log_in(request: HttpRequest, user: User, backend: str | None = None, device: Device | None = None) -> None:
    """Start a session for ``user`` after the password (and, if enrolled, the second factor)
    were checked. Marks the session as OTP-verified when ``device`` is given."""
    auth_login(request, user, backend=backend)
    if device is not None:
        otp_login(request, device)
    record(user, "user.login", user, {"two_factor": device is not None})


# --- roles ----------------------------------------------------------------------------------
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
    """Give ``user`` a role in ``organisation`` (none for the public role).

    Members need a term, a sector and a level; other roles carry none of them."""
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    errors: dict[str, str] = {}
    if role == Role.PUBLIC and organisation is not None:
        errors["organisation"] = _("The public role is not bound to an organisation.")
    if role != Role.PUBLIC and organisation is None:
        errors["organisation"] = _("This role must be bound to an organisation.")
    if role == Role.MEMBER:
        if organisation is not None and organisation.kind != OrgKind.CPPCC:
            errors["organisation"] = _("Members belong to a CPPCC committee.")
        if special_committee is not None and special_committee.kind != OrgKind.SPECIAL_COMMITTEE:
            errors["special_committee"] = _("Choose a special committee.")
        if term is None:
            errors["term"] = _("Give the member's term (e.g. 13).")
        if sector is None:
            errors["sector"] = _("Choose the member's sector.")
        if not member_level:
            errors["member_level"] = _("Choose the member's level.")
    else:
        if term is not None:
            errors["term"] = _("Only members have a term.")
        if sector is not None:
            errors["sector"] = _("Only members belong to a sector.")
        if special_committee is not None:
            errors["special_committee"] = _("Only members belong to a special committee.")
        if member_level:
            errors["member_level"] = _("Only members have a member level.")
    if errors:
        raise ValidationError(errors)
    if RoleAssignment.objects.filter(user=user, role=role, organisation=organisation, is_active=True).exists():
        raise ValidationError({"role": _("This person already holds this role in this organisation.")})
    assignment = RoleAssignment(
        user=user,
        role=role,
        organisation=organisation,
        title=title.strip(),
        term=term,
        sector=sector,
        special_committee=special_committee,
        member_level=member_level,
    )
    assignment.full_clean()
    assignment.save()
    user.__dict__.pop("active_roles", None)
    user.__dict__.pop("role_set", None)
    changes: dict[str, Any] = {"role": role, "organisation": organisation.name if organisation else None}
    if role == Role.MEMBER:
        changes.update(term=term, sector=str(sector), member_level=member_level)
    record(actor, "role.assign", user, changes)
    return assignment


@transaction.atomic
def do_revoke_role(actor: Any, assignment: RoleAssignment) -> None:
    """End a role assignment (kept for history, marked inactive).

    An administrator cannot take away their own administrator role."""
    if not assignment.is_active:
        raise ValidationError(_("This role has already been revoked."))
    if (
        assignment.role == Role.ADMIN
        and actor is not None
        and getattr(actor, "pk", None) == assignment.user_id
        and not getattr(actor, "is_superuser", False)
    ):
        raise ValidationError(_("You cannot revoke your own administrator role."))
    RoleAssignment.objects.filter(pk=assignment.pk).update(is_active=False)
    token_cache.invalidate()
    assignment.is_active = False
    assignment.user.__dict__.pop("active_roles", None)
    assignment.user.__dict__.pop("role_set", None)
    record(
        actor,
        "role.revoke",
        assignment.user,
        {"role": assignment.role, "organisation": str(assignment.organisation or "")},
    )


# --- API tokens -----------------------------------------------------------------------------
@transaction.atomic
def do_create_api_token(
    actor: Any, user: User, name: str, expires_at: datetime | None = None, *, secret: str | None = None
) -> tuple[ApiToken, str]:
    """Create a token for ``user``. Returns the token row and the secret, which is never
    stored and cannot be shown again.

    ``secret`` is for the demo data only (a published, fixed demo key): it must look like a
    generated one (the ``hy_`` prefix, at least 32 characters) and not be in use already.
    Everyone else gets a random secret."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the client a name.")})
    if len(name) > ApiToken._meta.get_field("name").max_length:  # type: ignore[operator]
        raise ValidationError({"name": _("The client name is too long (at most 80 characters).")})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry time must be in the future.")})
    if secret is None:
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    elif not secret.startswith(TOKEN_PREFIX) or len(secret) < 32:
        raise ValidationError({"secret": _("A fixed token must start with hy_ and have at least 32 characters.")})
    elif ApiToken.objects.filter(token_hash=hash_token(secret)).exists():
        raise ValidationError({"secret": _("This token is already in use.")})
    token = ApiToken.objects.create(
        user=user, name=name, prefix=secret[:10], token_hash=hash_token(secret), expires_at=expires_at
    )
    record(actor, "api_token.create", token, {"name": name, "user": user.username, "expires_at": expires_at})
    return token, secret


@transaction.atomic
def do_revoke_api_token(actor: Any, token: ApiToken) -> None:
    """Revoke a token (its owner, or an administrator). It stops working at once (in the other web processes within a tenth of a second)."""
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if not updated:
        raise ValidationError(_("This token has already been revoked."))
    token_cache.invalidate()
    token.refresh_from_db()
    record(actor, "api_token.revoke", token, {"name": token.name})


# --- two-factor authentication --------------------------------------------------------------
def confirmed_totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_two_factor(user: User) -> bool:
    """Whether logging in needs a second factor: the person has a confirmed TOTP device."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def check_otp_token(user: User, token: str) -> Device | None:
    """The confirmed device (TOTP, or the static backup codes) that accepts ``token``.

    Deliberately not in a transaction: a failed attempt must leave its throttling mark
    on the device (django-otp slows down repeated guesses), and a used backup code must
    be consumed."""
    token = "".join(token.split()).lower()
    if not token:
        return None
    devices: list[Device] = [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ]
    for device in devices:
        if device.verify_token(token):
            return device
    return None


@transaction.atomic
def do_start_two_factor(actor: Any, user: User) -> TOTPDevice:
    """Begin enrolment: a new, unconfirmed TOTP device with a fresh secret (any earlier
    unconfirmed one is discarded). Only for people whose roles offer two-factor login."""
    if not user.may_use_two_factor:
        raise ValidationError(_("Two-factor authentication is offered to staff, leaders and administrators."))
    if has_two_factor(user):
        raise ValidationError(_("Two-factor authentication is already on."))
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=user, name=TWO_FACTOR_DEVICE_NAME, confirmed=False)
    record(actor, "two_factor.start", user, {})
    return device


def _new_backup_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="backup", confirmed=True)
    codes = [StaticToken.random_token() for _i in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


def do_confirm_two_factor(actor: Any, user: User, token: str) -> list[str]:
    """Finish enrolment with a code from the authenticator app. Confirms the device and
    returns 10 single-use backup codes, to be shown once."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        raise ValidationError(_("Start the set-up first."))
    if not device.verify_token("".join(token.split())):
        raise ValidationError({"otp_token": _("The code is not correct. Check the time on your phone and try again.")})
    with transaction.atomic():
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        codes = _new_backup_codes(user)
        record(actor, "two_factor.enable", user, {"backup_codes": len(codes)})
    return codes


def do_regenerate_backup_codes(actor: Any, user: User, token: str) -> list[str]:
    """Replace the backup codes (needs a current code); the old ones stop working."""
    if not has_two_factor(user):
        raise ValidationError(_("Two-factor authentication is off."))
    if check_otp_token(user, token) is None:
        raise ValidationError({"otp_token": _("The code is not correct.")})
    with transaction.atomic():
        codes = _new_backup_codes(user)
        record(actor, "two_factor.backup_codes", user, {"backup_codes": len(codes)})
    return codes


def do_disable_two_factor(actor: Any, user: User, token: str) -> None:
    """Turn two-factor login off (needs a current code or a backup code)."""
    if not has_two_factor(user):
        raise ValidationError(_("Two-factor authentication is off."))
    if check_otp_token(user, token) is None:
        raise ValidationError({"otp_token": _("The code is not correct.")})
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        record(actor, "two_factor.disable", user, {})


@transaction.atomic
def do_reset_two_factor(actor: Any, user: User) -> None:
    """Remove a person's two-factor devices without a code (administrators, for someone
    who lost their phone and backup codes). The person logs in with the password alone
    and can enrol again."""
    if not has_two_factor(user):
        raise ValidationError(_("Two-factor authentication is off."))
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    record(actor, "two_factor.reset", user, {})

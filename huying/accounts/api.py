"""API authentication and the accounts endpoints."""

from datetime import datetime
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from ninja.security import HttpBearer

from huying.accounts import actions, token_cache
from huying.accounts.middleware import role_requires_two_factor
from huying.accounts.models import ApiToken, RoleAssignment, User, hash_token
from huying.core.api_errors import ErrorOut
from huying.core.api_types import Id, PageNumberPagination
from huying.core.ratelimit import RateLimited
from huying.organisations.models import Organisation

router = Router(tags=["accounts"])


class ApiTokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; the token is looked up by its SHA-256 hash.

    Unknown, revoked and expired tokens (and tokens of deactivated people) are refused. A
    process keeps a checked token for a few seconds (:mod:`huying.accounts.token_cache`);
    a revocation counts in every process within a tenth of a second."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if not token:
            return None
        found = token_cache.lookup(hash_token(token))
        if found is None:
            return None
        api_token, user = found
        now = timezone.now()
        if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
            api_token.last_used_at = now
        request.user = user
        request.api_token = api_token  # type: ignore[attr-defined]
        return user


def _viewer(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


class RoleOut(Schema):
    role: str
    role_display: str
    organisation_id: int | None
    organisation_name: str | None


def _role_out(a: RoleAssignment) -> dict[str, Any]:
    return {
        "role": a.role,
        "role_display": a.get_role_display(),
        "organisation_id": a.organisation_id,
        "organisation_name": a.organisation.name if a.organisation else None,
    }


class MeOut(Schema):
    id: int
    username: str
    real_name: str
    mobile: str
    is_real_name_verified: bool
    roles: list[RoleOut]


@router.get("/me", response=MeOut, summary="The authenticated person and their roles")
def me(request: HttpRequest) -> dict[str, Any]:
    user = _viewer(request)
    return {
        "id": user.pk,
        "username": user.username,
        "real_name": user.real_name,
        "mobile": user.mobile_for(user),
        "is_real_name_verified": user.is_real_name_verified,
        "roles": [_role_out(a) for a in user.active_roles],
    }


# --- tokens ---------------------------------------------------------------------------------
class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    secret: str = Field(description="Shown only in this response; store it safely.")


class TokenIn(Schema):
    name: str
    expires_at: datetime | None = None


@router.get("/tokens", response=list[TokenOut], summary="My API tokens (newest first)")
@paginate(PageNumberPagination)
def list_tokens(request: HttpRequest) -> Any:
    return ApiToken.objects.filter(user=_viewer(request))


@router.post(
    "/tokens",
    response={201: TokenCreatedOut, 422: ErrorOut, 403: ErrorOut},
    summary="Create an API token; the secret is returned once",
)
def create_token(request: HttpRequest, payload: TokenIn) -> Any:
    if getattr(request, "api_token", None) is not None:
        # A leaked token must not be able to mint its own successors.
        return Status(403, {"message": _("Create API tokens from a logged-in session, not with another token.")})
    expires_at = payload.expires_at
    if expires_at is not None and timezone.is_naive(expires_at):
        expires_at = timezone.make_aware(expires_at)
    user = _viewer(request)
    token, secret = actions.do_create_api_token(user, user, payload.name, expires_at)
    return Status(201, {**TokenOut.from_orm(token).dict(), "secret": secret})


def _revoke(request: HttpRequest, token_id: int) -> Any:
    token = ApiToken.objects.filter(pk=token_id, user=_viewer(request)).first()
    if token is None:
        return Status(404, {"message": _("You have no token with this number.")})
    actions.do_revoke_api_token(request.user, token)
    return Status(200, token)


@router.delete(
    "/tokens/{token_id}", response={200: TokenOut, 422: ErrorOut, 404: ErrorOut}, summary="Revoke one of my tokens"
)
def delete_token(request: HttpRequest, token_id: Id) -> Any:
    return _revoke(request, token_id)


@router.post(
    "/tokens/{token_id}/revoke",
    response={200: TokenOut, 422: ErrorOut, 404: ErrorOut},
    summary="Revoke one of my tokens (for clients that cannot send DELETE)",
)
def revoke_token(request: HttpRequest, token_id: Id) -> Any:
    return _revoke(request, token_id)


# --- people ---------------------------------------------------------------------------------
class PersonOut(Schema):
    id: int
    username: str
    real_name: str
    mobile: str
    is_real_name_verified: bool
    is_active: bool
    roles: list[RoleOut]


def _person_out(person: User, viewer: User, roles: list[RoleAssignment]) -> dict[str, Any]:
    return {
        "id": person.pk,
        "username": person.username,
        "real_name": person.real_name,
        "mobile": person.mobile_for(viewer),
        "is_real_name_verified": person.is_real_name_verified,
        "is_active": person.is_active,
        "roles": [_role_out(a) for a in roles],
    }


class _PeoplePagination(PageNumberPagination):
    """Page first, then turn the page into output rows (mobile numbers masked per viewer)."""

    def paginate_queryset(self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any) -> Any:
        result = super().paginate_queryset(queryset, pagination, request, **params)
        viewer = _viewer(request)
        items = self.items_attribute
        result[items] = [_person_out(p, viewer, p.current_roles) for p in result[items]]
        return result


@router.get("/people", response=list[PersonOut], summary="People I may see (everyone, for administrators)")
@paginate(_PeoplePagination)
def list_people(request: HttpRequest, q: str = "", role: str = "", organisation: Id | None = None) -> Any:
    """``q``: part of the real name or login name (or of the mobile number, for those who
    may see it whole: administrators; anyone for their own); ``role``: a role code;
    ``organisation``: an organisation id — people holding a role in it or below it."""
    viewer = _viewer(request)
    qs = User.objects.visible_to(viewer)
    org = None
    if organisation is not None:
        org = Organisation.objects.filter(pk=organisation).first()
        if org is None:
            return User.objects.none()
    return qs.search(q, viewer=viewer).holding(role, org).with_current_roles().order_by("real_name", "pk")


@router.get("/people/{user_id}", response={200: PersonOut, 404: ErrorOut}, summary="One person")
def get_person(request: HttpRequest, user_id: Id) -> Any:
    viewer = _viewer(request)
    person = User.objects.visible_to(viewer).with_current_roles().filter(pk=user_id).first()
    if person is None:
        return Status(404, {"message": _("There is no such person, or you may not see them.")})
    return Status(200, _person_out(person, viewer, person.current_roles))  # type: ignore[attr-defined]


# --- a token for scripts: log in over the API ------------------------------------------------
auth_router = Router(tags=["auth"])


class TokenLoginIn(Schema):
    username: str = Field(max_length=150, description="The login name.")
    password: str = Field(max_length=4096)
    otp_token: str = Field(
        "",
        max_length=20,
        description="Required when the person has two-factor login: a code from the app or a backup code.",
    )
    name: str = Field("API client", min_length=1, max_length=100, description="A name for the new token.")
    expires_at: datetime | None = None


def _locked_out(request: HttpRequest) -> RateLimited:
    """The lockout as the API answers it (429 with Retry-After, in the one error format).
    django-axes' middleware would replace the answer with the HTML lockout page; the flag
    it looks for is cleared because this answer already says the same."""
    request.axes_locked_out = False  # type: ignore[attr-defined]
    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds()) if cool_off else 0
    minutes = max(1, (seconds + 59) // 60)
    message = ngettext(
        "Too many failed logins for this login name from your address: try again in %(minutes)d minute.",
        "Too many failed logins for this login name from your address: try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}
    return RateLimited(message, retry_after=seconds or 60)


@auth_router.post(
    "/token",
    auth=None,
    response={201: TokenCreatedOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Log in with login name and password (and two-factor code) and get a new API token",
)
def obtain_token(request: HttpRequest, payload: TokenLoginIn) -> Any:
    """For scripts: the same check as the login form — the password, then the two-factor
    code for people who have it on — and the same lockout (django-axes counts every wrong
    password and every wrong code; after ``AXES_FAILURE_LIMIT`` the login name is locked
    for this address: 429). Answers a new token; its secret is shown only here. Revoke it
    with ``DELETE /accounts/tokens/{id}``."""
    credentials = {"username": payload.username}
    if AxesProxyHandler.is_locked(request, credentials):
        raise _locked_out(request)
    user = authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        raise _locked_out(request)
    if user is None:
        return Status(401, {"message": _("The login name or the password is not correct."), "errors": {}})
    if not actions.has_two_factor(user) and role_requires_two_factor(user):
        # The deployment requires two-factor login of this role: a password alone never
        # buys a token (it would go round the requirement). Set it up on the web first.
        message = _("Two-factor login is required for your role: set it up on the web before asking for a token.")
        return Status(403, {"message": message, "errors": {}})
    if actions.has_two_factor(user):
        if not payload.otp_token.strip():
            message = _("This person logs in with two-factor authentication: send otp_token.")
            return Status(401, {"message": message, "errors": {"otp_token": [message]}})
        if actions.check_otp_token(user, payload.otp_token) is None:
            # A wrong code counts as a failed login, as on the login form.
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                raise _locked_out(request)
            message = _("The code is not correct.")
            return Status(401, {"message": message, "errors": {"otp_token": [message]}})
    expires_at = payload.expires_at
    if expires_at is not None and timezone.is_naive(expires_at):
        expires_at = timezone.make_aware(expires_at)
    token, secret = actions.do_create_api_token(user, user, payload.name, expires_at)
    # A successful login: django-axes forgets the failures, last_login is updated.
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    return Status(201, {**TokenOut.from_orm(token).dict(), "secret": secret})

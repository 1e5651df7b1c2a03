"""API authentication and the accounts endpoints."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.security import HttpBearer

from huying.accounts.models import ApiToken, hash_token

router = Router(tags=["accounts"])


class ApiTokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; the token is looked up by its SHA-256 hash."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if not token:
            return None
        api_token = ApiToken.objects.usable().select_related("user").filter(token_hash=hash_token(token)).first()
        if api_token is None:
            return None
        now = timezone.now()
        if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.user = api_token.user
        return api_token.user


class RoleOut(Schema):
    role: str
    role_display: str
    organisation_id: int | None
    organisation_name: str | None


class MeOut(Schema):
    id: int
    username: str
    real_name: str
    mobile: str
    is_real_name_verified: bool
    roles: list[RoleOut]


@router.get("/me", response=MeOut, summary="The authenticated person and their roles")
def me(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    return {
        "id": user.pk,
        "username": user.username,  # type: ignore[union-attr]
        "real_name": user.real_name,  # type: ignore[union-attr]
        "mobile": user.mobile_for(user),  # type: ignore[union-attr]
        "is_real_name_verified": user.is_real_name_verified,  # type: ignore[union-attr]
        "roles": [
            {
                "role": a.role,
                "role_display": a.get_role_display(),
                "organisation_id": a.organisation_id,
                "organisation_name": a.organisation.name if a.organisation else None,
            }
            for a in user.active_roles  # type: ignore[union-attr]
        ],
    }

"""Who moderates: CPPCC agency staff and administrators."""

from __future__ import annotations

from typing import Any

from huying.accounts.choices import Role

MODERATOR_ROLES = frozenset({Role.AGENCY_STAFF, Role.ADMIN})


def is_moderator(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.role_set & MODERATOR_ROLES)

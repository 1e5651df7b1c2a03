"""A web process keeps the API tokens it checked (huying/accounts/token_cache.py): what
revokes a token or changes a person's rights still takes effect at once, in this process
and, through the shared cache's stamp, in every other."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from huying.accounts import token_cache
from huying.accounts.actions import (
    do_assign_role,
    do_create_api_token,
    do_revoke_api_token,
    do_revoke_role,
    do_set_user_active,
)
from huying.accounts.choices import Role
from huying.accounts.models import ApiToken, RoleAssignment
from huying.core.tests.cache import clear_cache

pytestmark = pytest.mark.django_db

ME = "/api/v1/accounts/me"


@pytest.fixture(autouse=True)
def _cache_on(settings: Any) -> None:
    settings.API_TOKEN_CACHE_SECONDS = 30
    clear_cache()


def me(secret: str) -> Any:
    return Client().get(ME, HTTP_AUTHORIZATION=f"Bearer {secret}")


def roles(secret: str) -> set[str]:
    response = me(secret)
    assert response.status_code == 200, response.content
    return {r["role"] for r in response.json()["roles"]}


def test_a_kept_token_answers_without_a_lookup(alice: Any, django_assert_num_queries: Any) -> None:
    _token, secret = do_create_api_token(alice, alice, "app")
    assert me(secret).status_code == 200
    with django_assert_num_queries(0):
        assert me(secret).json()["username"] == "alice"


def test_a_token_revoked_through_the_action_is_refused_at_once(alice: Any, bob: Any) -> None:
    token, secret = do_create_api_token(alice, alice, "app")
    assert me(secret).status_code == 200
    do_revoke_api_token(alice, token)
    assert me(secret).status_code == 401


def test_a_deactivated_person_is_refused_at_once(alice: Any, admin: Any) -> None:
    _token, secret = do_create_api_token(alice, alice, "app")
    assert me(secret).status_code == 200
    do_set_user_active(admin, alice, False)
    assert me(secret).status_code == 401


def test_a_role_given_or_taken_counts_at_once(alice: Any, admin: Any, tree: Any) -> None:
    _token, secret = do_create_api_token(alice, alice, "app")
    assert roles(secret) == {Role.MEMBER}
    assignment = do_assign_role(admin, alice, Role.AGENCY_STAFF, tree.province_cppcc)
    assert roles(secret) == {Role.MEMBER, Role.AGENCY_STAFF}
    do_revoke_role(admin, RoleAssignment.objects.get(pk=assignment.pk))
    assert roles(secret) == {Role.MEMBER}


def test_another_process_sees_a_revocation_through_the_shared_stamp(alice: Any, monkeypatch: Any) -> None:
    """A process kept the token; another revoked it and moved the stamp. This process's
    entry stays, but the next read of the stamp (every ``STAMP_READ_SECONDS``; at once
    here) makes it look the token up again."""
    monkeypatch.setattr(token_cache, "STAMP_READ_SECONDS", 0)
    token, secret = do_create_api_token(alice, alice, "app")
    assert me(secret).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=token.created_at)  # the other process's write
    assert me(secret).status_code == 200  # kept: nothing told this process yet
    cache.set(token_cache.GENERATION_KEY, "moved by the other process", timeout=None)  # its invalidate()
    assert me(secret).status_code == 401


def test_invalidate_moves_the_stamp_once_the_transaction_commits(
    alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    stamp = cache.get(token_cache.GENERATION_KEY)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        token_cache.invalidate()
    assert cache.get(token_cache.GENERATION_KEY) == stamp  # not before the commit
    for callback in callbacks:
        callback()
    assert cache.get(token_cache.GENERATION_KEY) not in (None, stamp)


def test_without_the_cache_every_request_looks_the_token_up(alice: Any, settings: Any) -> None:
    settings.API_TOKEN_CACHE_SECONDS = 0
    token, secret = do_create_api_token(alice, alice, "app")
    assert me(secret).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=token.created_at)
    assert me(secret).status_code == 401


def test_each_request_gets_its_own_copy_of_the_person(alice: Any) -> None:
    token, _secret = do_create_api_token(alice, alice, "app")
    digest = token.token_hash
    first = token_cache.lookup(digest)
    second = token_cache.lookup(digest)
    assert first is not None and second is not None
    assert first[0] is second[0]  # the kept token
    assert first[1] is not second[1] and first[1].pk == second[1].pk == alice.pk
    first[1].real_name = "changed in one request"
    assert second[1].real_name == alice.real_name


def test_an_expired_kept_token_is_refused(alice: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    token, secret = do_create_api_token(alice, alice, "app", expires_at=timezone.now() + timedelta(days=1))
    assert me(secret).status_code == 200
    kept = token_cache.lookup(token.token_hash)
    assert kept is not None
    kept[0].expires_at = timezone.now() - timedelta(seconds=1)  # the kept row's expiry has passed
    assert me(secret).status_code == 401


def test_with_the_shared_cache_down_every_request_looks_the_token_up(alice: Any, settings: Any) -> None:
    """Nothing listens on port 1: every cache read fails, as with Redis stopped. Tokens
    still work, and a revocation still counts at once (nothing is kept meanwhile)."""
    token, secret = do_create_api_token(alice, alice, "app")
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    assert me(secret).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=token.created_at)
    assert me(secret).status_code == 401

"""API tokens: the page, the endpoints and bearer authentication."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from huying.accounts.actions import do_create_api_token, do_revoke_api_token, do_set_user_active
from huying.accounts.models import ApiToken
from huying.accounts.tests.conftest import as_user
from huying.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


# --- the page --------------------------------------------------------------------------------
def test_create_token_on_the_page_shows_the_secret_once(alice):
    client = as_user(alice)
    day = (timezone.localdate() + timedelta(days=30)).isoformat()
    response = client.post("/accounts/tokens/", {"name": "小程序", "expires_on": day})
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("hy_")
    assert secret in response.content.decode()
    token = ApiToken.objects.get(user=alice)
    assert token.name == "小程序"
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.expires_at is not None and token.expires_at > timezone.now() + timedelta(days=30)
    # Listed, but the secret is never shown again.
    listing = client.get("/accounts/tokens/").content.decode()
    assert "小程序" in listing and secret not in listing
    assert secret not in str(list(AuditEntry.objects.values_list("changes", flat=True)))


@pytest.mark.parametrize(
    ("data", "field"),
    [({"name": ""}, "name"), ({"name": "x", "expires_on": "2000-01-01"}, "expires_on"), ({"name": "x" * 81}, "name")],
)
def test_bad_token_input_names_the_field(alice, data, field):
    response = as_user(alice).post("/accounts/tokens/", data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_revoke_own_token_on_the_page(alice):
    token, _secret = do_create_api_token(alice, alice, "app")
    response = as_user(alice).post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.mark.parametrize("other", ["bob", "charlie", "admin"])
def test_cannot_revoke_someone_elses_token_on_the_page(request, alice, other):
    token, _secret = do_create_api_token(alice, alice, "app")
    response = as_user(request.getfixturevalue(other)).post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_token_page_lists_only_own_tokens(alice, bob):
    do_create_api_token(bob, bob, "bob's app")
    do_create_api_token(alice, alice, "alice's app")
    text = as_user(alice).get("/accounts/tokens/").content.decode()
    assert "alice&#x27;s app" in text and "bob&#x27;s app" not in text


def test_anonymous_cannot_use_the_token_page(client):
    assert client.get("/accounts/tokens/").status_code == 302


# --- bearer authentication -------------------------------------------------------------------
def test_bearer_token_authenticates(client, alice):
    _token, secret = do_create_api_token(alice, alice, "app")
    response = client.get("/api/v1/accounts/me", **bearer(secret))
    assert response.status_code == 200
    assert response.json()["username"] == "alice"


def test_unknown_token_is_401(client, alice):
    assert client.get("/api/v1/accounts/me", **bearer("hy_not-a-real-token")).status_code == 401
    assert client.get("/api/v1/accounts/me").status_code == 401


def test_revoked_token_is_401(client, alice):
    token, secret = do_create_api_token(alice, alice, "app")
    do_revoke_api_token(alice, token)
    assert client.get("/api/v1/accounts/me", **bearer(secret)).status_code == 401


def test_expired_token_is_401(client, alice, time_machine):
    _token, secret = do_create_api_token(alice, alice, "app", timezone.now() + timedelta(hours=1))
    assert client.get("/api/v1/accounts/me", **bearer(secret)).status_code == 200
    time_machine.move_to(timezone.now() + timedelta(hours=2))
    assert client.get("/api/v1/accounts/me", **bearer(secret)).status_code == 401


def test_deactivated_persons_tokens_stop_working(client, alice, admin):
    token, secret = do_create_api_token(alice, alice, "app")
    do_set_user_active(admin, alice, False)
    assert client.get("/api/v1/accounts/me", **bearer(secret)).status_code == 401
    token.refresh_from_db()
    assert token.revoked_at is not None


# --- the endpoints ---------------------------------------------------------------------------
def test_api_create_list_and_delete(alice):
    client = as_user(alice)
    response = client.post("/api/v1/accounts/tokens", {"name": "mini-program"}, content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    secret = body["secret"]
    assert secret.startswith("hy_")
    assert ApiToken.objects.get(pk=body["id"]).token_hash == hashlib.sha256(secret.encode()).hexdigest()

    listing = Client().get("/api/v1/accounts/tokens", **bearer(secret)).json()
    assert listing["count"] == 1
    assert "secret" not in listing["items"][0]
    assert listing["items"][0]["prefix"] == secret[:10]

    response = client.delete(f"/api/v1/accounts/tokens/{body['id']}")
    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None
    assert Client().get("/api/v1/accounts/tokens", **bearer(secret)).status_code == 401
    # Revoking twice is a clear error, nothing changes.
    again = client.post(f"/api/v1/accounts/tokens/{body['id']}/revoke")
    assert again.status_code == 422
    assert again.json()["message"]


def test_api_create_with_bad_input(alice):
    client = as_user(alice)
    response = client.post("/api/v1/accounts/tokens", {"name": "  "}, content_type="application/json")
    assert response.status_code == 422
    assert "name" in response.json()["errors"]
    past = (timezone.now() - timedelta(days=1)).isoformat()
    response = client.post(
        "/api/v1/accounts/tokens", {"name": "x", "expires_at": past}, content_type="application/json"
    )
    assert response.status_code == 422
    assert "expires_at" in response.json()["errors"]
    assert not ApiToken.objects.exists()


def test_a_token_cannot_mint_tokens(client, alice):
    _token, secret = do_create_api_token(alice, alice, "app")
    response = client.post(
        "/api/v1/accounts/tokens", {"name": "child"}, content_type="application/json", **bearer(secret)
    )
    assert response.status_code == 403
    assert ApiToken.objects.count() == 1


def test_a_token_can_revoke_itself(client, alice):
    token, secret = do_create_api_token(alice, alice, "app")
    assert client.post(f"/api/v1/accounts/tokens/{token.pk}/revoke", **bearer(secret)).status_code == 200
    assert client.get("/api/v1/accounts/me", **bearer(secret)).status_code == 401


@pytest.mark.parametrize("other", ["bob", "charlie", "dora", "admin"])
def test_api_cannot_see_or_revoke_others_tokens(request, alice, other):
    token, _secret = do_create_api_token(alice, alice, "app")
    client = as_user(request.getfixturevalue(other))
    assert client.get("/api/v1/accounts/tokens").json()["count"] == 0
    response = client.delete(f"/api/v1/accounts/tokens/{token.pk}")
    assert response.status_code == 404
    assert response.json()["message"]
    token.refresh_from_db()
    assert token.revoked_at is None


def test_anonymous_api_is_401(client):
    assert client.get("/api/v1/accounts/tokens").status_code == 401
    assert client.post("/api/v1/accounts/tokens", {"name": "x"}, content_type="application/json").status_code == 401


def test_token_list_query_count(alice, django_assert_num_queries):
    for i in range(5):
        _token, secret = do_create_api_token(alice, alice, f"app {i}")
    client = Client()
    client.get("/api/v1/accounts/tokens", **bearer(secret))  # first use stamps last_used_at
    # count, page: the token (with its person and roles) was checked by the first request
    # and is kept by this process (huying/accounts/token_cache.py)
    with django_assert_num_queries(2):
        response = client.get("/api/v1/accounts/tokens", **bearer(secret))
    assert response.json()["count"] == 5

"""The REST API under /api/v1. Each app contributes a router from its ``api.py``."""

from ninja import NinjaAPI
from ninja.security import django_auth

from huying.accounts.api import ApiTokenAuth
from huying.accounts.api import auth_router as token_router
from huying.accounts.api import router as accounts_router
from huying.audit.api import router as audit_router
from huying.core import api_errors
from huying.core.api_render import LocalTimeRenderer
from huying.handling.api import router as notifications_router
from huying.organisations.api import router as organisations_router
from huying.proposals.api import router as proposals_router
from huying.workorders.api import router as workorders_router
from huying.workorders.api_handling import router as workorders_handling_router
from huying.workorders.api_stats import router as workorders_stats_router

api = NinjaAPI(
    title="Huying 呼应 API",
    version="1",
    description="REST API of the Huying platform. Authenticate with a session cookie (plus CSRF token) "
    "or with a per-client token: `Authorization: Bearer <token>`.",
    auth=[ApiTokenAuth(), django_auth],
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    renderer=LocalTimeRenderer(),
)
api_errors.install(api)
api.add_router("/auth", token_router)
api.add_router("/accounts", accounts_router)
api.add_router("/organisations", organisations_router)
api.add_router("/audit", audit_router)
api.add_router("/notifications", notifications_router)
api.add_router("/proposals", proposals_router)
# Before the main work-order router: its /{number} would take /workorders/assignments.
api.add_router("/workorders", workorders_handling_router)
# Before the work-order router: its /workorders/{number} would take /workorders/stats.
api.add_router("/workorders", workorders_stats_router)
api.add_router("/workorders", workorders_router)
# Last: every operation documents the error answers that apply to it (401/403/404/422).
api_errors.document_errors(api)

"""The REST API under /api/v1. Each app contributes one router, assembled in its ``api``
package (or ``api.py`` for a small app), mounted here under the app's prefix."""

from django.urls import URLPattern, URLResolver, include, path
from django.urls.resolvers import RoutePattern
from ninja import NinjaAPI
from ninja.operation import Operation
from ninja.security import django_auth

from huying.accounts.api import ApiTokenAuth
from huying.accounts.api import auth_router as token_router
from huying.accounts.api import router as accounts_router
from huying.activities.api import router as activities_router
from huying.audit.api import router as audit_router
from huying.cockpit.api import router as cockpit_router
from huying.columns.api import router as columns_router
from huying.consultations.api import router as consultations_router
from huying.core import api_errors
from huying.core.api_render import LocalTimeRenderer
from huying.duty.api import router as duty_router
from huying.groups.api import router as groups_router
from huying.handling.api import router as handling_router
from huying.insight.api import router as insight_router
from huying.interaction.api import router as interaction_router
from huying.moderation.api import router as moderation_router
from huying.opinions.api import router as opinions_router
from huying.organisations.api import router as organisations_router
from huying.proposals.api import router as proposals_router
from huying.reception.api import router as reception_router
from huying.reports.api import router as reports_router
from huying.workorders.api import router as workorders_router

# Operation ids are part of the API's contract (generated clients name their methods after
# them); ninja derives them from the module that defines the endpoint. When the apps' APIs
# became packages, the main module of each kept the ids of the old ``api.py``.
LEGACY_OPERATION_MODULES = {
    "huying.proposals.api.drafts": "huying.proposals.api",
    "huying.workorders.api.orders": "huying.workorders.api",
    "huying.handling.api.notifications": "huying.handling.api",
}


class HuyingAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        module = operation.view_func.__module__
        module = LEGACY_OPERATION_MODULES.get(module, module)
        return f"{module}_{operation.view_func.__name__}".replace(".", "_")

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        return nest_by_first_segment(super()._get_urls())


def nest_by_first_segment(patterns: list[URLResolver | URLPattern]) -> list[URLResolver | URLPattern]:
    """ninja's patterns, one per path of every router (260 of them), grouped under their
    first segment: ``workorders/intake/hotline`` becomes ``intake/hotline`` inside
    ``workorders/``. Django tries a flat list's patterns one by one, so a request to the 87th
    paid 87 regular expressions (a twenty-fifth of a hotline push); grouped, about 20 + 30.
    Names, views and their arguments are the same, and so is which pattern answers a
    path: a group matches only paths under its word, and a pattern that may match any
    first segment (a converter there, or not a plain route) keeps its place, no pattern
    after it joining a group started before it."""
    nested: list[URLResolver | URLPattern | tuple[str, list[URLPattern]]] = []
    groups: dict[str, list[URLPattern]] = {}
    for pattern in patterns:
        route = str(pattern.pattern) if isinstance(pattern.pattern, RoutePattern) else ""
        head, slash, rest = route.partition("/")
        if not isinstance(pattern, URLPattern) or not route or "<" in head:
            nested.append(pattern)
            groups.clear()  # it may match any first segment: what follows stays after it
            continue
        if not slash or not rest:  # one plain segment: only that path, which no group matches
            nested.append(pattern)
            continue
        group = groups.get(head)
        if group is None:
            group = groups[head] = []
            nested.append((head, group))
        group.append(path(rest, pattern.callback, kwargs=pattern.default_args, name=pattern.name))  # type: ignore[arg-type]
    return [path(f"{item[0]}/", include(item[1])) if isinstance(item, tuple) else item for item in nested]


api = HuyingAPI(
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
# The handling engine: /notifications and /assignments (every workflow's assignments).
api.add_router("", handling_router)
api.add_router("/proposals", proposals_router)
api.add_router("/workorders", workorders_router)
api.add_router("/opinions", opinions_router)
api.add_router("/duty", duty_router)
api.add_router("/activities", activities_router)
api.add_router("/consultations", consultations_router)
api.add_router("/insight", insight_router)
api.add_router("/moderation", moderation_router)
api.add_router("/interaction", interaction_router)
api.add_router("/groups", groups_router)
api.add_router("/reception", reception_router)
api.add_router("/columns", columns_router)
api.add_router("/cockpit", cockpit_router)
api.add_router("/reports", reports_router)
# Last: every operation documents the error answers that apply to it (401/403/404/422).
api_errors.document_errors(api)

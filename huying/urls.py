from django.urls import include, path, re_path
from django.views.i18n import JavaScriptCatalog

from huying.api import api
from huying.core.api_errors import not_found_response

handler403 = "huying.core.views.permission_denied"
handler404 = "huying.core.views.page_not_found"
handler500 = "huying.core.views.server_error"

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", api.urls),
    # Whatever /api/v1/ path the API does not know: 404 in the API's error format.
    re_path(r"^api/", not_found_response),
    path("accounts/", include("huying.accounts.urls")),
    path("organisations/", include("huying.organisations.urls")),
    path("audit/", include("huying.audit.urls")),
    path("proposals/", include("huying.proposals.urls")),
    path("activities/", include("huying.activities.urls")),
    path("workorders/", include("huying.workorders.urls")),
    path("opinions/", include("huying.opinions.urls")),
    path("insight/", include("huying.insight.urls")),
    path("duty/record/", include("huying.duty.urls")),
    path("consultations/", include("huying.consultations.urls")),
    path("moderation/", include("huying.moderation.urls")),
    path("interaction/", include("huying.interaction.urls")),
    path("groups/", include("huying.groups.urls")),
    path("reception/", include("huying.reception.urls")),
    path("columns/", include("huying.columns.urls")),
    path("cockpit/", include("huying.cockpit.urls")),
    path("reports/", include("huying.reports.urls")),
    path("", include("huying.handling.urls")),
    path("open311/v2/", include("huying.open311.urls")),
    path("", include("huying.core.urls")),
]

# Uploads are never served from MEDIA_ROOT, not even with DEBUG on: each download is a view
# that checks the viewer may see the case (huying/core/uploads.py).

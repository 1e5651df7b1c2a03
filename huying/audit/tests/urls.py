"""A URLconf for middleware tests: one view that writes an audit entry, mounted both
under /api/ and elsewhere, behind the project's full middleware stack."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from huying.audit.actions import record


def probe(request: HttpRequest) -> HttpResponse:
    record(None, "system.probe", None, object_type="core.test", object_id=request.path)
    return HttpResponse("ok")


urlpatterns = [path("api/v1/probe", probe), path("console/probe", probe)]

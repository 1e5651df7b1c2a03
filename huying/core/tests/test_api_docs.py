"""The OpenAPI document and the interactive docs are served and cover every router."""

import re

from django.test import Client

from huying.api import api


def test_openapi_document_renders_every_router(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200, response.content[:500]
    document = response.json()
    assert document["info"]["title"] == "Huying 呼应 API"
    prefixes = {path.split("/")[3] for path in document["paths"]}
    mounted = {prefix.strip("/") for prefix, _router in api._routers if prefix.strip("/")}
    assert mounted <= prefixes, f"routers without documented paths: {mounted - prefixes}"
    schemes = document["components"]["securitySchemes"]
    assert {"ApiTokenAuth", "SessionAuth"} <= set(schemes)


def test_interactive_docs_use_vendored_assets(db):
    page = Client().get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    # Every script, style sheet and image comes from this site: no absolute or
    # protocol-relative address (checked on the attributes, not on random page text such as
    # the CSRF token).
    assets = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", page)
    assert assets
    assert [url for url in assets if re.match(r"(?i)^(?:[a-z][a-z0-9+.-]*:)?//", url)] == []

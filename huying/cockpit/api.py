"""The leaders' cockpit under /api/v1/cockpit: the figures the wall screen polls.

Open to leaders, the command centre's dispatchers and administrators
(:mod:`huying.cockpit.access`); others are refused (403). The halves are ``null`` when
they do not apply to the caller (docs/cockpit.md lists every field)."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from huying.cockpit.data import build
from huying.core.api_errors import ErrorOut

router = Router(tags=["cockpit"])


class CockpitOut(Schema):
    generated_at: str = Field(description="When the figures were read (Beijing time, ISO 8601).")
    refresh: int = Field(description="Seconds between two polls of the wall screen.")
    workorders: dict[str, Any] | None = Field(
        description="Today, month, overdue, rates (response, resolution, satisfaction, %), trend, red, black, "
        "streets, topics, alerts and the links of the detailed pages; null for CPPCC leaders."
    )
    cppcc: dict[str, Any] | None = Field(
        description="key (key proposals and their progress), sessions (proposals by state, reply satisfaction), "
        "opinions (reports adopted this year), members (duty activity); null for dispatchers."
    )


@router.get("", response={200: CockpitOut, 403: ErrorOut}, summary="The leaders' cockpit figures")
def cockpit(request: HttpRequest) -> Any:
    """Both halves of the cockpit for the caller, as the wall screen shows them (cached for
    half a minute per scope)."""
    return Status(200, build(request.user))

"""What the Open311 endpoints say: the service list and definitions, the status mapping,
the public view of a work order, the API-key check and the GET filters. No writes here:
POST requests go through :func:`huying.workorders.actions.do_intake`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from huying.accounts.models import ApiToken, User, hash_token
from huying.core.api_types import MAX_PAGE
from huying.handling.choices import LEAD_ROLES
from huying.handling.models import Assignment
from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.models import Organisation
from huying.workorders.choices import Channel, Nature, OrderStatus, Urgency
from huying.workorders.models import Category, WorkOrder, dispatcher_districts

MAX_RANGE = timedelta(days=90)
MAX_PAGE_SIZE = 1000

# Our work-order statuses on the spec's two (open / closed), with the status_notes shown
# to the public. The one place this mapping lives (docs/open311.md repeats it).
STATUS_MAP: dict[str, tuple[str, Any]] = {
    OrderStatus.NEW: ("open", gettext_lazy("Received; waiting to be dispatched to a unit.")),
    OrderStatus.DISPATCHED: ("open", gettext_lazy("Dispatched to the responsible unit.")),
    OrderStatus.IN_PROGRESS: ("open", gettext_lazy("Being handled by the responsible unit.")),
    OrderStatus.RESOLVED: ("closed", gettext_lazy("Resolved by the responsible unit; a feedback call follows.")),
    OrderStatus.CLOSED: ("closed", gettext_lazy("Closed.")),
    OrderStatus.MERGED: ("closed", gettext_lazy("Merged into request %(parent)s, which carries on.")),
    OrderStatus.CANCELLED: ("closed", gettext_lazy("Cancelled.")),
}

# Orders from these channels were written to be published (the caller used a public
# form); of the others (hotline calls, grid reports, referrals) and of every report of a
# violation (举报) the public sees only service, status, dates and agency.
PUBLISHED_CHANNELS = frozenset({Channel.OPEN311, Channel.WEB})

# Our names of intake fields → the Open311 parameter named in error messages.
FIELD_NAMES = {
    "content": "description",
    "caller_name": "last_name",
    "caller_phone": "phone",
    "nature": "attribute[nature]",
    "urgency": "attribute[urgency]",
    "external_id": "attribute[external_id]",
    "category": "service_code",
    "address": "address_string",
    "latitude": "lat",
    "longitude": "long",
    "district": "jurisdiction_id",
    "attachments": "media",
}


def iso(value: datetime | None) -> str | None:
    """W3C ISO 8601 with the offset of the local time zone, e.g. 2026-03-01T09:30:00+08:00."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


# --- services -------------------------------------------------------------------------
def first_level_categories() -> list[Category]:
    return list(Category.objects.active().filter(level=1).order_by("sort_order", "code"))


def service_attributes() -> list[dict[str, Any]]:
    """The attributes every service takes (attribute[code]=value on POST)."""
    return [
        {
            "variable": True,
            "code": "nature",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": _("One of the keys below; request for help when absent."),
            "order": 1,
            "description": _("Nature of the request"),
            "values": [{"key": key, "name": str(name)} for key, name in Nature.choices],
        },
        {
            "variable": True,
            "code": "urgency",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": _("One of the keys below; normal when absent."),
            "order": 2,
            "description": _("Urgency"),
            "values": [{"key": key, "name": str(name)} for key, name in Urgency.choices],
        },
        {
            "variable": True,
            "code": "external_id",
            "datatype": "string",
            "required": False,
            "datatype_description": _(
                "Up to 64 letters, digits or . : / - _. Sending the same id again returns the same request."
            ),
            "order": 3,
            "description": _("Your own id of this request"),
        },
    ]


def service_list() -> list[dict[str, Any]]:
    """One service per active first-level category; its description lists the second level."""
    children: dict[str, list[str]] = {}
    for child in Category.objects.active().filter(level=2).order_by("sort_order", "code"):
        children.setdefault(child.code[:2], []).append(child.name)
    return [
        {
            "service_code": category.code,
            "service_name": category.name,
            "description": "、".join(children.get(category.code, [])) or category.name,
            "metadata": bool(service_attributes()),
            "type": "realtime",
            "keywords": ",".join(category.keyword_list),
            "group": category.name,
        }
        for category in first_level_categories()
    ]


def service_definition(category: Category) -> dict[str, Any]:
    return {"service_code": category.code, "attributes": service_attributes()}


def find_service(code: str) -> Category | None:
    return Category.objects.active().filter(level=1, code=code).first()


def find_jurisdiction(code: str) -> Organisation | None:
    """A district government by its division code (e.g. 440103)."""
    return (
        Organisation.objects.filter(kind=OrgKind.GOVERNMENT, level=OrgLevel.COUNTY, division_code=code)
        .order_by("pk")
        .first()
    )


# --- clients --------------------------------------------------------------------------
def client_for_key(api_key: str) -> User | None:
    """The user behind an API key (a huying API token), if the key is usable and its user
    may create work orders through Open311: administrators and command-centre dispatchers."""
    if not api_key:
        return None
    token = ApiToken.objects.usable().select_related("user").filter(token_hash=hash_token(api_key)).first()
    if token is None:
        return None
    user = token.user
    if user.is_administrator or dispatcher_districts(user):
        return user
    return None


# --- requests -------------------------------------------------------------------------
def public_orders() -> Any:
    """Orders shown through Open311: every categorised order (its first-level category is
    the service); uncategorised ones have no service yet."""
    return WorkOrder.objects.filter(category__isnull=False).select_related("category", "parent")


@dataclass
class RequestFilters:
    ids: list[str]
    service_codes: list[str]
    start: datetime
    end: datetime
    statuses: list[str]
    page: int
    page_size: int
    jurisdiction: Organisation | None


class FilterError(ValueError):
    """A bad GET parameter; its message names the parameter."""


class NotFoundError(LookupError):
    """An unknown resource (jurisdiction, service) named by a parameter."""


def _comma_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _parse_moment(name: str, raw: str, *, end_of_day: bool) -> datetime:
    try:
        value = parse_datetime(raw)
        day = parse_date(raw) if value is None else None
    except ValueError:  # well formed but impossible, e.g. month 13
        value = day = None
    if value is None:
        if day is None:
            raise FilterError(
                _("%(field)s: enter a date in ISO 8601, e.g. 2026-03-01T09:30:00+08:00.") % {"field": name}
            )
        value = datetime.combine(day, time.max if end_of_day else time.min)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _positive(name: str, raw: str, default: int, maximum: int | None = None) -> int:
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1 or (maximum is not None and value > maximum):
        if maximum is None:
            raise FilterError(_("%(field)s: enter a whole number of at least 1.") % {"field": name})
        raise FilterError(_("%(field)s: enter a whole number from 1 to %(max)d.") % {"field": name, "max": maximum})
    return value


def parse_filters(params: Mapping[str, str], now: datetime | None = None) -> RequestFilters:
    """The GET /requests parameters; empty ones count as absent. Raises FilterError (400)
    or NotFoundError (404, an unknown jurisdiction)."""

    def get(name: str) -> str:
        return (params.get(name) or "").strip()

    now = now or timezone.now()
    start = _parse_moment("start_date", get("start_date"), end_of_day=False) if get("start_date") else None
    end = _parse_moment("end_date", get("end_date"), end_of_day=True) if get("end_date") else None
    if start is None and end is None:
        end = now
    if start is None:
        assert end is not None
        start = end - MAX_RANGE
    if end is None:
        end = min(start + MAX_RANGE, max(now, start))
    if end < start:
        raise FilterError(_("end_date: must not be before start_date."))
    if end - start > MAX_RANGE:
        raise FilterError(_("end_date: the range from start_date may span at most 90 days."))
    statuses = _comma_list(get("status").lower())
    for status in statuses:
        if status not in ("open", "closed"):
            raise FilterError(_("status: use open or closed."))
    jurisdiction = None
    if get("jurisdiction_id"):
        jurisdiction = find_jurisdiction(get("jurisdiction_id"))
        if jurisdiction is None:
            raise NotFoundError(_("jurisdiction_id: there is no jurisdiction %(id)s.") % {"id": get("jurisdiction_id")})
    return RequestFilters(
        ids=_comma_list(get("service_request_id")),
        service_codes=_comma_list(get("service_code")),
        start=start,
        end=end,
        statuses=statuses,
        page=_positive("page", get("page"), 1, MAX_PAGE),
        page_size=_positive("page_size", get("page_size"), MAX_PAGE_SIZE, MAX_PAGE_SIZE),
        jurisdiction=jurisdiction,
    )


def filter_orders(filters: RequestFilters) -> list[WorkOrder]:
    orders = public_orders()
    if filters.ids:
        # The spec: service_request_id overrides every other parameter.
        orders = orders.filter(number__in=filters.ids)
    else:
        orders = orders.filter(received_at__gte=filters.start, received_at__lte=filters.end)
        if filters.service_codes:
            codes = Q(pk__in=[])
            for code in filters.service_codes:
                codes |= Q(category__code__startswith=code[:2]) if len(code) == 2 else Q(pk__in=[])
            orders = orders.filter(codes)
        if filters.statuses and set(filters.statuses) != {"open", "closed"}:
            wanted = [ours for ours, (theirs, _notes) in STATUS_MAP.items() if theirs in filters.statuses]
            orders = orders.filter(status__in=wanted)
        if filters.jurisdiction is not None:
            orders = orders.filter(district=filters.jurisdiction)
    offset = (filters.page - 1) * filters.page_size
    return list(orders.order_by("-received_at", "-id")[offset : offset + filters.page_size])


def find_request(number: str) -> WorkOrder | None:
    return public_orders().filter(number=number).first()


def lead_units(orders: list[WorkOrder]) -> dict[int, Assignment]:
    """The current (latest) lead or sole assignment of each order, one query."""
    if not orders:
        return {}
    content_type = ContentType.objects.get_for_model(WorkOrder)
    leads: dict[int, Assignment] = {}
    assignments = (
        Assignment.objects.filter(case_type=content_type, case_id__in=[o.pk for o in orders], role__in=LEAD_ROLES)
        .select_related("unit")
        .order_by("assigned_at", "id")
    )
    for assignment in assignments:
        leads[assignment.case_id] = assignment
    return leads


def request_record(order: WorkOrder, services: Mapping[str, str], lead: Assignment | None) -> dict[str, Any]:
    """The public record of one order. Never the caller's name or phone; description,
    address and coordinates only for orders written to be published."""
    status, notes = STATUS_MAP.get(order.status, ("open", ""))
    status_notes = str(notes)
    if order.status == OrderStatus.MERGED and order.parent is not None:
        status_notes = status_notes % {"parent": order.parent.number}
    published = order.channel in PUBLISHED_CHANNELS and order.nature != Nature.REPORT
    code = order.category.code[:2] if order.category else ""
    return {
        "service_request_id": order.number,
        "status": status,
        "status_notes": status_notes,
        "service_name": services.get(code, ""),
        "service_code": code,
        "description": order.content if published else "",
        "agency_responsible": lead.unit.name if lead is not None else "",
        "service_notice": "",
        "requested_datetime": iso(order.received_at),
        "updated_datetime": iso(order.updated_at),
        "expected_datetime": iso(lead.resolve_due) if lead is not None else None,
        "address": order.address if published else "",
        "address_id": "",
        "zipcode": "",
        "lat": float(order.latitude) if published and order.latitude is not None else None,
        "long": float(order.longitude) if published and order.longitude is not None else None,
        "media_url": "",
    }


def request_records(orders: list[WorkOrder]) -> list[dict[str, Any]]:
    services = {c.code: c.name for c in Category.objects.filter(level=1)} if orders else {}
    leads = lead_units(orders)
    return [request_record(order, services, leads.get(order.pk)) for order in orders]

"""Pages of the work-order app: the dispatcher console and the unit inbox. Thin: they read
through the ``visible_to`` querysets and write through :mod:`huying.workorders.actions`."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from huying.accounts.choices import Role
from huying.audit.models import AuditEntry
from huying.handling.choices import Status
from huying.handling.models import Assignment, AssignmentEvent
from huying.handling.transitions import available_actions
from huying.organisations.choices import OrgKind
from huying.organisations.models import Organisation
from huying.workorders import actions
from huying.workorders.choices import Channel, Nature, OrderStatus, Urgency
from huying.workorders.models import Category, WorkOrder, dispatcher_districts
from huying.workorders.suggest import suggest_category

PAGE_SIZE = 20
INBOX_ROLES = (Role.UNIT_STAFF, Role.STREET_HANDLER, Role.LEADER)
UNIT_KINDS = (OrgKind.STREET, OrgKind.COMMUNITY, OrgKind.DEPARTMENT, OrgKind.GOVERNMENT)


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    if not hasattr(exc, "error_dict"):
        return {"all": exc.messages}
    errors = dict(exc.message_dict)
    if "__all__" in errors:
        errors["all"] = errors.pop("__all__")
    return errors


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _order_type() -> ContentType:
    return ContentType.objects.get_for_model(WorkOrder)


# --- dispatcher console -----------------------------------------------------------------
def _require_dispatcher(user: Any) -> list[int]:
    """The districts ``user`` dispatches for (administrators: every district with orders)."""
    if user.is_administrator:
        return []
    districts = dispatcher_districts(user)
    if not districts:
        raise PermissionDenied(_("The dispatch console is open only to dispatchers of a command centre."))
    return districts


def _streets(user: Any, districts: list[int]) -> list[Organisation]:
    streets = Organisation.objects.filter(kind=OrgKind.STREET, is_active=True)
    if not user.is_administrator:
        paths = Organisation.objects.filter(pk__in=districts).values_list("path", flat=True)
        condition = Q(pk__in=[])
        for path in paths:
            condition |= Q(path__startswith=path)
        streets = streets.filter(condition)
    return list(streets.order_by("name"))


@require_safe
@login_required
def console(request: HttpRequest) -> HttpResponse:
    user = request.user
    districts = _require_dispatcher(user)
    status = request.GET.get("status", OrderStatus.NEW)
    orders = WorkOrder.objects.visible_to(user).with_related()  # type: ignore[arg-type]
    if status in OrderStatus.values:
        orders = orders.filter(status=status)
    else:
        status = ""
    category = request.GET.get("category", "").strip()
    if category.isdigit():
        orders = orders.filter(category__code__startswith=category)
    street = _int(request.GET.get("street"))
    if street:
        orders = orders.filter(street_id=street)
    returned = Assignment.objects.filter(case_type=_order_type(), case_id=OuterRef("pk"), status=Status.RETURNED)
    orders = orders.annotate(was_returned=Exists(returned))
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context: dict[str, Any] = {
        "page": page,
        "statuses": OrderStatus.choices,
        "status": status,
        "category": category,
        "street": street,
        "categories": Category.objects.active().filter(level=1),
        "streets": _streets(user, districts),
        "query": query,
    }
    return render(request, "workorders/console.html", context)


@login_required
def console_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    districts = _require_dispatcher(user)
    errors: dict[str, list[str]] = {}
    fields = ("external_id", "caller_name", "caller_phone", "content", "nature", "urgency", "address", "street")
    values: dict[str, Any] = {"external_id": f"CALL-{timezone.now():%Y%m%d}-{secrets.token_hex(4)}"}
    if request.method == "POST":
        values = {f: request.POST.get(f, "").strip() for f in fields}
        values["anonymous"] = bool(request.POST.get("anonymous"))
        try:
            result = actions.do_intake(user, values, Channel.HOTLINE)
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            if result.created:
                messages.success(request, _("Work order %(number)s created.") % {"number": result.order.number})
            return redirect("workorders:console_detail", pk=result.order.pk)
    context = {
        "values": values,
        "errors": errors,
        "natures": Nature.choices,
        "urgencies": Urgency.choices,
        "streets": _streets(user, districts),
    }
    return render(request, "workorders/console_new.html", context, status=400 if errors else 200)


def _console_order(user: Any, pk: int) -> WorkOrder:
    _require_dispatcher(user)
    order = WorkOrder.objects.visible_to(user).with_related().filter(pk=pk).first()
    if order is None:
        raise Http404(_("There is no such work order, or you may not see it."))
    return order


def _timeline(order: WorkOrder) -> list[dict[str, Any]]:
    events = AssignmentEvent.objects.filter(case_type=_order_type(), case_id=order.pk).select_related(
        "actor_unit", "assignment__unit"
    )
    items: list[dict[str, Any]] = [
        {
            "at": e.created_at,
            "title": e.get_kind_display(),
            "who": e.actor_name,
            "unit": e.assignment.unit.name if e.assignment else "",
            "note": e.note,
        }
        for e in events
    ]
    titles = {
        "workorder.intake": _("Order received"),
        "workorder.dispatch": _("Dispatched"),
        "workorder.status": _("Status changed"),
    }
    for entry in AuditEntry.objects.filter(
        object_type=WorkOrder._meta.label_lower, object_id=str(order.pk), action__in=list(titles)
    ):
        note = ""
        if entry.action == "workorder.status":
            to = (entry.changes.get("status") or ["", ""])[-1]
            note = str(OrderStatus(to).label) if to in OrderStatus.values else ""
        items.append(
            {"at": entry.created_at, "title": titles[entry.action], "who": entry.actor_name, "unit": "", "note": note}
        )
    items.sort(key=lambda item: item["at"])
    return items


def _units(order: WorkOrder) -> list[Organisation]:
    district = order.district
    return list(
        Organisation.objects.filter(path__startswith=district.path, kind__in=UNIT_KINDS, is_active=True).order_by(
            "kind", "name"
        )
    )


@login_required
def console_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    order = _console_order(user, pk)
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    units = _units(order)
    if request.method == "POST":
        values = {
            "category": request.POST.get("category", ""),
            "unit": _int(request.POST.get("unit")),
            "co_units": [int(v) for v in request.POST.getlist("co_units") if v.isdigit()],
            "note": request.POST.get("note", ""),
        }
        by_pk = {u.pk: u for u in units}
        category = Category.objects.active().filter(code=values["category"]).first()
        unit = by_pk.get(values["unit"] or 0)
        if category is None:
            errors["category"] = [_("Choose the category of the order.")]
        if unit is None:
            errors["unit"] = [_("Choose the handling unit.")]
        co_units = [by_pk[c] for c in values["co_units"] if c in by_pk and c != values["unit"]]
        if not errors and category is not None and unit is not None:
            try:
                actions.do_dispatch(
                    user,
                    order,
                    unit,
                    category=category,
                    co_units=co_units,
                    note=values["note"],
                    version=_int(request.POST.get("version")),
                )
            except ValidationError as exc:
                errors = _errors(exc)
            else:
                messages.success(request, _("Work order %(number)s dispatched.") % {"number": order.number})
                return redirect("workorders:console_detail", pk=order.pk)
    suggestion = actions.dispatch_suggestion(order)
    ranked = suggest_category(order.content, k=3)
    if not values:
        preset = order.category or suggestion.category
        values = {
            "category": preset.code if preset is not None else "",
            "unit": suggestion.unit.pk if suggestion.unit else None,
            "co_units": [],
        }
    assignments = Assignment.objects.filter(case_type=_order_type(), case_id=order.pk).select_related("unit")
    context = {
        "order": order,
        "phone": order.caller_phone_for(user),
        "caller": order.caller_name_for(user),
        "suggestion": suggestion,
        "ranked": ranked,
        "categories": Category.objects.active(),
        "units": units,
        "values": values,
        "errors": errors,
        "assignments": assignments,
        "timeline": _timeline(order),
        "can_dispatch": order.status == OrderStatus.NEW,
    }
    return render(request, "workorders/console_detail.html", context, status=400 if errors else 200)


# --- unit inbox -------------------------------------------------------------------------
def _require_unit(user: Any) -> None:
    if not (user.is_administrator or user.has_role(*INBOX_ROLES)):
        raise PermissionDenied(_("The unit inbox is open only to staff of handling units and streets."))


@require_safe
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_unit(user)
    show = request.GET.get("show", "open")
    rows = (
        Assignment.objects.visible_to(user)  # type: ignore[arg-type]
        .filter(case_type=_order_type())
        .select_related("unit")
        .order_by("-assigned_at", "-id")
    )
    if show == "open":
        rows = rows.filter(status__in=(Status.ASSIGNED, Status.ACCEPTED, Status.RESPONDED, Status.REOPENED))
    else:
        show = "all"
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    orders = WorkOrder.objects.with_related().in_bulk([a.case_id for a in page.object_list])
    items = [(a, orders.get(a.case_id)) for a in page.object_list]
    return render(request, "workorders/inbox.html", {"page": page, "items": items, "show": show})


def _inbox_assignment(user: Any, pk: int) -> tuple[Assignment, WorkOrder]:
    _require_unit(user)
    assignment = (
        Assignment.objects.visible_to(user)
        .filter(case_type=_order_type(), pk=pk)
        .select_related("unit", "owner")
        .first()
    )
    if assignment is None:
        raise Http404(_("There is no such assignment, or you may not see it."))
    order = WorkOrder.objects.with_related().get(pk=assignment.case_id)
    return assignment, order


def _inbox_page(
    request: HttpRequest, assignment: Assignment, order: WorkOrder, errors: dict[str, list[str]], verb: str = ""
) -> HttpResponse:
    user = request.user
    context = {
        "assignment": assignment,
        "order": order,
        "phone": order.caller_phone_for(user),
        "caller": order.caller_name_for(user),
        "available": available_actions(assignment),
        "escalate_units": [u for u in _units(order) if u.pk != assignment.unit_id],
        "timeline": _timeline(order),
        "errors": errors,
        "verb": verb,
        "values": request.POST if request.method == "POST" else {},
    }
    return render(request, "workorders/inbox_detail.html", context, status=400 if errors else 200)


@require_safe
@login_required
def inbox_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assignment, order = _inbox_assignment(request.user, pk)
    return _inbox_page(request, assignment, order, {})


def _until(value: str) -> datetime | None:
    parsed = parse_datetime(value.strip().replace("T", " ")) if value else None
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


VERBS = ("accept", "return", "extend", "progress", "resolve", "escalate")


@require_POST
@login_required
def inbox_act(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    user = request.user
    if verb not in VERBS:
        raise Http404(_("Unknown action."))
    assignment, order = _inbox_assignment(user, pk)
    post = request.POST
    version = _int(post.get("version"))
    done = _("Saved.")
    try:
        if verb == "accept":
            actions.do_accept(user, assignment, note=post.get("note", ""), version=version)
            done = _("Accepted.")
        elif verb == "return":
            actions.do_return(user, assignment, reason=post.get("reason", ""), version=version)
            done = _("Returned to the command centre.")
        elif verb == "extend":
            until = _until(post.get("until", ""))
            if until is None:
                raise ValidationError({"until": _("Enter the new deadline, e.g. 2026-03-01 18:00.")})
            actions.do_request_extension(user, assignment, until=until, reason=post.get("reason", ""), version=version)
            done = _("Extension requested.")
        elif verb == "progress":
            actions.do_add_progress(user, assignment, note=post.get("note", ""))
            done = _("Progress note added.")
        elif verb == "resolve":
            actions.do_resolve(user, assignment, result=post.get("result", ""), version=version)
            done = _("Resolved.")
        else:
            units = {u.pk: u for u in _units(order)}
            to_unit = units.get(_int(post.get("to_unit")) or 0)
            if to_unit is None:
                raise ValidationError({"to_unit": _("Choose the unit to call.")})
            actions.do_escalate(user, assignment, to_unit=to_unit, reason=post.get("reason", ""), version=version)
            done = _("Called up to the next tier.")
    except ValidationError as exc:
        assignment.refresh_from_db()
        return _inbox_page(request, assignment, order, _errors(exc), verb)
    messages.success(request, done)
    return redirect("workorders:inbox_detail", pk=assignment.pk)

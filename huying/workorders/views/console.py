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
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, Subquery
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from huying.accounts.choices import Role
from huying.core import uploads
from huying.core.params import is_ascii_digits, parse_id, parse_ids
from huying.handling import access, steps
from huying.handling import transitions as handling_moves
from huying.handling.choices import OPEN_STATUSES, EventKind, ExtensionStatus, FeedbackChannel, Rating, Status
from huying.handling.inbox import shared_inbox_url, step_redirect
from huying.handling.models import Assignment, CaseEvent, ExtensionRequest, Feedback
from huying.handling.supervision import deadline_state
from huying.organisations.choices import OrgKind
from huying.organisations.models import Organisation
from huying.workorders import actions, analysis
from huying.workorders.choices import AttachmentKind, Channel, Nature, OrderStatus, Urgency
from huying.workorders.forms import counter_attrs
from huying.workorders.history import order_timeline
from huying.workorders.models import (
    SEARCH_COUNT_CAP,
    Attachment,
    Category,
    WorkOrder,
    dispatcher_districts,
    routing_table,
)
from huying.workorders.paging import CappedPaginator, capped_count

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


QUEUES = ("supervise", "extensions", "feedback")


def _queue_filters(orders: Any, now: datetime) -> dict[str, Any]:
    """The console's work queues over ``orders`` (already ``visible_to`` the person):

    - *supervise* 督办: an assignment with a running stage overdue (red) or due soon
      (yellow) — the engine's ``overdue`` / ``due_soon`` conditions, read from the order's
      stored nearest deadline (the same answer: test_summary.py::test_the_stored_nearest_deadline_gives_the_live_queue_at_any_moment);
    - *extensions* 延期审批: a pending extension request;
    - *feedback* 待回访: resolved, and no current rating recorded since the last resolution.
    """
    case = {"case_type": _order_type(), "case_id": OuterRef("pk")}
    pending = ExtensionRequest.objects.filter(
        status=ExtensionStatus.PENDING, assignment__case_type=_order_type(), assignment__case_id=OuterRef("pk")
    )
    resolved_time = Subquery(
        Assignment.objects.filter(**case, status=Status.RESOLVED).order_by("-resolved_at").values("resolved_at")[:1]
    )
    rated = Feedback.objects.filter(**case, superseded=False, created_at__gte=OuterRef("resolved_time"))
    return {
        # The order's stored nearest deadline (huying/workorders/deadlines.py), one partial
        # index, instead of a join to the assignments over the whole district.
        "supervise": orders.filter(next_warn_at__lte=now),
        "extensions": orders.filter(Exists(pending)),
        "feedback": orders.filter(status=OrderStatus.RESOLVED)
        .annotate(resolved_time=resolved_time)
        .filter(~Exists(rated)),
    }


@require_safe
@login_required
def console(request: HttpRequest) -> HttpResponse:
    user = request.user
    districts = _require_dispatcher(user)
    now = timezone.now()
    visible = WorkOrder.objects.visible_to(user)  # type: ignore[arg-type]
    queues = _queue_filters(visible, now)
    queue = request.GET.get("queue", "")
    search = " ".join(request.GET.get("q", "").split())[:100]
    if queue in QUEUES:
        orders = queues[queue]
        status = request.GET.get("status", "all")
    else:
        queue = ""
        orders = visible
        # A search looks through every status unless one is chosen.
        status = request.GET.get("status", "all" if search else OrderStatus.NEW)
    # _require_dispatcher answers [] for administrators: they may see every district's phones.
    orders = orders.with_related().search(search, phone_districts=districts or None)
    if status in OrderStatus.values:
        orders = orders.filter(status=status)
    else:
        status = ""
    category = request.GET.get("category", "").strip()
    if is_ascii_digits(category):
        orders = orders.in_category(category)
    street = parse_id(request.GET.get("street"))
    if street:
        orders = orders.filter(street_id=street)
    returned = Assignment.objects.filter(case_type=_order_type(), case_id=OuterRef("pk"), status=Status.RETURNED)
    overdue = ExpressionWrapper(Q(next_due__lt=now), output_field=BooleanField())
    orders = orders.annotate(was_returned=Exists(returned), is_overdue=overdue)
    if queue == "supervise":
        orders = orders.order_by("-is_overdue", "created_at", "id")
    # The page's ids first (from the list's index alone), then its 20 rows with their
    # joins and annotations: the 督办 queue sorts tens of thousands of flagged orders
    # at scale, which must not drag whole rows through the sort.
    cap = SEARCH_COUNT_CAP if search else None
    paginator = CappedPaginator(orders.values_list("pk", flat=True), PAGE_SIZE, cap=cap)
    page = paginator.get_page(request.GET.get("page"))
    ids = list(page.object_list)
    rows = orders.in_bulk(ids)
    page.object_list = [rows[pk] for pk in ids if pk in rows]  # (an order deleted in between)
    handling = _handling_by_order([o.pk for o in page.object_list], now)
    query = request.GET.copy()
    query.pop("page", None)
    context: dict[str, Any] = {
        "page": page,
        "rows": [(o, handling.get(o.pk, [])) for o in page.object_list],
        "statuses": OrderStatus.choices,
        "status": status,
        "queue": queue,
        "count_capped": paginator.count_capped,
        "counts": {name: capped_count(qs) for name, qs in queues.items()},
        "category": category,
        "street": street,
        "search": search,
        "categories": Category.objects.active().filter(level=1),
        "streets": _streets(user, districts),
        "query": query,
    }
    return render(request, "workorders/console.html", context)


def _handling_by_order(order_pks: list[int], now: datetime) -> dict[int, list[tuple[Assignment, Any]]]:
    """The open assignments of the listed orders with their deadline state (one query)."""
    rows: dict[int, list[tuple[Assignment, Any]]] = {}
    if not order_pks:
        return rows
    for a in (
        Assignment.objects.filter(case_type=_order_type(), case_id__in=order_pks, status__in=OPEN_STATUSES)
        .select_related("unit")
        .order_by("assigned_at", "id")
    ):
        rows.setdefault(a.case_id, []).append((a, deadline_state(a, now)))
    return rows


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
        "max_content": actions.MAX_CONTENT_CHARS,
        "content_counter": counter_attrs(actions.MAX_CONTENT_CHARS),
    }
    return render(request, "workorders/console_new.html", context, status=400 if errors else 200)


def _console_order(user: Any, pk: int) -> WorkOrder:
    _require_dispatcher(user)
    order = WorkOrder.objects.visible_to(user).with_related().select_related("parent").filter(pk=pk).first()
    if order is None:
        raise Http404(_("There is no such work order, or you may not see it."))
    return order


def _timeline(order: WorkOrder) -> list[dict[str, Any]]:
    return order_timeline(order)


def _units(order: WorkOrder) -> list[Organisation]:
    district = order.district
    return list(
        Organisation.objects.filter(path__startswith=district.path, kind__in=UNIT_KINDS, is_active=True).order_by(
            "kind", "name"
        )
    )


# The unit drop-downs group units by kind, the kinds a dispatcher picks most first.
UNIT_GROUP_ORDER = (OrgKind.DEPARTMENT, OrgKind.STREET, OrgKind.GOVERNMENT, OrgKind.COMMUNITY)


def unit_groups(units: list[Organisation]) -> list[tuple[str, list[Organisation]]]:
    """``units`` as (kind label, units) groups for ``<optgroup>``s, empty groups left out."""
    by_kind: dict[str, list[Organisation]] = {}
    for unit in units:
        by_kind.setdefault(unit.kind, []).append(unit)
    return [(str(OrgKind(kind).label), by_kind[kind]) for kind in UNIT_GROUP_ORDER if kind in by_kind]


def _dispatch(request: HttpRequest, order: WorkOrder, units: list[Organisation]) -> tuple[dict[str, Any], Any]:
    """The dispatch form's values and errors; errors empty and a redirect on success."""
    user = request.user
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {
        "category": request.POST.get("category", ""),
        "unit": parse_id(request.POST.get("unit")),
        "co_units": parse_ids(request.POST.getlist("co_units")),
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
                version=parse_id(request.POST.get("version")),
            )
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("Work order %(number)s dispatched.") % {"number": order.number})
            return values, redirect("workorders:console_detail", pk=order.pk)
    return values, errors


@login_required
def console_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    order = _console_order(user, pk)
    units = _units(order)
    if request.method == "POST":
        values, outcome = _dispatch(request, order, units)
        if isinstance(outcome, HttpResponse):
            return outcome
        return _console_page(request, order, units, outcome, "dispatch", values)
    return _console_page(request, order, units, {}, "", {})


def _console_page(
    request: HttpRequest,
    order: WorkOrder,
    units: list[Organisation],
    errors: dict[str, list[str]],
    verb: str,
    values: dict[str, Any],
) -> HttpResponse:
    user = request.user
    now = timezone.now()
    suggestion = actions.dispatch_suggestion(order)
    # The text's own guesses, for the dispatcher to compare; never pre-selected when the
    # order already has a category.
    ranked = analysis.stored_suggestions(analysis.ensure(order)) if order.status == OrderStatus.NEW else []
    categories = list(Category.objects.active())
    dispatch_values = values if verb == "dispatch" else {}
    if not dispatch_values:
        dispatch_values = {
            "category": suggestion.category.code if suggestion.category is not None else "",
            "unit": suggestion.unit.pk if suggestion.unit else None,
            "co_units": [],
        }
    unit_names = {u.pk: u.name for u in units}
    routes = {
        code: {"unit": rule.unit_id, "name": unit_names.get(rule.unit_id, rule.unit.name), "tier": rule.tier}
        for code, rule in routing_table(categories, order.street, order.area_class).items()
    }
    assignments = list(
        Assignment.objects.filter(case_type=_order_type(), case_id=order.pk)
        .select_related("unit")
        .order_by("assigned_at", "id")
    )
    cancellable = set(handling_moves.MOVES["cancel"].sources)
    handling = [
        {
            "a": a,
            "state": deadline_state(a, now),
            "urge": a.status in OPEN_STATUSES,
            "reassign": a.status in cancellable,
            "units": unit_groups([u for u in units if u.pk != a.unit_id]),
        }
        for a in assignments
    ]
    pending = list(
        ExtensionRequest.objects.filter(
            assignment__case_type=_order_type(), assignment__case_id=order.pk, status=ExtensionStatus.PENDING
        )
        .select_related("assignment__unit", "requested_by")
        .order_by("requested_at")
    )
    attachments = list(order.attachments.select_related("assignment__unit"))
    results = [
        (a, next((e for e in reversed(_resolved_events(order)) if e.assignment_id == a.pk), None))
        for a in assignments
        if a.status in (Status.RESOLVED, Status.CLOSED)
    ]
    duplicates = analysis.duplicates_of(order)
    context = {
        "order": order,
        "phone": order.caller_phone_for(user),
        "caller": order.caller_name_for(user),
        "suggestion": suggestion,
        "ranked": ranked,
        "categories": categories,
        "routes": routes,
        "units": units,
        "unit_groups": unit_groups(units),
        "values": dispatch_values,
        "form": values if verb != "dispatch" else {},
        "errors": errors,
        "verb": verb,
        "assignments": assignments,
        "handling": handling,
        "pending": pending,
        "intake_files": [f for f in attachments if f.kind == AttachmentKind.INTAKE],
        "evidence_files": [f for f in attachments if f.kind == AttachmentKind.EVIDENCE],
        "results": results,
        "feedback": actions.current_feedback(order),
        "ratings": Rating.choices,
        "feedback_channels": FeedbackChannel.choices,
        "duplicates": duplicates,
        "merged_children": list(order.merged_orders.order_by("created_at", "id")),
        "timeline": _timeline(order),
        "can_dispatch": order.status == OrderStatus.NEW,
        "can_cancel": order.status in (OrderStatus.NEW, OrderStatus.DISPATCHED),
        "can_merge": order.status in actions.MERGEABLE,
        "is_resolved": order.status == OrderStatus.RESOLVED,
    }
    return render(request, "workorders/console_detail.html", context, status=400 if errors else 200)


def _resolved_events(order: WorkOrder) -> list[CaseEvent]:
    cache = getattr(order, "_resolved_events", None)
    if cache is None:
        cache = list(
            CaseEvent.objects.filter(case_type=_order_type(), case_id=order.pk, kind=EventKind.RESOLVED).order_by(
                "created_at", "id"
            )
        )
        order._resolved_events = cache  # type: ignore[attr-defined]
    return cache


def _order_assignment(order: WorkOrder, pk: int | None) -> Assignment:
    assignment = (
        Assignment.objects.filter(case_type=_order_type(), case_id=order.pk, pk=pk or 0)
        .select_related("unit", "owner")
        .first()
    )
    if assignment is None:
        raise ValidationError({"assignment": _("Choose one of this order's assignments.")})
    return assignment


def _merge(user: Any, order: WorkOrder, post: Any) -> str:
    """The merge form: the checked duplicates (and an order number typed in) are merged
    into this order, or this order into the one checked."""
    visible = WorkOrder.objects.visible_to(user)
    picked = parse_ids(post.getlist("children"))
    others = list(visible.filter(pk__in=picked))
    number = post.get("number", "").strip()
    if number:
        extra = visible.filter(number=number).first()
        if extra is None:
            raise ValidationError({"number": _("There is no work order %(number)s you may see.") % {"number": number}})
        others.append(extra)
    if post.get("direction") == "into_other":
        if len(others) != 1:
            raise ValidationError({"children": _("Choose exactly one order to merge this one into.")})
        actions.do_merge(user, others[0], [order], reason=post.get("reason", ""))
        return _("Merged into %(number)s.") % {"number": others[0].number}
    actions.do_merge(user, order, others, reason=post.get("reason", ""), version=parse_id(post.get("version")))
    return _("%(n)d orders merged into this one.") % {"n": len(others)}


CONSOLE_VERBS = ("urge", "reassign", "approve", "refuse", "feedback", "reopen", "close", "cancel", "merge")


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


@require_POST
@login_required
def console_act(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    """The command centre's steps on one order: supervise (urge), reassign, extension
    decisions, feedback call, reopen, close, cancel, merge. Each posts here; a refused
    step re-renders the order page with the message next to its form (400)."""
    if verb not in CONSOLE_VERBS:
        raise Http404(_("Unknown action."))
    user = request.user
    order = _console_order(user, pk)
    post = request.POST
    version = parse_id(post.get("version"))
    try:
        # The generic steps go through the engine's one switch (huying.handling.steps), as
        # in the shared inbox and /api/v1/assignments; errors come back beside the form.
        if verb == "urge":
            assignment = _order_assignment(order, parse_id(post.get("assignment")))
            steps.perform(user, assignment, "urge", text=post.get("text", ""))
            done = _("Urging notice sent.")
        elif verb == "reassign":
            assignment = _order_assignment(order, parse_id(post.get("assignment")))
            to_unit = {u.pk: u for u in _units(order)}.get(parse_id(post.get("to_unit")) or 0)
            if to_unit is None:
                raise ValidationError({"to_unit": _("Choose the unit to hand it to.")})
            steps.perform(
                user, assignment, "reassign", to_unit=to_unit.pk, reason=post.get("reason", ""), version=version
            )
            done = _("Reassigned to %(unit)s.") % {"unit": to_unit.name}
        elif verb in ("approve", "refuse"):
            extension = (
                ExtensionRequest.objects.filter(
                    pk=parse_id(post.get("request")) or 0,
                    assignment__case_type=_order_type(),
                    assignment__case_id=order.pk,
                )
                .select_related("assignment__unit", "assignment__owner")
                .first()
            )
            if extension is None:
                raise ValidationError({"request": _("There is no such extension request on this order.")})
            until = _until(post.get("until", "")) if verb == "approve" else None
            if verb == "approve" and post.get("until", "").strip() and until is None:
                raise ValidationError({"until": _("Enter the new deadline, e.g. 2026-03-01 18:00.")})
            steps.perform(
                user,
                extension.assignment,
                "decide_extension",
                approve=verb == "approve",
                until=until,
                reason=post.get("note" if verb == "approve" else "reason", ""),
                extension=extension,
                version=version,
            )
            done = _("Extension approved.") if verb == "approve" else _("Extension refused.")
        elif verb == "feedback":
            due_text = post.get("reopen_due", "").strip()
            reopen_due = _until(due_text)
            if due_text and reopen_due is None:
                raise ValidationError({"reopen_due": _("Enter the new deadline, e.g. 2026-03-01 18:00.")})
            actions.do_record_feedback(
                user,
                order,
                rating=post.get("rating", ""),
                solved=_yes_no(post.get("solved", "")),
                attributable_to_unit=bool(post.get("attributable")),
                comment=post.get("comment", ""),
                channel=post.get("channel", FeedbackChannel.PHONE),
                reopen_due=reopen_due,
                version=version,
            )
            order.refresh_from_db()
            done = (
                _("Feedback recorded; the order was sent back to the unit.")
                if order.status == OrderStatus.IN_PROGRESS
                else _("Feedback recorded.")
            )
        elif verb == "reopen":
            due_text = post.get("due", "").strip()
            due = _until(due_text)
            if due_text and due is None:
                raise ValidationError({"due": _("Enter the new deadline, e.g. 2026-03-01 18:00.")})
            actions.do_reopen(user, order, reason=post.get("reason", ""), due=due, version=version)
            done = _("Sent back to the unit for handling again.")
        elif verb == "close":
            actions.do_close(user, order, note=post.get("note", ""), version=version)
            done = _("Work order closed.")
        elif verb == "cancel":
            actions.do_cancel(user, order, reason=post.get("reason", ""), version=version)
            done = _("Work order cancelled.")
        else:
            done = _merge(user, order, post)
    except ValidationError as exc:
        order = _console_order(user, pk)
        return _console_page(request, order, _units(order), _errors(exc), verb, dict(post.items()))
    messages.success(request, done)
    return redirect("workorders:console_detail", pk=order.pk)


@require_safe
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """An attachment (intake material or evidence) of an order the person may see; 404
    for everyone else, logged in or not, with no hint that it exists. Served with its
    sniffed type: images inline, PDF documents as downloads."""
    item = (
        Attachment.objects.filter(pk=pk, order__in=WorkOrder.objects.visible_to(request.user).values("pk"))  # type: ignore[arg-type]
        .select_related("order")
        .first()
    )
    if item is None:
        raise Http404(_("There is no such file, or you may not see it."))
    return item.download(filename=item.original_name or None, inline=True)


# --- unit inbox -------------------------------------------------------------------------
def _require_unit(user: Any) -> None:
    if not (user.is_administrator or user.has_role(*INBOX_ROLES)):
        raise PermissionDenied(_("The unit inbox is open only to staff of handling units and streets."))


@require_safe
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The unit inbox of work orders is the shared inbox's work-order tab."""
    _require_unit(request.user)
    return redirect(shared_inbox_url("workorder", request))


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
    # Buttons for what this person may do here (the status allows it and the engine's
    # right holds: staff of the assigned unit itself), never just what the status allows.
    available = access.allowed_actions(user, assignment)
    context = {
        "assignment": assignment,
        "order": order,
        "phone": order.caller_phone_for(user),
        "caller": order.caller_name_for(user),
        "available": available,
        "may_act": access.can_act(user, assignment),
        "state": deadline_state(assignment),
        "attachments": list(order.attachments.all()),
        "max_evidence": uploads.limits().max_files,
        "escalate_units": unit_groups([u for u in _units(order) if u.pk != assignment.unit_id]),
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


# The work orders' own step on the inbox page; the generic ones (accept, return, ask for
# more time, progress, call up) post to the shared ``handling:act``.
VERBS = ("resolve",)


@require_POST
@login_required
def inbox_act(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    """Resolve with the result and evidence photos (办结). The old addresses of the generic
    steps answer 308 (the same POST) to ``handling:act``."""
    user = request.user
    if verb in GENERIC_VERBS:
        return step_redirect(pk, GENERIC_VERBS[verb])
    if verb not in VERBS:
        raise Http404(_("Unknown action."))
    assignment, order = _inbox_assignment(user, pk)
    post = request.POST
    version = parse_id(post.get("version"))
    try:
        photos = [actions.UploadedAttachment(name=f.name or "photo", file=f) for f in request.FILES.getlist("photos")]
        actions.do_resolve(user, assignment, result=post.get("result", ""), files=photos, version=version)
    except ValidationError as exc:
        assignment.refresh_from_db()
        return _inbox_page(request, assignment, order, _errors(exc), verb)
    messages.success(request, _("Resolved."))
    return redirect("workorders:inbox_detail", pk=assignment.pk)


GENERIC_VERBS = {
    "accept": "accept",
    "return": "return",
    "extend": "extension",
    "progress": "progress",
    "escalate": "escalate",
}

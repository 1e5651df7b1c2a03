"""Every write of the work-order app. Pages, the API, the import command and tests call these.

Intake (:func:`do_intake`) is shared by every channel: the 12345 hotline push and its file
imports, grid inspectors, the public web form, members' referrals and Open311. It validates
every field (a ValidationError naming the fields at fault, nothing saved), is idempotent on
``(channel, external_id)`` and hands out a readable number per district and year.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from huying.accounts.choices import Role
from huying.audit import actions as audit
from huying.audit.actions import record, record_many
from huying.core import statements
from huying.core.actors import is_person
from huying.core.counters import reserve_values
from huying.core.models import Counter
from huying.core.uploads import check_upload_batch, sniff
from huying.handling import actions as handling
from huying.handling import history
from huying.handling import transitions as handling_transitions
from huying.handling.choices import LEAD_ROLES, OPEN_STATUSES, AssignmentRole, EventKind, FeedbackChannel, Rating
from huying.handling.choices import Status as AssignmentStatus
from huying.handling.history import append, append_many
from huying.handling.models import Assignment, CaseEvent, Feedback
from huying.handling.transitions import SUPERVISOR, authorise, check_right
from huying.organisations.choices import OrgKind
from huying.organisations.models import Organisation
from huying.workorders import analysis, reference, summary
from huying.workorders.choices import (
    AREA_CLASS_ALIASES,
    NATURE_ALIASES,
    URGENCY_ALIASES,
    AreaClass,
    AttachmentKind,
    Channel,
    Nature,
    OrderEventKind,
    OrderStatus,
    Urgency,
)
from huying.workorders.models import (
    ATTACHMENT_TYPES,
    CHINA_LAT,
    CHINA_LNG,
    MAX_ATTACHMENT_BYTES,
    Attachment,
    Category,
    DispatchDecision,
    RoutingRule,
    WorkOrder,
    dispatcher_districts,
    matching_rule,
    phone_validator,
)
from huying.workorders.suggest import rank_categories
from huying.workorders.transitions import move

MAX_CONTENT_CHARS = 4000
EXTERNAL_ID_RE = re.compile(r"^[\w.:/-]{1,64}$")
TRUE_WORDS = {"1", "true", "yes", "y", "是", "匿名", "t"}
FALSE_WORDS = {"", "0", "false", "no", "n", "否", "f", "实名"}


@dataclass(frozen=True)
class IntakeResult:
    order: WorkOrder
    created: bool


@dataclass(frozen=True)
class UploadedAttachment:
    """A file to attach: ``file`` is any Django File (an upload or a ContentFile)."""

    name: str
    file: File[Any]


# --- who may --------------------------------------------------------------------------
def check_may_intake(actor: Any, channel: str) -> None:
    """``actor`` ``None`` is the platform itself (the import command, demo data). People:
    hotline pushes come from dispatchers of a command centre (or their API client) and
    administrators; grid reports from street/unit staff and dispatchers; referrals from
    members; the web form and Open311 from anyone."""
    if actor is None:
        return
    person = is_person(actor)
    if person and actor.is_administrator:
        return
    if channel == Channel.HOTLINE:
        if person and dispatcher_districts(actor):
            return
        raise PermissionDenied(_("Only dispatchers of a command centre and administrators may push hotline orders."))
    if channel == Channel.GRID:
        if person and actor.has_role(Role.STREET_HANDLER, Role.UNIT_STAFF, Role.DISPATCHER):
            return
        raise PermissionDenied(_("Only grid inspectors, street and unit staff may report grid orders."))
    if channel == Channel.MEMBER:
        if person and actor.has_role(Role.MEMBER, Role.DISPATCHER):
            return
        raise PermissionDenied(_("Only CPPCC members may refer orders."))


# --- numbering ------------------------------------------------------------------------
def number_prefix(district: Organisation) -> str:
    """ "荔湾" for 荔湾区人民政府: the district's short name without 人民政府 and 区/县."""
    name = (district.short_name or district.name).strip()
    for suffix in ("人民政府", "政府"):
        name = name.removesuffix(suffix)
    if len(name) > 2 and name[-1] in "区县市旗":
        name = name[:-1]
    return name[:20] or "WO"


def next_number(district: Organisation, year: int) -> str:
    """The next number of ``district`` in ``year``, e.g. 荔湾-2026-000123 (one statement).
    Must run inside the transaction that saves the order: the counter row stays locked until
    it commits, and a rollback gives the number back (no gaps)."""
    return reserve_numbers(district, year, 1)[0]


def reserve_numbers(district: Organisation, year: int, count: int) -> list[str]:
    """``count`` consecutive numbers of ``district`` in ``year`` in one ``UPDATE … RETURNING``
    (a batch's block), with the guarantees of :func:`next_number`. Numbers stay gap-free
    on purpose (docs/workorders.md "Numbers"): the public quotes them and a gap looks like
    a dropped call; the counter row is locked only from this statement to the commit."""
    prefix = number_prefix(district)
    return [f"{prefix}-{year}-{value:06d}" for value in reserve_values(f"workorder:{prefix}:{year}", count)]


# --- validation -----------------------------------------------------------------------
def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value).strip()


def _choice(value: str, choices: Any, aliases: Mapping[str, str], default: str) -> str | None:
    if not value:
        return default
    if value in choices.values:
        return value
    for alias, code in aliases.items():
        if value == alias or value.startswith(alias):
            return code
    for code, label in choices.choices:
        if value == str(label):
            return str(code)
    return None


def _coordinate(raw: Any, bounds: tuple[float, float]) -> Decimal | str | None:
    """The coordinate, None when empty, or an error message."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        return _("Enter a number in decimal degrees.")
    if not value.is_finite() or not (Decimal(str(bounds[0])) <= value <= Decimal(str(bounds[1]))):
        return _("Must be between %(low)s and %(high)s (inside China).") % {"low": bounds[0], "high": bounds[1]}
    return value.quantize(Decimal("0.000001"))


def _resolve_district(actor: Any, value: str, errors: dict[str, list[str]]) -> Organisation | None:
    # Dispatchers are bound to their command centres' districts; other people (the public,
    # members, grid inspectors) and the platform may name any district.
    mine = (dispatcher_districts(actor) or None) if is_person(actor) and not actor.is_administrator else None
    if value:
        district = reference.district(value)
        if district is None:
            errors["district"] = [_("There is no district with the code or name “%(value)s”.") % {"value": value}]
            return None
        if mine is not None and district.pk not in mine:
            errors["district"] = [_("You are not a dispatcher of this district's command centre.")]
            return None
        return district
    if mine is not None and len(mine) == 1:
        return reference.district_by_pk(mine[0])
    errors["district"] = [_("Name the district (its division code) the order belongs to.")]
    return None


def _resolve_place(value: Any, kind: str, within: Organisation) -> Organisation | None:
    return reference.place(value, kind, within)


def _received_at(raw: Any, errors: dict[str, list[str]]) -> datetime:
    now = timezone.now()
    if raw is None or raw == "":
        return now
    value = raw if isinstance(raw, datetime) else parse_datetime(str(raw).strip().replace("/", "-"))
    if value is None:
        errors["received_at"] = [_("Enter a date and time such as 2026-03-01 09:30:00.")]
        return now
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > now + timedelta(minutes=5):
        errors["received_at"] = [_("The time the call came in cannot be in the future.")]
    return value


def clean_intake(actor: Any, data: Mapping[str, Any], channel: str) -> dict[str, Any]:
    """Check every field of an intake and return the order's values, or raise one
    ValidationError with a message per field at fault."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {"channel": channel}

    external_id = _text(data, "external_id")
    if external_id and not EXTERNAL_ID_RE.match(external_id):
        errors["external_id"] = [_("Use up to 64 letters, digits or the characters . : / - _.")]
    if channel == Channel.HOTLINE and not external_id:
        errors["external_id"] = [_("The hotline's own order id is required.")]
    values["external_id"] = external_id

    content = _text(data, "content")
    if not content:
        errors["content"] = [_("Describe the problem: the content is required.")]
    elif len(content) > MAX_CONTENT_CHARS:
        errors["content"] = [
            _("The description has %(count)d characters; at most %(n)d are allowed. Please shorten it.")
            % {"count": len(content), "n": MAX_CONTENT_CHARS}
        ]
    values["content"] = content

    caller_name = _text(data, "caller_name")
    if len(caller_name) > 50:
        errors["caller_name"] = [_("At most %(n)d characters.") % {"n": 50}]
    values["caller_name"] = caller_name
    phone = re.sub(r"[\s()（）]", "", _text(data, "caller_phone")).removeprefix("+86")
    if phone:
        try:
            phone_validator(phone)
        except ValidationError as error:
            errors["caller_phone"] = list(error.messages)
    values["caller_phone"] = phone

    anonymous = data.get("anonymous", False)
    if isinstance(anonymous, bool):
        values["is_anonymous"] = anonymous
    elif str(anonymous).strip().lower() in TRUE_WORDS:
        values["is_anonymous"] = True
    elif str(anonymous).strip().lower() in FALSE_WORDS:
        values["is_anonymous"] = False
    else:
        errors["anonymous"] = [_("Answer yes or no.")]

    for key, choices, aliases, default in (
        ("nature", Nature, NATURE_ALIASES, Nature.HELP),
        ("urgency", Urgency, URGENCY_ALIASES, Urgency.NORMAL),
        ("area_class", AreaClass, AREA_CLASS_ALIASES, ""),
    ):
        code = _choice(_text(data, key), choices, aliases, default)
        if code is None:
            errors[key] = [
                _("Unknown value “%(value)s”; use one of: %(choices)s.")
                % {"value": _text(data, key), "choices": ", ".join(choices.values)}
            ]
        values[key] = code or default

    category_code = _text(data, "category")
    values["category"] = None
    if category_code:
        category = reference.active_category(category_code)
        if category is None:
            errors["category"] = [_("There is no active category with the code “%(code)s”.") % {"code": category_code}]
        values["category"] = category

    address = _text(data, "address")
    if len(address) > 200:
        errors["address"] = [_("At most %(n)d characters.") % {"n": 200}]
    values["address"] = address
    lat = _coordinate(data.get("latitude"), CHINA_LAT)
    lng = _coordinate(data.get("longitude"), CHINA_LNG)
    if isinstance(lat, str):
        errors["latitude"] = [lat]
    if isinstance(lng, str):
        errors["longitude"] = [lng]
    if not isinstance(lat, str) and not isinstance(lng, str) and (lat is None) != (lng is None):
        errors["latitude" if lat is None else "longitude"] = [_("Give both latitude and longitude, or neither.")]
    values["latitude"] = lat if isinstance(lat, Decimal) else None
    values["longitude"] = lng if isinstance(lng, Decimal) else None

    district = _resolve_district(actor, _text(data, "district"), errors)
    values["district"] = district
    values["street"] = values["community"] = None
    if district is not None:
        street_value = data.get("street")
        if street_value not in (None, ""):
            street = _resolve_place(street_value, OrgKind.STREET, district)
            if street is None:
                errors["street"] = [_("There is no street “%(value)s” in this district.") % {"value": street_value}]
            values["street"] = street
        community_value = data.get("community")
        if community_value not in (None, ""):
            community = _resolve_place(community_value, OrgKind.COMMUNITY, values["street"] or district)
            if community is None:
                errors["community"] = [
                    _("There is no community “%(value)s” in this street or district.") % {"value": community_value}
                ]
            elif values["street"] is None:
                values["street"] = reference.street_of(community, district)
            values["community"] = community

    values["received_at"] = _received_at(data.get("received_at"), errors)
    if errors:
        raise ValidationError(errors)
    return values


def check_attachment(upload: UploadedAttachment) -> tuple[str, int]:
    """The sniffed content type and size of a file, or a ValidationError on
    ``attachments``: only JPEG, PNG, WebP and PDF (by their first bytes, not their
    names), at most 10 MB each."""
    refused = _("%(name)s is not a JPEG, PNG, WebP image or PDF file.") % {"name": upload.name}
    return sniff(
        upload,
        ATTACHMENT_TYPES,
        max_bytes=MAX_ATTACHMENT_BYTES,
        field="attachments",
        messages={"type": refused, "empty": refused},
    )


# --- intake ---------------------------------------------------------------------------
def _received_data(order: WorkOrder, values: Mapping[str, Any], attachments: int) -> dict[str, Any]:
    return {
        "channel": order.channel,
        "external_id": order.external_id,
        "district": order.district_id,
        "category": values["category"].code if values["category"] else "",
        "attachments": attachments,
    }


def do_intake(
    actor: Any, data: Mapping[str, Any], channel: str, *, files: Sequence[UploadedAttachment] = ()
) -> IntakeResult:
    """Create a work order from any channel, or return the existing one.

    Idempotent on ``(channel, external_id)``: sending the same external id again returns
    the order created the first time (``created=False``) and changes nothing, also when
    two sends race (the partial unique constraint decides; the loser returns the winner's
    row). Raises PermissionDenied (see :func:`check_may_intake`) or ValidationError naming
    every field at fault; then nothing is saved. Writes one audit entry per created order.
    The category suggestions and the duplicate search run after the commit
    (:mod:`huying.workorders.analysis`).
    """
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Unknown channel.")})
    check_may_intake(actor, channel)
    external_id = _text(data, "external_id")
    # A repeat is rare and the unique (channel, external_id) constraint finds it anyway: the
    # insert is tried first and a repeat answered from the constraint's refusal (below), so
    # a new order costs no look-up. A repeat that no longer passes validation (reference data
    # changed since) is still the order sent before.
    try:
        values = clean_intake(actor, data, channel)
        check_upload_batch(files, field="attachments")
        checked = [(upload, *check_attachment(upload)) for upload in files]
    except ValidationError:
        existing = _sent_before(channel, external_id)
        if existing is not None:
            return IntakeResult(existing, False)
        raise
    person = actor if is_person(actor) else None
    if not checked and statements.available() and not summary.is_deferred():
        order = _intake_in_one_statement(actor, values, person)
        if order is not None:
            return IntakeResult(order, True)
        existing = _sent_before(channel, external_id)
        if existing is not None:
            return IntakeResult(existing, False)
        # anything else (the year's counter not there yet): the path below says what it is
    try:
        with transaction.atomic():
            district: Organisation = values["district"]
            year = timezone.localdate().year
            order = WorkOrder(**values, number=next_number(district, year), created_by=person)
            order.save()
            summary.record_new([order])
            for upload, content_type, size in checked:
                attachment = Attachment(
                    order=order,
                    original_name=upload.name[:200],
                    content_type=content_type,
                    size=size,
                    uploaded_by=person,
                )
                attachment.file.save(upload.name, upload.file, save=False)
                attachment.save()
            received = _received_data(order, values, len(checked))
            append(order, OrderEventKind.RECEIVED, actor, data=received)
            record(actor, "workorder.intake", order, received)
            analysis.schedule([order.pk])
    except IntegrityError:
        existing = _sent_before(channel, external_id)
        if existing is not None:
            return IntakeResult(existing, False)
        raise
    return IntakeResult(order, True)


def _intake_in_one_statement(actor: Any, values: dict[str, Any], person: Any) -> WorkOrder | None:
    """The writes of :func:`do_intake` without attachments sent together
    (:mod:`huying.core.statements`: one statement on PostgreSQL, a few in one short
    transaction on SQLite): the district's counter, the order, its daily-summary count, its
    *received* step and its audit entry, built from the same objects the path below saves
    (a test compares the rows of both). The counter row (PostgreSQL) or the database's write
    lock (SQLite) is held only while they run. None when they are refused (the same external
    id sent before, or a counter not created yet), with nothing written and the number given
    back."""
    district: Organisation = values["district"]
    year = timezone.localdate().year
    prefix = number_prefix(district)
    together = statements.Together()
    together.add(
        "n",
        f"UPDATE {connection.ops.quote_name(Counter._meta.db_table)} SET value = value + 1 WHERE scope = %s",  # noqa: S608 - the model's table
        [f"workorder:{prefix}:{year}"],
        returning="value",
    )
    order = WorkOrder(**values, created_by=person)
    digits = _NUMBER_DIGITS if together.one_statement else _NUMBER_DIGITS_SQLITE
    order.number = together.returned("n", f"%s || {digits}", [f"{prefix}-{year}-"])  # type: ignore[assignment]
    together.insert("o", order, returning="id, number")  # compiles order.created_at etc. as save() does
    together.add("s", *summary.upsert_sql(summary.new_orders_delta([order])))
    received = _received_data(order, values, 0)
    event = history.build(order, OrderEventKind.RECEIVED, actor, data=received, case_id=together.returned("o", "id"))
    together.insert("e", event)
    entry = audit.build(
        actor,
        "workorder.intake",
        order,
        received,
        object_id=together.returned("o", "CAST(id AS TEXT)"),
        object_repr=together.returned("o", "number"),
    )
    together.insert("a", entry)
    try:
        order.pk, order.number = together.run("o")
    except IntegrityError:
        return None
    order._state.adding = False
    order._state.db = transaction.get_connection().alias
    analysis.schedule([order.pk])
    return order


# The counter's value as a work order number's digits (six, more past 999,999), in SQL.
_NUMBER_DIGITS = "CASE WHEN value < 1000000 THEN lpad(value::text, 6, '0') ELSE value::text END"
_NUMBER_DIGITS_SQLITE = "printf('%%06d', value)"  # a width is a minimum: 1000000 keeps its 7 digits


def _sent_before(channel: str, external_id: str) -> WorkOrder | None:
    if not external_id:
        return None
    return WorkOrder.objects.filter(channel=channel, external_id=external_id).first()


# A batch push: how many orders one request may carry.
MAX_BATCH = 500


@dataclass(frozen=True)
class BatchItem:
    """One order of a batch: ``order`` set when created or already there, ``errors`` (field
    → messages) when refused."""

    index: int
    external_id: str
    order: WorkOrder | None
    created: bool
    errors: dict[str, list[str]]


def do_intake_batch(actor: Any, items: Sequence[Mapping[str, Any]], channel: str) -> list[BatchItem]:
    """Take a batch of orders (the hotline pushes up to :data:`MAX_BATCH` at once), each on
    its own: every order is created, found already there (same ``(channel, external_id)``,
    also twice in one batch: the second is the first's), or refused with its field errors —
    a refused order does not stop the others. Retrying the same batch creates nothing twice.

    The orders to create are written together in one transaction: one block of numbers
    (one statement), one insert of the orders, one of their events, one of their audit
    entries, then the analysis after the commit. When a concurrent push of the same
    external id wins the race, the transaction is rolled back whole (numbers given back)
    and the batch is taken again, the winner's orders now "already there". No attachments
    in a batch (push such an order on its own). Raises PermissionDenied as
    :func:`do_intake`, and ValidationError when the batch is empty or too long."""
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Unknown channel.")})
    check_may_intake(actor, channel)
    if not items:
        raise ValidationError({"orders": _("Send at least one order.")})
    if len(items) > MAX_BATCH:
        raise ValidationError({"orders": _("At most %(n)d orders in one batch; split it.") % {"n": MAX_BATCH}})
    for _attempt in range(3):
        try:
            return _intake_batch(actor, items, channel)
        except IntegrityError:
            continue  # a concurrent push created some of these: take the batch again
    return _intake_batch(actor, items, channel)


def _intake_batch(actor: Any, items: Sequence[Mapping[str, Any]], channel: str) -> list[BatchItem]:
    external_ids = [_text(item, "external_id") for item in items]
    existing = {
        o.external_id: o
        for o in WorkOrder.objects.filter(channel=channel, external_id__in=[e for e in external_ids if e])
    }
    person = actor if is_person(actor) else None
    results: list[BatchItem | None] = [None] * len(items)
    fresh: list[tuple[int, dict[str, Any]]] = []
    first_of: dict[str, int] = {}
    for index, (item, external_id) in enumerate(zip(items, external_ids, strict=True)):
        if external_id in existing:
            results[index] = BatchItem(index, external_id, existing[external_id], False, {})
            continue
        try:
            values = clean_intake(actor, item, channel)
        except ValidationError as error:
            results[index] = BatchItem(index, external_id, None, False, error.message_dict)
            continue
        if external_id and external_id in first_of:
            continue  # the same order twice in this batch: answered with the first below
        if external_id:
            first_of[external_id] = index
        fresh.append((index, values))
    if fresh:
        with transaction.atomic():
            year = timezone.localdate().year
            orders: list[WorkOrder] = []
            by_district: dict[int, list[tuple[int, dict[str, Any]]]] = {}
            for index, values in fresh:
                by_district.setdefault(values["district"].pk, []).append((index, values))
            # Counters locked in one order (district id) by every batch: no deadlock between two.
            by_district = dict(sorted(by_district.items()))
            for group in by_district.values():
                numbers = reserve_numbers(group[0][1]["district"], year, len(group))
                orders += [
                    WorkOrder(**values, number=number, created_by=person)
                    for (_index, values), number in zip(group, numbers, strict=True)
                ]
            WorkOrder.objects.bulk_create(orders)
            if any(o.pk is None for o in orders):  # engines without RETURNING on bulk inserts
                saved = WorkOrder.objects.filter(number__in=[o.number for o in orders]).values_list("number", "pk")
                ids = dict(saved)
                for order in orders:
                    order.pk = ids[order.number]
            index_of = {o.number: index for o, (index, _v) in zip(orders, _grouped(by_district), strict=True)}
            values_of = dict(fresh)
            received = [(o, _received_data(o, values_of[index_of[o.number]], 0)) for o in orders]
            append_many([(o, OrderEventKind.RECEIVED, data) for o, data in received], actor)
            record_many(actor, "workorder.intake", received)
            summary.record_new(orders)
            analysis.schedule([o.pk for o in orders])
        for order in orders:
            index = index_of[order.number]
            results[index] = BatchItem(index, order.external_id, order, True, {})
    created = {r.external_id: r.order for r in results if r is not None and r.created and r.external_id}
    for index, external_id in enumerate(external_ids):
        if results[index] is None:  # a repeat inside the batch
            results[index] = BatchItem(index, external_id, created.get(external_id), False, {})
    return [r for r in results if r is not None]


def _grouped(by_district: Mapping[int, list[tuple[int, dict[str, Any]]]]) -> list[tuple[int, dict[str, Any]]]:
    return [pair for group in by_district.values() for pair in group]


# --- dispatch, the evidence of a result --------------------------------------------------
# The units' steps (accept, return, progress, extensions, call up, urge, reassign) are the
# engine's own (huying.handling.actions); the order's status follows its lead assignment
# through the work-order adapter, ``transitions.on_assignment_move``. What is left here is
# the work order's own: dispatch with the suggestion, a result with evidence, feedback,
# reopening, closing, cancelling and merging orders.
WORKFLOW = "workorder"


def command_centre_of(order: WorkOrder) -> Organisation:
    """The command centre of the order's district: the office that supervises its assignments."""
    centre = (
        Organisation.objects.filter(kind=OrgKind.COMMAND_CENTRE, parent_id=order.district_id, is_active=True)
        .order_by("pk")
        .first()
    )
    if centre is None:
        raise ValidationError({"district": _("This district has no command centre to dispatch from.")})
    return centre


def _locked_order(pk: int) -> WorkOrder:
    return WorkOrder.objects.select_for_update().get(pk=pk)


# Where a suggested category comes from (the console shows it with the unit's reason).
FROM_ORDER = "order"  # the category the order already has (the reporter's or the hotline's)
FROM_CHOICE = "choice"  # the category the dispatcher picked
FROM_MODEL = "model"  # the trained text model
FROM_KEYWORDS = "keywords"  # the categories' keyword rules


@dataclass(frozen=True)
class Suggestion:
    category: Category | None
    confidence: float | None
    unit: Organisation | None
    tier: int
    source: str = ""
    rule: RoutingRule | None = None


def dispatch_suggestion(order: WorkOrder, category: Category | None = None) -> Suggestion:
    """What the platform proposes for dispatching ``order`` — the one place that decides,
    for the console page and the API alike.

    The category is ``category`` when given (the dispatcher's choice), else the one the
    order already has, else the best guess from the text (trained model or keyword rules,
    with its confidence). The unit and tier come only from the routing rule for that
    category and the order's place, so the unit never disagrees with the category; with
    no matching rule there is no unit."""
    confidence: float | None = None
    if category is not None:
        source = FROM_CHOICE
    elif order.category is not None:
        category, source = order.category, FROM_ORDER
    else:
        ranked, source = rank_categories(order.content, k=1)
        if ranked:
            category, confidence = ranked[0]
    rule = matching_rule(category, order.street, order.area_class)
    if rule is None:
        return Suggestion(category, confidence, None, 1, source, None)
    return Suggestion(category, confidence, rule.unit, rule.tier, source, rule)


def do_dispatch(
    actor: Any,
    order: WorkOrder,
    unit: Organisation,
    *,
    category: Category | None = None,
    role: str = AssignmentRole.LEAD,
    tier: int = 1,
    co_units: Sequence[Organisation] = (),
    note: str = "",
    version: int | None = None,
    now: datetime | None = None,
) -> list[Assignment]:
    """派单 / 改派 after a return: the dispatcher confirms or corrects the category and the
    unit, the engine assigns the lead (and co-handling units) with deadlines from the
    ``workorder`` time-limit rules, the order becomes *dispatched*, and the decision
    (suggested vs chosen) is stored for training. Returns the assignments, lead first.
    ``now`` (default: the current time) is for loaders replaying history, as in the engine."""
    centre = command_centre_of(order)
    authorise(actor, Assignment(workflow=WORKFLOW, unit=unit, owner=centre), SUPERVISOR)
    category = category or order.category
    if category is None:
        raise ValidationError({"category": _("Choose the category of the order.")})
    if not category.is_active:
        raise ValidationError({"category": _("This category is no longer active.")})
    if role not in LEAD_ROLES:
        raise ValidationError({"role": _("Choose lead or sole handling unit.")})
    if co_units and role == AssignmentRole.SINGLE:
        raise ValidationError({"co_units": _("A sole handling unit cannot have co-handling units.")})
    if any(c.pk == unit.pk for c in co_units) or len({c.pk for c in co_units}) != len(co_units):
        raise ValidationError({"co_units": _("Each unit can take part only once.")})
    if order.status != OrderStatus.NEW:
        raise ValidationError(
            {
                "status": _("Only new or returned orders can be dispatched; this one is “%(status)s”.")
                % {"status": order.get_status_display()}
            }
        )
    suggestion = dispatch_suggestion(order)
    person = actor if is_person(actor) else None
    with transaction.atomic():
        locked = _locked_order(order.pk)
        if version is not None and locked.version != version:
            raise ValidationError(
                {"version": _("Someone else changed this work order meanwhile; reload it and retry.")}
            )
        kwargs: dict[str, Any] = {
            "workflow": WORKFLOW,
            "owner": centre,
            "nature": locked.nature,
            "urgency": locked.urgency,
            "category_code": category.code,
            "reason": note,
            "tier": tier,
            "now": now,
        }
        lead = handling.do_assign(actor, locked, unit=unit, role=role, **kwargs)
        assignments = [lead]
        for co in co_units:
            assignments.append(handling.do_assign(actor, locked, unit=co, role=AssignmentRole.CO, **kwargs))
        if locked.category_id != category.pk:
            with summary.tracking([locked.pk]):
                WorkOrder.objects.filter(pk=locked.pk).update(category=category)
            locked.category = category
        DispatchDecision.objects.create(
            order=locked,
            decided_by=person,
            suggested_category=suggestion.category,
            confidence=suggestion.confidence,
            chosen_category=category,
            suggested_unit=suggestion.unit,
            chosen_unit=unit,
        )
        record(
            actor,
            "workorder.dispatch",
            locked,
            {
                "category": category.code,
                "unit": unit.pk,
                "co_units": [c.pk for c in co_units],
                "suggested_category": suggestion.category.code if suggestion.category else "",
                "suggested_unit": suggestion.unit.pk if suggestion.unit else None,
            },
        )
    order.refresh_from_db()
    return assignments


def authorise_office(actor: Any, order: WorkOrder) -> Organisation:
    """The supervising office's right on ``order`` (its district's command centre):
    dispatchers there, leaders above it, administrators (the engine's policy)."""
    centre = command_centre_of(order)
    authorise(actor, Assignment(workflow=WORKFLOW, unit=centre, owner=centre), SUPERVISOR)
    return centre


def _check_order(order: WorkOrder, version: int | None, allowed: Sequence[str], message: str) -> None:
    if version is not None and order.version != version:
        raise ValidationError({"version": _("Someone else changed this work order meanwhile; reload it and retry.")})
    if order.status not in allowed:
        raise ValidationError({"status": message % {"status": order.get_status_display()}})


def _order_assignments(order: WorkOrder) -> list[Assignment]:
    return list(
        Assignment.objects.for_case(order).select_related("unit", "owner").order_by("assigned_at", "id")  # type: ignore[attr-defined]
    )


def check_evidence(files: Sequence[UploadedAttachment]) -> list[tuple[UploadedAttachment, str, int]]:
    """Evidence of a result: photos (JPEG, PNG, WebP) or PDF documents within the
    per-request upload limits (``huying.core.uploads``), each checked by its first bytes
    and size as at intake. Errors name ``photos``."""
    check_upload_batch(files, field="photos")
    checked = []
    for upload in files:
        try:
            checked.append((upload, *check_attachment(upload)))
        except ValidationError as exc:
            raise ValidationError({"photos": list(exc.messages)}) from exc
    return checked


def do_resolve(
    actor: Any,
    assignment: Assignment,
    *,
    result: str,
    files: Sequence[UploadedAttachment] = (),
    version: int | None = None,
    now: datetime | None = None,
) -> Assignment:
    """办结 with the result and evidence (photos or PDF, stored as the order's attachments
    of kind *evidence* linked to the assignment); the lead's resolution makes the order
    *resolved*. Only the assigned unit's own handlers may call it (the engine's rule),
    checked before the files so that an outsider is refused whatever they send."""
    check_right(actor, assignment, "resolve")
    checked = check_evidence(files)
    person = actor if is_person(actor) else None
    with transaction.atomic():
        handling.do_resolve(actor, assignment, result=result, expected_version=version, now=now)
        order = WorkOrder.objects.get(pk=assignment.case_id)
        saved = []
        for upload, content_type, size in checked:
            attachment = Attachment(
                order=order,
                original_name=upload.name[:200],
                content_type=content_type,
                size=size,
                uploaded_by=person,
                kind=AttachmentKind.EVIDENCE,
                assignment=assignment,
            )
            attachment.file.save(upload.name, upload.file, save=False)
            attachment.save()
            saved.append(attachment.pk)
        if saved:
            event = CaseEvent.objects.filter(assignment=assignment, kind=EventKind.RESOLVED).order_by("-id").first()
            if event is not None:
                event.data = {**event.data, "evidence": saved}
                event.save(update_fields=["data"])
    return assignment


# --- the command centre's supervision, feedback and closing -----------------------------
def _resolved_leads(order: WorkOrder) -> list[Assignment]:
    return [a for a in _order_assignments(order) if a.role in LEAD_ROLES and a.status == AssignmentStatus.RESOLVED]


def do_record_feedback(
    actor: Any,
    order: WorkOrder,
    *,
    rating: str,
    solved: bool | None = None,
    attributable_to_unit: bool = False,
    comment: str = "",
    channel: str = FeedbackChannel.PHONE,
    rater_name: str = "",
    reopen_due: datetime | None = None,
    version: int | None = None,
) -> Feedback:
    """回访: the command centre records the caller's rating of a *resolved* order —
    satisfied / basically satisfied / dissatisfied, solved or not, and (when dissatisfied)
    whether it is attributable to the unit, with a comment. Dissatisfied *and*
    attributable reopens the lead assignment (重办, new deadline ``reopen_due`` or the
    rule's) and puts the order back *in progress*; otherwise the order stays resolved,
    ready to close. A later call supersedes an earlier rating by the same caller."""
    authorise_office(actor, order)
    if rating not in Rating.values:
        raise ValidationError({"rating": _("Choose satisfied, basically satisfied or dissatisfied.")})
    if channel not in FeedbackChannel.values:
        raise ValidationError({"channel": _("Choose a valid feedback channel.")})
    attributable = bool(attributable_to_unit) and rating == Rating.DISSATISFIED
    if attributable and reopen_due is not None and reopen_due <= timezone.now():
        raise ValidationError({"reopen_due": _("The new deadline must be in the future.")})
    comment = (comment or "").strip()
    if len(comment) > 2000:
        raise ValidationError({"comment": _("At most %(n)d characters.") % {"n": 2000}})
    with transaction.atomic():
        locked = _locked_order(order.pk)
        _check_order(
            locked,
            version,
            (OrderStatus.RESOLVED,),
            _("Only a resolved order gets a feedback call; this one is “%(status)s”."),
        )
        feedback = handling.do_record_feedback(
            actor,
            locked,
            rating=rating,
            channel=channel,
            rater_name=(rater_name or locked.caller_name_for(None) or "").strip(),
            solved=solved,
            attributable_to_unit=attributable,
            comment=comment,
            reopen_due=reopen_due if attributable else None,
        )
    order.refresh_from_db()
    return feedback


def do_reopen(
    actor: Any, order: WorkOrder, *, reason: str, due: datetime | None = None, version: int | None = None
) -> list[Assignment]:
    """重办: the command centre sends a *resolved* order back to its lead unit with a reason
    (the answer does not hold up on review, or the caller is dissatisfied for the unit's
    reasons) and a new deadline (``due``, else the rule's). The order is *in progress*
    again. A closed order is final: a new call about it is a new order."""
    authorise_office(actor, order)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for reopening.")})
    if due is not None and due <= timezone.now():
        raise ValidationError({"due": _("The new deadline must be in the future.")})
    with transaction.atomic():
        locked = _locked_order(order.pk)
        _check_order(
            locked,
            version,
            (OrderStatus.RESOLVED,),
            _("Only a resolved order can be reopened; this one is “%(status)s”."),
        )
        leads = _resolved_leads(locked)
        for lead in leads:
            handling.do_reopen(actor, lead, reason=reason, due=due)
    order.refresh_from_db()
    return leads


def current_feedback(order: WorkOrder) -> Feedback | None:
    """The latest rating of the order that is not superseded, if any."""
    return (
        Feedback.objects.filter(
            case_type=ContentType.objects.get_for_model(WorkOrder), case_id=order.pk, superseded=False
        )
        .order_by("-created_at", "-id")
        .first()
    )


def do_close(actor: Any, order: WorkOrder, *, note: str = "", version: int | None = None) -> WorkOrder:
    """结案: the command centre closes a *resolved* order. A feedback call recorded since
    the last resolution is expected (any rating: a dissatisfied one not attributable to
    the unit still closes); without one, ``note`` must say why (caller anonymous,
    unreachable, declined). The resolved assignments are closed; co-handling units still
    working are withdrawn. Merged orders follow (their tracking shows this outcome)."""
    authorise_office(actor, order)
    note = (note or "").strip()
    with transaction.atomic():
        locked = _locked_order(order.pk)
        _check_order(
            locked,
            version,
            (OrderStatus.RESOLVED,),
            _("Only a resolved order can be closed; this one is “%(status)s”."),
        )
        assignments = _order_assignments(locked)
        resolved = [a.resolved_at for a in assignments if a.status == AssignmentStatus.RESOLVED and a.resolved_at]
        feedback = current_feedback(locked)
        if not note and (feedback is None or (resolved and feedback.created_at < max(resolved))):
            raise ValidationError(
                {
                    "note": _(
                        "No feedback call has been recorded since the order was resolved; "
                        "say why it is closed without one."
                    )
                }
            )
        # The order first: its assignments' moves then leave it as it is (the adapter).
        move(actor, locked, OrderStatus.CLOSED, note=note)
        for a in assignments:
            if a.status == AssignmentStatus.RESOLVED:
                handling.do_close(actor, a, note=note)
            elif a.status in OPEN_STATUSES:
                handling.do_cancel(actor, a, reason=note or _("The order was closed."))
    order.refresh_from_db()
    return order


def do_cancel(actor: Any, order: WorkOrder, *, reason: str, version: int | None = None) -> WorkOrder:
    """撤销: the command centre cancels an order nobody has started on — *new* or
    *dispatched* (an invalid or withdrawn call, a test, a wrong channel) — with a reason;
    its pending assignments are withdrawn. Orders being handled are closed or merged
    instead."""
    authorise_office(actor, order)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for cancelling.")})
    with transaction.atomic():
        locked = _locked_order(order.pk)
        _check_order(
            locked,
            version,
            (OrderStatus.NEW, OrderStatus.DISPATCHED),
            _("Only new or dispatched orders can be cancelled; this one is “%(status)s”."),
        )
        move(actor, locked, OrderStatus.CANCELLED, note=reason)
        for a in _order_assignments(locked):
            if a.status in handling_transitions.MOVES["cancel"].sources:
                handling.do_cancel(actor, a, reason=reason)
    order.refresh_from_db()
    return order


# --- merging duplicates (并单) -----------------------------------------------------------
MERGEABLE = (OrderStatus.NEW, OrderStatus.DISPATCHED, OrderStatus.IN_PROGRESS)


def do_merge(
    actor: Any, parent: WorkOrder, children: Sequence[WorkOrder], *, reason: str, version: int | None = None
) -> list[WorkOrder]:
    """并单: ``children`` are duplicates of ``parent`` and follow it from now on. Each child
    gets status *merged* with ``parent`` set; its open assignments are withdrawn (the
    parent's units answer); orders already merged into a child move to ``parent`` (merges
    stay one level deep). Their tracking shows the parent's outcome.

    The command centre of the parent's district only. Refused (nothing changes): no
    children, a child twice, merging an order into itself, a parent that is not open
    (merged, cancelled, resolved, closed), a child of another district, a child that is
    no longer open (resolved, closed, merged, cancelled), a stale ``version`` of the parent."""
    authorise_office(actor, parent)
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = [_("Give the reason for merging.")]
    if not children:
        errors["children"] = [_("Choose the duplicate orders to merge.")]
    pks = [c.pk for c in children]
    if len(set(pks)) != len(pks):
        errors.setdefault("children", []).append(_("Each order can be merged only once."))
    if parent.pk in pks:
        errors.setdefault("children", []).append(_("An order cannot be merged into itself."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked_parent = _locked_order(parent.pk)
        _check_order(
            locked_parent,
            version,
            MERGEABLE,
            _("Duplicates can be merged only into an order still being handled; this one is “%(status)s”."),
        )
        locked = list(WorkOrder.objects.select_for_update().filter(pk__in=pks).order_by("pk"))
        problems = []
        for child in locked:
            if child.district_id != locked_parent.district_id:
                problems.append(
                    _("%(number)s belongs to another district.") % {"number": child.number},
                )
            elif child.status not in MERGEABLE:
                problems.append(
                    _("%(number)s is “%(status)s” and can no longer be merged.")
                    % {"number": child.number, "status": child.get_status_display()}
                )
        if len(locked) != len(pks):
            problems.append(_("Some of the orders no longer exist."))
        if problems:
            raise ValidationError({"children": problems})
        note = _("Merged into %(number)s: %(reason)s") % {"number": locked_parent.number, "reason": reason}
        for child in locked:
            moved = list(WorkOrder.objects.filter(parent=child).values_list("number", flat=True))
            if moved:
                WorkOrder.objects.filter(parent=child).update(parent=locked_parent)
            WorkOrder.objects.filter(pk=child.pk).update(parent=locked_parent)
            child.parent = locked_parent
            # The order first: its assignments' withdrawal then leaves it merged (the adapter).
            move(actor, child, OrderStatus.MERGED, note=note)
            for a in _order_assignments(child):
                if a.status in handling_transitions.MOVES["cancel"].sources:
                    handling.do_cancel(actor, a, reason=note)
            if moved:
                moved_to = {"to": locked_parent.number, "orders": moved}
                append(child, OrderEventKind.MERGE_MOVED, actor, data=moved_to)
                record(actor, "workorder.merge_moved", child, moved_to)
        merged = {"children": [c.number for c in locked], "reason": reason}
        append(locked_parent, OrderEventKind.MERGED, actor, note=reason, data=merged)
        record(actor, "workorder.merge", locked_parent, merged)
    parent.refresh_from_db()
    return locked

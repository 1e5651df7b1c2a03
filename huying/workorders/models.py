"""Work orders (工单) of the 有呼必应 dispatch platform: the category tree, the orders
themselves, their attachments, the per-district number counters and the routing rules.

Only :mod:`huying.workorders.actions` creates orders and only
:mod:`huying.workorders.transitions` (or the handling engine, through it) changes
``WorkOrder.status``.
"""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import connections, models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from huying.accounts.choices import Role
from huying.accounts.models import mask_mobile
from huying.core.models import StoredFile, stored_file_path
from huying.core.uploads import EXTENSIONS, JPEG, PDF, PNG, WEBP
from huying.workorders.choices import AreaClass, AttachmentKind, Channel, Nature, OrderStatus, Urgency

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from huying.accounts.models import User
    from huying.organisations.models import Organisation

# Mainland China: the southernmost reef to the northern tip of Heilongjiang, the western
# end of Xinjiang to the eastern tip of Heilongjiang.
CHINA_LAT = (3.8, 53.6)
CHINA_LNG = (73.5, 135.1)

phone_validator = RegexValidator(
    r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|\d{7,8})$",
    _("Enter a mobile number of 11 digits or a landline number such as 020-81234567."),
)
category_code_validator = RegexValidator(
    r"^(\d{2}){1,3}$", _("A category code has 2, 4 or 6 digits, two per level (e.g. 01, 0101, 010101).")
)

# Roles that see work orders of their organisation subtree through assignments.
UNIT_ROLES = frozenset({Role.UNIT_STAFF, Role.STREET_HANDLER, Role.LEADER})


# --- categories -------------------------------------------------------------------------
class CategoryQuerySet(models.QuerySet["Category"]):
    def active(self) -> CategoryQuerySet:
        return self.filter(is_active=True)


class Category(models.Model):
    """A node of the three-level category tree (一级 / 二级 / 三级分类). The code carries the
    tree: two digits per level, so "0101" is under "01" and prefix matches find subtrees."""

    code = models.CharField(_("code"), max_length=6, unique=True, validators=[category_code_validator])
    name = models.CharField(_("name"), max_length=40)
    parent = models.ForeignKey(
        "self",
        verbose_name=pgettext_lazy("category", "parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.PositiveSmallIntegerField(_("level"), validators=[MinValueValidator(1), MaxValueValidator(3)])
    is_active = models.BooleanField(_("active"), default=True)
    keywords = models.TextField(
        _("keywords"),
        blank=True,
        help_text=_("Words that suggest this category when there is no trained model, separated by spaces or commas."),
    )
    sort_order = models.IntegerField(_("sort order"), default=0)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=3), name="category_level_range"),
            models.CheckConstraint(
                condition=(Q(level=1) & Q(parent__isnull=True)) | (Q(level__gt=1) & Q(parent__isnull=False)),
                name="category_parent_unless_top",
            ),
            models.UniqueConstraint(fields=["parent", "name"], name="category_unique_name_per_parent"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def keyword_list(self) -> list[str]:
        return [w for w in self.keywords.replace(",", " ").replace("，", " ").replace("、", " ").split() if w]


# --- work orders ------------------------------------------------------------------------
def dispatcher_districts(user: User) -> list[int]:
    """Ids of the districts whose command centre ``user`` is a dispatcher in."""
    from huying.organisations.choices import OrgKind

    return [
        a.organisation.parent_id
        for a in user.active_roles
        if a.role == Role.DISPATCHER
        and a.organisation is not None
        and a.organisation.kind == OrgKind.COMMAND_CENTRE
        and a.organisation.parent_id is not None
    ]


# A whole phone number as intake stores it: 7–12 digits (mobiles have 11).
PHONE_SEARCH_RE = re.compile(r"\d{7,12}")
# The end of an order number: digits, after anything that ends with a dash.
NUMBER_END_RE = re.compile(r"(?:\S*-)?[0-9]+")
# A search word found in this many of the newest this-many orders of a list is "common"
# (``WorkOrderQuerySet.is_common``): read newest first rather than through the index.
COMMON_SAMPLE = 2_000
COMMON_MATCHES = 3
# A search's count stops here (shown as "200+"): a dispatcher narrows a search rather than
# paging through it, and counting every order holding a common word reads most of the list.
SEARCH_COUNT_CAP = 200

# A whole order number (``荔湾-2026-000123``): found by the number alone.
ORDER_NUMBER_RE = re.compile(r"[^\s/]+-\d{4}-\d{6,}")


class NumberEndsWith(models.Func):
    """The order number ends with ``digits`` (the end of a number): on PostgreSQL ``reverse(number) LIKE
    '<digits reversed>%'``, a prefix of the reversed number that the B-tree index
    ``workorder_number_reversed`` (migration 0016) serves; elsewhere ``LIKE '%<digits>'``."""

    output_field = models.BooleanField()

    def __init__(self, digits: str) -> None:
        super().__init__(models.F("number"))
        self.digits = digits

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        column, params = compiler.compile(self.get_source_expressions()[0])
        if connection.vendor == "postgresql":
            return f"reverse({column}) LIKE %s", [*params, self.digits[::-1] + "%"]
        return f"{column} LIKE %s", [*params, "%" + self.digits]


class SearchText(models.Func):
    """``<number> <content> <address>`` with every character written twice, matched with
    ``ILIKE`` against the searched text written the same way: PostgreSQL's trigram index
    on this expression (``workorder_search_text``, migration 0015) then serves searches of
    two characters or more. A Chinese search is mostly two characters, which has no
    trigram of its own; written twice (``路路灯灯``) it has two, that occur exactly where
    the two characters stand side by side. A candidate found this way is checked with the
    plain ``icontains`` conditions too (the expression joins the three fields)."""

    output_field = models.BooleanField()
    COLUMNS = ("number", "content", "address")
    # Keep in step with the index's definition in migration 0015.
    SQL = "regexp_replace({}, '(.)', '\\1\\1', 'g') ILIKE %s"

    def __init__(self, text: str) -> None:
        super().__init__(*(models.F(c) for c in self.COLUMNS))
        doubled = "".join(c * 2 for c in text)
        escaped = doubled.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        self.pattern = f"%{escaped}%"

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        columns = [compiler.compile(e) for e in self.get_source_expressions()]
        params: list[Any] = [p for _sql, column_params in columns for p in column_params]
        return self.SQL.format(" || ' ' || ".join(sql for sql, _params in columns)), [*params, self.pattern]


class WorkOrderQuerySet(models.QuerySet["WorkOrder"]):
    def visible_to(self, user: User | AnonymousUser) -> WorkOrderQuerySet:
        """Who sees which orders (docs/workorders.md, "Visibility").

        - administrators: all;
        - dispatchers of a command centre: the orders of its district;
        - unit staff, street handlers and leaders: orders with an engine assignment they may
          read as a unit (``huying.handling.access.unit_condition``: their own unit's; a
          leader's also the units' below, and every order of the districts in their subtree)
          — never because of an assignment to a unit above their own;
        - everyone else, the public and anonymous visitors: none (the public tracks its own
          report by number and phone, outside this queryset).
        """
        if not user.is_authenticated:
            return self.none()
        if user.is_administrator:
            return self.all()
        condition = Q(pk__in=[])
        districts = dispatcher_districts(user)  # type: ignore[arg-type]
        if districts:
            condition |= Q(district_id__in=districts)
        from huying.handling.access import unit_condition

        units = unit_condition(user)
        if units is not None:
            from huying.handling.models import Assignment

            assigned = Assignment.objects.filter(
                units, case_type__app_label="workorders", case_type__model="workorder"
            ).values("case_id")
            condition |= Q(pk__in=assigned)
            for a in user.active_roles:
                if a.role == Role.LEADER and a.organisation is not None:
                    condition |= Q(district__path__startswith=a.organisation.path)
        return self.filter(condition)

    def with_related(self) -> WorkOrderQuerySet:
        return self.select_related("category", "street", "community", "district")

    def in_category(self, prefix: str) -> WorkOrderQuerySet:
        """The category with this code and everything below it (``01`` = all of 市容环境).
        The few matching ids are looked up first, so the orders are filtered on the
        indexed ``category_id`` instead of a join (docs/workorders-benchmark.md)."""
        ids = list(Category.objects.filter(code__startswith=prefix).values_list("id", flat=True))
        return self.filter(category_id__in=ids)

    def api_filtered(
        self,
        *,
        status: str = "",
        category: str = "",
        street: int | None = None,
        date_from: datetime.date | None = None,
        date_to: datetime.date | None = None,
    ) -> WorkOrderQuerySet:
        """The filters of ``GET /api/v1/workorders`` (also timed by the benchmark), newest first."""
        qs = self
        if status:
            qs = qs.filter(status=status)
        if category:
            qs = qs.in_category(category)
        if street is not None:
            qs = qs.filter(street_id=street)
        return qs.created_between(date_from, date_to).order_by("-created_at", "-id")

    def search(self, text: str, *, phone_districts: list[int] | None) -> WorkOrderQuerySet:
        """The console's search box: ``text`` in the order number (part of it), the content
        or the address; and a caller phone, matched only as a whole number (phones are
        masked for many people, so a part must not find them) and only in the districts
        ``phone_districts`` whose phones the searcher may see (``None``: every district).
        A whole order number finds that order alone (the unique index). On PostgreSQL the
        text goes through the trigram index of :class:`SearchText` first."""
        text = " ".join((text or "").split())[:100]
        if not text:
            return self
        if ORDER_NUMBER_RE.fullmatch(text):
            return self.filter(number__in={text, text.upper()})
        if NUMBER_END_RE.fullmatch(text):
            # Digits alone, or the end of a number (``000123``, ``2026-000123``): the end of
            # an order number, or a whole phone below; digits are in too many texts to
            # look for there.
            condition = Q(NumberEndsWith(text))
        else:
            condition = Q(number__icontains=text) | Q(content__icontains=text) | Q(address__icontains=text)
            if len(text) >= 2 and connections[self.db].vendor == "postgresql" and not self.is_common(text):
                condition = Q(SearchText(text)) & condition
        phone = re.sub(r"[\s()（）-]", "", text).removeprefix("+86")
        if PHONE_SEARCH_RE.fullmatch(phone) and (phone_districts is None or phone_districts):
            by_phone = Q(caller_phone=phone)
            if phone_districts is not None:
                by_phone &= Q(district_id__in=phone_districts)
            condition |= by_phone
        return self.filter(condition)

    def is_common(self, text: str) -> bool:
        """Whether ``text`` is in at least :data:`COMMON_MATCHES` of the newest
        :data:`COMMON_SAMPLE` orders of this list (one query over the newest rows' index).

        A common word (路灯) is found fastest by reading the list newest first and
        checking each order: a page fills within a few thousand rows. A rare one (a street
        name, a plate number) would make that read the whole list, so it goes through the
        trigram index instead, whose candidates each cost a heap read and a recheck (about
        50 µs): fast for a few thousand matches, slow for hundreds of thousands."""
        newest = self.order_by("-created_at", "-id").values("pk")[:COMMON_SAMPLE]
        found = (
            WorkOrder.objects.filter(pk__in=models.Subquery(newest))
            .filter(Q(number__icontains=text) | Q(content__icontains=text) | Q(address__icontains=text))
            .order_by()
            .values("pk")[:COMMON_MATCHES]
            .count()
        )
        return found >= COMMON_MATCHES

    def created_between(self, first: datetime.date | None, last: datetime.date | None) -> WorkOrderQuerySet:
        """Created on ``first`` … ``last`` (inclusive calendar days, Asia/Shanghai), as a
        range of times that the ``created_at`` indexes serve (``__date`` cannot)."""
        from django.utils import timezone

        qs = self
        zone = timezone.get_current_timezone()
        if first is not None:
            qs = qs.filter(created_at__gte=datetime.datetime.combine(first, datetime.time.min, tzinfo=zone))
        if last is not None:
            next_day = last + datetime.timedelta(days=1)
            qs = qs.filter(created_at__lt=datetime.datetime.combine(next_day, datetime.time.min, tzinfo=zone))
        return qs


class WorkOrder(models.Model):
    number = models.CharField(pgettext_lazy("work order", "number"), max_length=40, unique=True, editable=False)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, db_index=True)
    external_id = models.CharField(
        _("external id"),
        max_length=64,
        blank=True,
        help_text=_("The sending system's own id (e.g. the 12345 hotline's order id); unique per channel."),
    )
    caller_name = models.CharField(_("caller's name"), max_length=50, blank=True)
    caller_phone = models.CharField(_("caller's phone"), max_length=20, blank=True, validators=[phone_validator])
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    content = models.TextField(_("content"))
    nature = models.CharField(_("nature"), max_length=12, choices=Nature.choices, default=Nature.HELP)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    # No index of its own: ``workorder_category_created`` leads with it.
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
        db_index=False,
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(CHINA_LAT[0]), MaxValueValidator(CHINA_LAT[1])],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(CHINA_LNG[0]), MaxValueValidator(CHINA_LNG[1])],
    )
    district = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="district_work_orders",
        help_text=_("The district government whose command centre owns the order."),
    )
    # No index of its own: ``workorder_street_created`` leads with it.
    street = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("street"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="street_work_orders",
        db_index=False,
    )
    community = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="community_work_orders",
    )
    area_class = models.CharField(_("area class"), max_length=1, choices=AreaClass.choices, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.NEW, editable=False
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_orders",
    )
    received_at = models.DateTimeField(_("received at"), help_text=_("When the call or report came in."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    # The nearest deadline of a running stage of the open assignments, kept by the engine's
    # adapter on every move (huying/workorders/deadlines.py): the 督办 queue reads them.
    next_warn_at = models.DateTimeField(
        _("next warning"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the earliest running deadline of its open assignments turns yellow."),
    )
    next_due = models.DateTimeField(
        _("next deadline"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The earliest deadline of a running stage of its open assignments."),
    )

    objects = WorkOrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["-created_at", "-id"]
        constraints = [
            # The idempotency key of every intake channel.
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=~Q(external_id=""),
                name="workorder_unique_external_id",
            ),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="workorder_channel_valid"),
            models.CheckConstraint(condition=Q(status__in=OrderStatus.values), name="workorder_status_valid"),
            models.CheckConstraint(condition=Q(nature__in=Nature.values), name="workorder_nature_valid"),
            models.CheckConstraint(condition=Q(urgency__in=Urgency.values), name="workorder_urgency_valid"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=CHINA_LAT[0], latitude__lte=CHINA_LAT[1]),
                name="workorder_latitude_in_china",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=CHINA_LNG[0], longitude__lte=CHINA_LNG[1]),
                name="workorder_longitude_in_china",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="workorder_coordinates_together",
            ),
            models.CheckConstraint(
                condition=~Q(status=OrderStatus.MERGED) | Q(parent__isnull=False), name="workorder_merged_has_parent"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="workorder_version_positive"),
        ]
        indexes = [
            # The list filters' indexes carry the other filter columns (``include``, PostgreSQL
            # only): a capped count or a page of a combined filter (category and status, street
            # and category…) is then read from the index alone, without visiting the table
            # (docs/workorders-benchmark.md, issue 13).
            models.Index(
                fields=["district", "status", "created_at"],
                include=["street", "category"],
                name="workorder_district_status",
            ),
            models.Index(fields=["street", "created_at"], name="workorder_street_created"),
            # A rare status in one street (cancelled orders of a street, with a category):
            # the few matching rows straight from the index, not a street's or a status's
            # hundreds of thousands filtered.
            models.Index(
                fields=["district", "status", "street", "created_at"],
                include=["category"],
                name="workorder_status_street",
            ),
            models.Index(
                fields=["district", "street", "created_at"],
                include=["status", "category"],
                name="workorder_district_street",
            ),
            models.Index(fields=["category", "created_at"], name="workorder_category_created"),
            # Also the duplicate search's candidates (one district, a window of days).
            # A dispatcher's whole list, newest first (``district_id IN (…) ORDER BY created_at
            # DESC, id DESC``), its date ranges and its category filter.
            models.Index(
                fields=["district", "created_at", "id"],
                include=["status", "category", "street"],
                name="workorder_district_created",
            ),
            # The search box's whole phone numbers (huying/workorders/models.py ``search``).
            models.Index(fields=["caller_phone"], condition=~Q(caller_phone=""), name="workorder_caller_phone"),
            # (PostgreSQL also has ``workorder_search_text``, the trigram index of
            # ``SearchText``, made by migration 0015: Django cannot declare it.)
            # The console's 督办 queue (flagged: ``next_warn_at <= now``, red first) over the
            # few orders with a running deadline, read from the index alone.
            models.Index(
                fields=["district", "next_warn_at"],
                include=["next_due", "created_at", "id", "status", "category", "street"],
                condition=Q(next_warn_at__isnull=False),
                name="workorder_district_deadline",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def caller_phone_for(self, viewer: Any) -> str:
        """The caller's phone as ``viewer`` may see it: whole for administrators and the
        dispatchers of the order's district (they make the feedback calls), masked for
        everyone else."""
        if getattr(viewer, "is_authenticated", False) and (
            viewer.is_administrator or self.district_id in dispatcher_districts(viewer)
        ):
            return self.caller_phone
        return mask_mobile(self.caller_phone)

    def caller_name_for(self, viewer: Any) -> str:
        if self.is_anonymous and not (getattr(viewer, "is_authenticated", False) and viewer.is_administrator):
            return ""
        return self.caller_name


# --- attachments ------------------------------------------------------------------------
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ATTACHMENT_TYPES = {t: EXTENSIONS[t] for t in (JPEG, PNG, WEBP, PDF)}
# Referenced by migration 0001: the shared storage name of every stored file.
attachment_path = stored_file_path


class Attachment(StoredFile):
    """A photo or document of an order: intake material, or a unit's evidence."""

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=AttachmentKind.choices, default=AttachmentKind.INTAKE)
    assignment = models.ForeignKey(
        "handling.Assignment",
        verbose_name=_("assignment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("For evidence: the assignment whose result it documents."),
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(content_type__in=list(ATTACHMENT_TYPES)), name="attachment_content_type_valid"
            ),
            models.CheckConstraint(condition=Q(size__lte=MAX_ATTACHMENT_BYTES), name="attachment_size_limit"),
            models.CheckConstraint(condition=Q(kind__in=AttachmentKind.values), name="attachment_kind_valid"),
        ]

    def storage_dir(self) -> str:
        """``workorders/YYYY/MM`` of the order's creation: nothing of its number or id."""
        return f"workorders/{self.order.created_at:%Y/%m}"


# --- routing ----------------------------------------------------------------------------
class RoutingRule(models.Model):
    """Which unit answers which orders: a category code prefix, optionally narrowed to a
    street and an area class. :func:`route` takes the most specific matching rule."""

    category_prefix = models.CharField(_("category code prefix"), max_length=6, validators=[category_code_validator])
    street = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("street"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Empty matches any street."),
    )
    area_class = models.CharField(
        _("area class"), max_length=1, choices=AreaClass.choices, blank=True, help_text=_("Empty matches any class.")
    )
    unit = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("handling unit"), on_delete=models.PROTECT, related_name="+"
    )
    tier = models.PositiveSmallIntegerField(
        _("tier"), default=1, validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    priority = models.IntegerField(
        _("priority"), default=0, help_text=_("Breaks ties between equally specific rules; higher wins.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["category_prefix", "-priority", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(tier__gte=1, tier__lte=3), name="routingrule_tier_range"),
        ]

    def __str__(self) -> str:
        return f"{self.category_prefix} → {self.unit_id} (T{self.tier})"


def _specificity(rule: RoutingRule) -> tuple[int, bool, bool, int, int]:
    return (len(rule.category_prefix), rule.street_id is not None, rule.area_class != "", rule.priority, -rule.pk)


def _place_rules(street: Organisation | None, area_class: str) -> models.QuerySet[RoutingRule]:
    rules = RoutingRule.objects.filter(is_active=True).select_related("unit")
    rules = rules.filter(Q(street__isnull=True) | Q(street=street) if street else Q(street__isnull=True))
    return rules.filter(Q(area_class="") | Q(area_class=area_class) if area_class else Q(area_class=""))


def matching_rule(
    category: Category | None, street: Organisation | None = None, area_class: str = ""
) -> RoutingRule | None:
    """The routing rule that decides the unit for an order, or ``None`` when none matches.

    Precedence (most specific first): the longest category prefix; then a rule naming the
    street over one for any street; then one naming the area class over any class; then
    the higher priority; then the older rule. One query."""
    if category is None:
        return None
    prefixes = [category.code[:n] for n in range(2, len(category.code) + 1, 2)]
    candidates = list(_place_rules(street, area_class).filter(category_prefix__in=prefixes))
    return max(candidates, key=_specificity) if candidates else None


def route(
    category: Category | None, street: Organisation | None = None, area_class: str = ""
) -> tuple[Organisation, int] | None:
    """The responsible unit and tier for an order (see :func:`matching_rule`)."""
    rule = matching_rule(category, street, area_class)
    return (rule.unit, rule.tier) if rule is not None else None


def routing_table(
    categories: list[Category], street: Organisation | None = None, area_class: str = ""
) -> dict[str, RoutingRule]:
    """:func:`matching_rule` for many categories at once (one query): category code → rule,
    for the categories some rule matches. The dispatch form uses it to follow a change of
    category with the unit that category's routing names."""
    rules = list(_place_rules(street, area_class))
    table: dict[str, RoutingRule] = {}
    for category in categories:
        candidates = [r for r in rules if category.code.startswith(r.category_prefix)]
        if candidates:
            table[category.code] = max(candidates, key=_specificity)
    return table


# --- dispatch decisions -----------------------------------------------------------------
class DispatchDecision(models.Model):
    """What the platform suggested and what the dispatcher chose when dispatching an order:
    the corrections are training data for the category model and the routing rules."""

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="dispatch_decisions"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dispatcher"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    suggested_category = models.ForeignKey(
        Category,
        verbose_name=_("suggested category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confidence = models.FloatField(_("confidence"), null=True, blank=True)
    chosen_category = models.ForeignKey(
        Category, verbose_name=_("chosen category"), on_delete=models.PROTECT, related_name="+"
    )
    suggested_unit = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("suggested unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    chosen_unit = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("chosen unit"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(pgettext_lazy("dispatch", "decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("dispatch decision")
        verbose_name_plural = _("dispatch decisions")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.chosen_category_id} → {self.chosen_unit_id}"

    @property
    def category_corrected(self) -> bool:
        return self.suggested_category_id != self.chosen_category_id

    @property
    def unit_corrected(self) -> bool:
        return self.suggested_unit_id != self.chosen_unit_id


# --- what the platform worked out for the dispatcher ------------------------------------
class OrderAnalysis(models.Model):
    """The category suggestions and the duplicate search of one order, computed after the
    intake committed (``huying.workorders.analysis``: a Celery task, run in-process in the
    embedded set-up) and read when a dispatcher opens the order; an order without one is
    analysed when it is opened."""

    order = models.OneToOneField(
        WorkOrder, verbose_name=_("work order"), primary_key=True, on_delete=models.CASCADE, related_name="analysis"
    )
    suggestions = models.JSONField(
        _("suggested categories"), default=list, blank=True, help_text=_("Category codes with their confidence.")
    )
    suggestion_source = models.CharField(_("suggestion source"), max_length=10, blank=True)
    analysed_at = models.DateTimeField(_("analysed at"))

    class Meta:
        verbose_name = _("order analysis")
        verbose_name_plural = _("order analyses")

    def __str__(self) -> str:
        return str(self.order_id)


class DuplicateLink(models.Model):
    """``other`` looked like a duplicate of ``order`` when one of them was analysed (both
    directions are stored). The dispatcher's page scores the linked orders again with their
    current state, so a link never shows a merged or cancelled order."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="duplicate_links")
    other = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("score"))

    class Meta:
        verbose_name = _("duplicate link")
        verbose_name_plural = _("duplicate links")
        constraints = [models.UniqueConstraint(fields=["order", "other"], name="duplicatelink_unique_pair")]

    def __str__(self) -> str:
        return f"{self.order_id} ~ {self.other_id}"


# The stored daily summary lives in its own module (its API and upkeep are there).
from huying.workorders.summary import OrderSummary  # noqa: E402, F401

"""The audit log's filters, shared by the browse page, the exports and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.apps import apps
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huying.audit.models import AuditEntry, AuditEntryQuerySet, Channel

FILTER_FIELDS = ("actor", "action", "object_type", "object_id", "channel", "date_from", "date_to")


def known_object_types() -> list[tuple[str, str]]:
    """The project's models as (type code, name), offered as suggestions in the form."""
    return sorted(
        (model._meta.label_lower, str(model._meta.verbose_name))
        for model in apps.get_models()
        if model.__module__.startswith("huying.")
    )


def start_of_day(day: dt.date) -> dt.datetime:
    """Midnight of ``day`` in the platform's time zone (Asia/Shanghai by default)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_default_timezone())


class AuditFilterForm(forms.Form):
    label_suffix = ""  # labels sit above the inputs

    actor = forms.CharField(
        label=_("Actor"), required=False, max_length=60, help_text=_("Part of a name, or a login name.")
    )
    action = forms.CharField(
        label=_("Action"),
        required=False,
        max_length=60,
        help_text=_("An action code or its beginning, e.g. “role.”."),
    )
    object_type = forms.CharField(
        label=_("Object type"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"list": "audit-object-types"}),
        help_text=_("e.g. accounts.user"),
    )
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=40)
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=[("", _("All channels")), *Channel.choices])
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", _("The end date must not be before the start date."))
        return cleaned

    def active_filters(self) -> dict[str, str]:
        """The filters in use, as text (for the export's own audit entry)."""
        return {
            name: value.isoformat() if isinstance(value, dt.date) else str(value)
            for name, value in self.cleaned_data.items()
            if value not in (None, "")
        }


def apply_filters(queryset: AuditEntryQuerySet, cleaned: dict[str, Any]) -> AuditEntryQuerySet:
    """Narrow ``queryset`` by a valid form's ``cleaned_data``."""
    if actor := (cleaned.get("actor") or "").strip():
        queryset = queryset.filter(Q(actor_name__icontains=actor) | Q(actor__username__iexact=actor))
    if action := (cleaned.get("action") or "").strip():
        queryset = queryset.filter(action__startswith=action)
    if object_type := (cleaned.get("object_type") or "").strip():
        queryset = queryset.filter(object_type=object_type.lower())
    if object_id := (cleaned.get("object_id") or "").strip():
        queryset = queryset.filter(object_id=object_id)
    if channel := cleaned.get("channel"):
        queryset = queryset.filter(channel=channel)
    if date_from := cleaned.get("date_from"):
        queryset = queryset.filter(created_at__gte=start_of_day(date_from))
    if date_to := cleaned.get("date_to"):
        queryset = queryset.filter(created_at__lt=start_of_day(date_to + dt.timedelta(days=1)))
    return queryset


def filtered_entries(user: Any, data: Any) -> tuple[AuditFilterForm, AuditEntryQuerySet]:
    """The entries ``user`` may see narrowed by the filters in ``data`` (a QueryDict or dict).

    With invalid filters the form carries the errors and the queryset is empty."""
    form = AuditFilterForm(data)
    queryset = AuditEntry.objects.visible_to(user).select_related("actor")
    if not form.is_valid():
        return form, queryset.none()
    return form, apply_filters(queryset, form.cleaned_data)

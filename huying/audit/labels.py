"""How audit entries read to people: action labels, object types and field changes.

An app that records its own actions may register labels for them from its
``AppConfig.ready()``::

    register_action_labels({"proposal.file": _("Filed a proposal")})

Unregistered actions ``thing.verb`` are labelled from the object type and the verb when
both are known, and otherwise shown as their code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

ACTION_LABELS: dict[str, str | Promise] = {
    "user.create": _("Created a person"),
    "user.update": _("Changed a person"),
    "user.deactivate": _("Deactivated a person"),
    "user.activate": _("Reactivated a person"),
    "user.set_password": _("Set a password"),
    "role.assign": _("Assigned a role"),
    "role.revoke": _("Revoked a role"),
    "api_token.create": _("Created an API token"),
    "api_token.revoke": _("Revoked an API token"),
    "organisation.create": _("Created an organisation"),
    "organisation.update": _("Changed an organisation"),
    "organisation.move": _("Moved an organisation"),
    "sector.create": _("Created a sector"),
    "audit.export": _("Exported the audit log"),
}

VERB_LABELS: dict[str, str | Promise] = {
    "create": _("created"),
    "update": _("changed"),
    "delete": _("deleted"),
    "move": _("moved"),
    "assign": _("assigned"),
    "revoke": _("revoked"),
    "activate": _("reactivated"),
    "deactivate": _("deactivated"),
    "export": _("exported"),
    "import": _("imported"),
}


def register_action_labels(labels: Mapping[str, str | Promise]) -> None:
    ACTION_LABELS.update(labels)


@cache
def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def object_type_label(object_type: str) -> str:
    model = _model(object_type) if object_type else None
    return capfirst(str(model._meta.verbose_name)) if model else object_type


def action_label(action: str, object_type: str = "") -> str:
    if action in ACTION_LABELS:
        return str(ACTION_LABELS[action])
    verb = action.rpartition(".")[2]
    model = _model(object_type) if object_type else None
    if model is not None and verb in VERB_LABELS:
        return f"{capfirst(str(model._meta.verbose_name))}: {VERB_LABELS[verb]}"
    return action


def field_label(object_type: str, field: str) -> str:
    model = _model(object_type) if object_type else None
    if model is not None:
        try:
            return capfirst(str(model._meta.get_field(field).verbose_name))  # type: ignore[union-attr]
        except (FieldDoesNotExist, AttributeError):
            pass
    return capfirst(str(FIELD_LABELS.get(field, field)))


# Keys that actions put in ``changes`` without being a model field.
FIELD_LABELS: dict[str, str | Promise] = {
    "format": _("file format"),
    "rows": _("rows"),
    "filters": _("filters"),
    "parent": _("parent organisation"),
    "user": _("user"),
    "role": _("role"),
    "organisation": _("organisation"),
    "name": _("name"),
}


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    old: str | None
    new: str | None
    is_change: bool  # True: an [old, new] pair; False: a single recorded value


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, list):
        return ", ".join("" if v is None else str(v) for v in value)
    return str(value)


def changes_of(object_type: str, changes: Mapping[str, Any]) -> list[Change]:
    result = []
    for field, value in changes.items():
        label = field_label(object_type, field)
        if isinstance(value, list) and len(value) == 2:
            result.append(Change(field, label, _text(value[0]), _text(value[1]), True))
        else:
            result.append(Change(field, label, None, _text(value), False))
    return result


def changes_text(object_type: str, changes: Mapping[str, Any]) -> str:
    """One line for exports: ``field: old → new; field: value``."""
    parts = []
    for change in changes_of(object_type, changes):
        if change.is_change:
            parts.append(f"{change.label}: {change.old or '—'} → {change.new or '—'}")
        else:
            parts.append(f"{change.label}: {change.new or '—'}")
    return "; ".join(parts)

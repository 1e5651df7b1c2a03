"""How audit entries read to people: action labels, object types and field changes.

An app that records its own actions may register labels for them from its
``AppConfig.ready()``::

    register_action_labels({"proposal.file": _("Filed a proposal")})

Unregistered actions ``thing.verb`` are labelled from the object type and the verb when
both are known, and otherwise shown as their code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

ACTION_LABELS: dict[str, str | Promise] = {
    # People, roles, tokens, two-factor authentication
    "user.create": _("Created a person"),
    "user.update": _("Changed a person"),
    "user.deactivate": _("Deactivated a person"),
    "user.activate": _("Reactivated a person"),
    "user.reactivate": _("Reactivated a person"),
    "user.set_password": _("Set a password"),
    "user.password_change": _("Changed a password"),
    "user.login": _("Logged in"),
    "role.assign": _("Assigned a role"),
    "role.revoke": _("Revoked a role"),
    "api_token.create": _("Created an API token"),
    "api_token.revoke": _("Revoked an API token"),
    "two_factor.start": _("Started setting up two-factor authentication"),
    "two_factor.enable": _("Turned on two-factor authentication"),
    "two_factor.disable": _("Turned off two-factor authentication"),
    "two_factor.reset": _("Reset two-factor authentication"),
    "two_factor.backup_codes": _("Made new backup codes"),
    # Organisations
    "organisation.create": _("Created an organisation"),
    "organisation.update": _("Changed an organisation"),
    "organisation.move": _("Moved an organisation"),
    "sector.create": _("Created a sector"),
    # Audit log, demo data
    "audit.export": _("Exported the audit log"),
    "demo.load": _("Loaded the demo data"),
    "demo.proposals": _("Loaded the demo proposals"),
    "demo.people.create": _("Created demo people"),
    "demo.routing_rules.create": _("Created demo dispatch rules"),
    # Handling engine (assignments of work orders and proposals)
    "assignment.assign": _("Assigned to a handling unit"),
    "assignment.accept": _("Accepted an assignment"),
    "assignment.return": _("Returned an assignment"),
    "assignment.object": _("Objected to an assignment"),
    "assignment.overrule_objection": _("Overruled an objection"),
    "assignment.respond": _("Responded to the requester"),
    "assignment.resolve": _("Resolved an assignment"),
    "assignment.close": _("Closed an assignment"),
    "assignment.reopen": _("Reopened an assignment"),
    "assignment.escalate": _("Called up an assignment"),
    "assignment.cancel": _("Cancelled an assignment"),
    "assignment.request_extension": _("Requested an extension"),
    "assignment.approve_extension": _("Approved an extension"),
    "assignment.refuse_extension": _("Refused an extension"),
    "assignment.progress": _("Reported progress"),
    "assignment.urge": _("Sent an urging notice"),
    "feedback.record": _("Recorded a rating"),
    "handling.sweep": _("Deadline sweep"),
    "time_limit_rule.save": _("Saved a time-limit rule"),
    "calendar.set": _("Set a working or rest day"),
    "calendar.delete": _("Removed a calendar day"),
    # Work orders
    "workorder.intake": _("Received a work order"),
    "workorder.dispatch": _("Dispatched a work order"),
    "workorder.status": _("Changed a work order's status"),
    "workorder.merge": _("Merged work orders"),
    "workorder.merge_moved": _("Moved merged work orders"),
    # Proposals: drafting and review (proposal.<event kind>)
    "proposal.create": _("Created a proposal"),
    "proposal.update": _("Changed a proposal"),
    "proposal.created": _("Created a proposal draft"),
    "proposal.submitted": _("Submitted a proposal"),
    "proposal.withdrawn": _("Withdrew a proposal"),
    "proposal.file": _("Filed a proposal"),
    "proposal.filed": _("Filed a proposal"),
    "proposal.rejected": _("Did not file a proposal"),
    "proposal.merged": _("Merged a proposal"),
    "proposal.converted": _("Converted a proposal"),
    "proposal.invite_cosigner": _("Invited a co-signer"),
    "proposal.cosigner_invited": _("Invited a co-signer"),
    "proposal.cosign_confirm": _("Confirmed co-signing"),
    "proposal.cosigner_confirmed": _("Confirmed co-signing"),
    "proposal.cosign_decline": _("Declined co-signing"),
    "proposal.cosigner_declined": _("Declined co-signing"),
    "proposal.cosigner_dropped": _("Dropped a pending co-signer"),
    "proposal.create_session": _("Created a session"),
    "proposal.stats_export": _("Exported proposal statistics"),
    "proposal.attachment_add": _("Added an attachment"),
    "proposal.attachment_remove": _("Removed an attachment"),
    # Proposals: handling (proposal.<handling event kind>)
    "proposal.assigned": _("Assigned a proposal to handling units"),
    "proposal.assignment_changed": _("Changed a proposal's handling units"),
    "proposal.reply_submit": _("Submitted a reply"),
    "proposal.reply_accepted": _("Accepted a reply"),
    "proposal.reply_return": _("Sent a reply back"),
    "proposal.rated": _("Rated a reply"),
    "proposal.rehandling": _("Sent a proposal back for handling again"),
    "proposal.completed": _("Completed a proposal's handling"),
    "proposal.key_marked": _("Marked a key proposal"),
    "proposal.key_unmarked": _("Unmarked a key proposal"),
    "proposal.published": _("Published a proposal"),
    "proposal.publication_objected": _("Objected to publication"),
    "proposal.restricted": _("Withheld a proposal from publication"),
    # Excellent proposals
    "proposal.award_open": _("Opened an excellent-proposal selection"),
    "proposal.award_nominate": _("Nominated an excellent proposal"),
    "proposal.award_decide": _("Decided on a nomination"),
    "proposal.award_publish": _("Published the excellent proposals"),
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
    # Counts per role (the demo data's summary) are keyed by the role's code.
    roles = _choices("accounts.roleassignment", "role")
    if field in roles and (object_type == "demo.dataset" or field not in FIELD_LABELS):
        return capfirst(str(roles[field]))
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
    "two_factor": _("two-factor authentication"),
    "backup_codes": _("backup codes"),
    "member_level": _("member level"),
    "sector": _("sector"),
    "term": _("term"),
    "count": _("count"),
    "note": _("note"),
    "round": _("round"),
    "reply": _("reply"),
    "reply_class": _("reply class"),
    "class": _("reply class"),
    "request": _("extension request"),
    "requested_due": _("requested deadline"),
    "lead_unit": _("lead unit"),
    "to_unit": _("called up to"),
    "new_assignment": _("new assignment"),
    "co_view": _("co-handling view"),
    "warnings": _("deadline warnings"),
    "supervision_escalated": _("supervision escalated"),
    "assignment": _("assignment"),
    "assignments": _("assignments"),
    "unit": _("handling unit"),
    "units": _("handling units"),
    "co_units": _("co-handling units"),
    "mode": _("handling mode"),
    "committee": _("special committee id"),
    "committee_name": _("special committee"),
    "cosigners": _("co-signers"),
    "dropped": _("co-signers dropped"),
    "formatted_number": _("proposal number"),
    "into": _("merged into"),
    "to": _("converted to"),
    "reason": _("reason"),
    "leader": _("supervising leader id"),
    "leader_name": _("supervising leader"),
    "member": _("member"),
    "rating": _("rating"),
    "attachments": _("attachments"),
    "suggested_category": _("suggested category"),
    "suggested_unit": _("suggested unit"),
    "orders": _("orders moved"),
    "selected": _("proposals selected"),
    "session": _("session"),
    "year": _("year"),
    "title": _("title"),
    "status": _("status"),
    "version": _("version"),
    "scale": _("scale"),
    "read_at": _("read at"),
    # The demo data's summary (demo.load, demo.proposals)
    "users": _("people"),
    "organisations": _("organisations"),
    "sectors": _("sectors"),
    "sessions": _("CPPCC sessions"),
    "demo logins": _("demo logins"),
    "open311 clients": _("Open311 clients"),
    "routing rules": _("dispatch rules"),
    "time-limit rules": _("time-limit rules"),
    "collective submitters": _("collective submitters"),
    "co-sign invitations": _("co-sign invitations"),
    "award nominations": _("excellent-proposal nominations"),
    "award selections": _("excellent-proposal selections"),
    "deadline warnings": _("deadline warnings"),
    "proposals draft": _("proposals: drafts"),
    "proposals submitted": _("proposals: awaiting review"),
    "proposals filed": _("proposals: filed"),
    "proposals rejected": _("proposals: not filed"),
    "proposals merged": _("proposals: merged"),
    "proposals converted": _("proposals: converted"),
    "proposals withdrawn": _("proposals: withdrawn"),
    "proposals handled": _("proposals: handled"),
    "work orders orders": _("work orders"),
    "work orders dispatched": _("work orders: dispatched"),
    "work orders returned": _("work orders: returned"),
    "work orders resolved": _("work orders: resolved"),
    "work orders closed": _("work orders: closed"),
    "work orders reopened": _("work orders: reopened"),
    "work orders merged": _("work orders: merged"),
    "work orders urged": _("work orders: urged"),
    "work orders extension requested": _("work orders: extension requested"),
    "work orders feedback calls": _("work orders: return calls"),
    "work orders called up to tier 2": _("work orders: called up to tier 2"),
    "work orders called up to tier 3": _("work orders: called up to tier 3"),
}

# Where the values of keys that are not fields of the entry's object come from:
# ``app_label.model.field`` (the field's choices label the values).
VALUE_SOURCES: dict[str, str] = {
    "role": "accounts.roleassignment.role",
    "member_level": "accounts.roleassignment.member_level",
    "rating": "handling.feedback.rating",
    "reply_class": "proposals.reply.reply_class",
    "class": "proposals.reply.reply_class",
    "reason": "proposals.proposal.reject_reason",
    "to": "proposals.proposal.converted_to",
    "nature": "workorders.workorder.nature",
    "urgency": "workorders.workorder.urgency",
}
# Values of keys with choices that no model field carries (registered by their apps).
VALUE_LABELS: dict[str, dict[str, str | Promise]] = {}


def register_field_labels(labels: Mapping[str, str | Promise]) -> None:
    FIELD_LABELS.update(labels)


def register_value_labels(field: str, choices: Iterable[tuple[str, str | Promise]]) -> None:
    VALUE_LABELS[field] = dict(choices)


def _field(object_type: str, field: str) -> Any:
    model = _model(object_type) if object_type else None
    if model is None:
        return None
    try:
        return model._meta.get_field(field)
    except FieldDoesNotExist:
        return None


@cache
def _choices(object_type: str, field: str) -> dict[str, str | Promise]:
    """The labels of a key's values: its model field's choices, else a registered source."""
    model_field = _field(object_type, field)
    if model_field is None and field in VALUE_SOURCES:
        app_label, model_name, name = VALUE_SOURCES[field].split(".")
        model_field = _field(f"{app_label}.{model_name}", name)
    if model_field is not None and getattr(model_field, "choices", None):
        return {str(k): v for k, v in model_field.flatchoices}
    return VALUE_LABELS.get(field, {})


YES_NO = {"True": _("Yes"), "False": _("No")}


def value_text(object_type: str, field: str, value: Any) -> str | None:
    """A recorded value as people read it: choice labels, 是/否 for booleans, local times."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        value = str(value)
    value = str(value)
    if value in YES_NO:
        return str(YES_NO[value])
    labels = _choices(object_type, field)
    if value in labels:
        return str(labels[value])
    moment = _as_datetime(value)
    if moment is not None:
        return formats.date_format(timezone.localtime(moment), "Y-m-d H:i")
    return value


def _as_datetime(value: str) -> datetime | None:
    # Only full ISO timestamps (2026-12-03T04:46:17+00:00 or with a space), never numbers.
    if len(value) < 19 or value[4] != "-" or value[10] not in "T ":
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if timezone.is_aware(moment) else None


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    old: str | None
    new: str | None
    is_change: bool  # True: an [old, new] pair; False: a single recorded value


def _text(object_type: str, field: str, value: Any) -> str | None:
    if isinstance(value, list):
        return "、".join(value_text(object_type, field, v) or "—" for v in value) or None
    return value_text(object_type, field, value)


def changes_of(object_type: str, changes: Mapping[str, Any]) -> list[Change]:
    result = []
    for field, value in changes.items():
        label = field_label(object_type, field)
        if isinstance(value, list) and len(value) == 2 and field not in LIST_FIELDS:
            old, new = _text(object_type, field, value[0]), _text(object_type, field, value[1])
            result.append(Change(field, label, old, new, True))
        else:
            result.append(Change(field, label, None, _text(object_type, field, value), False))
    return result


# Keys whose value is a list of items, never an [old, new] pair.
LIST_FIELDS = frozenset({"assignments", "co_units", "supervision_escalated", "units"})


def changes_text(object_type: str, changes: Mapping[str, Any]) -> str:
    """One line for exports: ``field: old → new; field: value``."""
    parts = []
    for change in changes_of(object_type, changes):
        if change.is_change:
            parts.append(f"{change.label}: {change.old or '—'} → {change.new or '—'}")
        else:
            parts.append(f"{change.label}: {change.new or '—'}")
    return "; ".join(parts)

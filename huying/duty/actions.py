"""Writes of the duty app: the points rules. (Duty entries are written only through
:mod:`huying.duty.acts`, by the modules whose acts they are.)"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from huying.audit.actions import record as audit
from huying.duty import acts
from huying.duty.access import may_edit_rules
from huying.duty.models import PointRule
from huying.duty.points import affected_span, recompute

POINTS_LIMIT = 1000


def check_rule(
    *, kind: str, qualifier: str, points: Any, valid_from: Any, valid_to: Any, note: str, exclude: int | None = None
) -> None:
    """Refuse a rule that names an unknown kind or qualifier, has points out of bounds, an
    inverted period, or overlaps another rule of the same kind and qualifier."""
    errors: dict[str, list[str]] = {}
    registered = acts.kinds()
    if kind not in registered:
        errors["kind"] = [_("Choose a kind of act.")]
    elif qualifier and qualifier not in registered[kind].qualifiers:
        errors["qualifier"] = [_("This kind of act has no such qualifier.")]
    if not isinstance(points, int) or isinstance(points, bool) or not -POINTS_LIMIT <= points <= POINTS_LIMIT:
        errors["points"] = [_("Points are a whole number from -1000 to 1000.")]
    if not isinstance(valid_from, datetime.date):
        errors["valid_from"] = [_("Enter the first day the rule applies.")]
    if valid_to is not None and not isinstance(valid_to, datetime.date):
        errors["valid_to"] = [_("Enter a valid date.")]
    if len(note) > 200:
        errors["note"] = [_("At most %(max)d characters.") % {"max": 200}]
    if errors:
        raise ValidationError(errors)
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError({"valid_to": [_("The rule cannot end before it starts.")]})
    overlapping = PointRule.objects.filter(kind=kind, qualifier=qualifier).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from)
    )
    if valid_to is not None:
        overlapping = overlapping.filter(valid_from__lte=valid_to)
    if exclude is not None:
        overlapping = overlapping.exclude(pk=exclude)
    clash = overlapping.order_by("valid_from").first()
    if clash is not None:
        raise ValidationError(
            {
                "valid_from": [
                    _("Another rule for this act applies from %(start)s; end it first or change the dates.")
                    % {"start": clash.valid_from.isoformat()}
                ]
            }
        )


def _snapshot(rule: PointRule) -> dict[str, Any]:
    return {
        "kind": rule.kind,
        "qualifier": rule.qualifier,
        "points": rule.points,
        "valid_from": rule.valid_from.isoformat(),
        "valid_to": rule.valid_to.isoformat() if rule.valid_to else None,
        "note": rule.note,
    }


@transaction.atomic
def do_save_rule(
    actor: Any,
    rule: PointRule | None = None,
    *,
    kind: str,
    qualifier: str = "",
    points: int,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    note: str = "",
) -> PointRule:
    """Create a points rule, or change ``rule`` (staff of the province CPPCC, administrators).
    Every entry of the rule's kind (the old kind too, if it changed) is recomputed in the
    same transaction, and the yearly summaries rebuilt."""
    if not may_edit_rules(actor):
        raise PermissionDenied(_("Only the province CPPCC's staff may change the points rules."))
    qualifier, note = qualifier.strip(), note.strip()
    # One rule change at a time: the overlap check and the recomputation see the same table.
    list(PointRule.objects.select_for_update().filter(kind=kind).values_list("pk", flat=True))
    check_rule(
        kind=kind,
        qualifier=qualifier,
        points=points,
        valid_from=valid_from,
        valid_to=valid_to,
        note=note,
        exclude=rule.pk if rule else None,
    )
    affected = {kind}
    if rule is None:
        rule = PointRule.objects.create(
            kind=kind, qualifier=qualifier, points=points, valid_from=valid_from, valid_to=valid_to, note=note
        )
        audit(actor, "duty_rule.create", rule, {k: [None, v] for k, v in _snapshot(rule).items()})
        span = affected_span(None, (valid_from, valid_to), same_value=False)
    else:
        rule = PointRule.objects.select_for_update().get(pk=rule.pk)
        before = _snapshot(rule)
        old_period = (rule.valid_from, rule.valid_to)
        same_value = (rule.kind, rule.qualifier, rule.points) == (kind, qualifier, points)
        affected.add(rule.kind)
        rule.kind, rule.qualifier, rule.points = kind, qualifier, points
        rule.valid_from, rule.valid_to, rule.note = valid_from, valid_to, note
        rule.save()
        after = _snapshot(rule)
        audit(actor, "duty_rule.update", rule, {k: [before[k], after[k]] for k in after if before[k] != after[k]})
        span = affected_span(old_period, (valid_from, valid_to), same_value=same_value)
    if span is not None:
        # Only the acts whose points the change can alter, and the summaries of their years.
        recompute(affected, start=span[0], end=span[1])
    return rule


@transaction.atomic
def do_delete_rule(actor: Any, rule: PointRule) -> None:
    """Delete a points rule (same people); its acts then count 0 unless a rule for any
    qualifier covers them. The ledger is recomputed in the same transaction."""
    if not may_edit_rules(actor):
        raise PermissionDenied(_("Only the province CPPCC's staff may change the points rules."))
    rule = PointRule.objects.select_for_update().get(pk=rule.pk)
    audit(actor, "duty_rule.delete", rule, {k: [v, None] for k, v in _snapshot(rule).items()})
    kind, start, end = rule.kind, rule.valid_from, rule.valid_to
    rule.delete()
    recompute({kind}, start=start, end=end)

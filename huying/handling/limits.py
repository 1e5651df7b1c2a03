"""Time limits: which rule applies to a case, and the deadline a limit gives.

Precedence (docs/handling-engine.md, "Time limits"): among the active rules of the
workflow whose set fields all match (empty = wildcard; the category matches by code
prefix), the one with

1. an urgency set beats one without (an emergency is an emergency in every category),
2. then the longer category prefix (a third-level category beats its first level),
3. then a nature set beats one without.

The unique constraint on (workflow, nature, urgency, category prefix) leaves no ties.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from huying.handling import calendar
from huying.handling.choices import LimitUnit
from huying.handling.models import TimeLimitRule


@dataclass(frozen=True)
class Limit:
    amount: int
    unit: str

    def due_from(self, start: datetime, cal: calendar.WorkingCalendar | None = None) -> datetime:
        if self.unit == LimitUnit.MINUTES:
            return calendar.add_hours(start, self.amount / 60)
        if self.unit == LimitUnit.HOURS:
            return calendar.add_hours(start, self.amount)
        if self.unit == LimitUnit.DAYS:
            return calendar.add_days(start, self.amount)
        if self.unit == LimitUnit.MONTHS:
            return calendar.add_months(start, self.amount)
        if self.unit == LimitUnit.WORKING_DAYS:
            return (cal or calendar.get_calendar()).add_working_days(start, self.amount)
        raise ValueError(f"Unknown limit unit {self.unit!r}")


@dataclass(frozen=True)
class Limits:
    rule_id: int | None = None
    accept: Limit | None = None
    respond: Limit | None = None
    resolve: Limit | None = None
    objection: Limit | None = None

    @classmethod
    def from_rule(cls, rule: TimeLimitRule) -> Limits:
        def limit(stage: str) -> Limit | None:
            amount = getattr(rule, f"{stage}_amount")
            return Limit(amount, getattr(rule, f"{stage}_unit")) if amount else None

        return cls(rule.pk, limit("accept"), limit("respond"), limit("resolve"), limit("objection"))


def rule_precedence(rule: TimeLimitRule) -> tuple[bool, int, bool]:
    return (bool(rule.urgency), len(rule.category_prefix), bool(rule.nature))


def matching_rule(
    workflow: str, nature: str | None = None, urgency: str | None = None, category_code: str | None = None
) -> TimeLimitRule | None:
    candidates = TimeLimitRule.objects.filter(
        workflow=workflow, is_active=True, nature__in=["", nature or ""], urgency__in=["", urgency or ""]
    )
    code = category_code or ""
    matching = [r for r in candidates if code.startswith(r.category_prefix)]
    return max(matching, key=rule_precedence, default=None)


def limits_for(
    workflow: str, nature: str | None = None, urgency: str | None = None, category_code: str | None = None
) -> Limits:
    """The limits of the most specific matching rule; no limits at all when none matches
    (the migrations seed a wildcard rule for each known workflow, so that is a
    configuration error to look at, not a normal case)."""
    rule = matching_rule(workflow, nature, urgency, category_code)
    return Limits.from_rule(rule) if rule else Limits()

"""Seed the official holiday schedules for 2025 and 2026 and a default time-limit rule for
each known workflow.

Sources: 国务院办公厅关于2025年部分节假日安排的通知 (国办发明电〔2024〕12号, 2024-11-12)
and 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04, published by Xinhua). Every day
of each holiday period is stored as ``holiday`` (weekend days inside it too, so the name is
shown), and every make-up working day (调休上班) as ``workday``.
"""

from datetime import date, timedelta

from django.db import migrations

HOLIDAYS = [
    # 2025
    ("元旦", "2025-01-01", "2025-01-01"),
    ("春节", "2025-01-28", "2025-02-04"),
    ("清明节", "2025-04-04", "2025-04-06"),
    ("劳动节", "2025-05-01", "2025-05-05"),
    ("端午节", "2025-05-31", "2025-06-02"),
    ("国庆节、中秋节", "2025-10-01", "2025-10-08"),
    # 2026
    ("元旦", "2026-01-01", "2026-01-03"),
    ("春节", "2026-02-15", "2026-02-23"),
    ("清明节", "2026-04-04", "2026-04-06"),
    ("劳动节", "2026-05-01", "2026-05-05"),
    ("端午节", "2026-06-19", "2026-06-21"),
    ("中秋节", "2026-09-25", "2026-09-27"),
    ("国庆节", "2026-10-01", "2026-10-07"),
]

WORKDAYS = [
    # 2025
    ("春节调休", "2025-01-26"),
    ("春节调休", "2025-02-08"),
    ("劳动节调休", "2025-04-27"),
    ("国庆节调休", "2025-09-28"),
    ("国庆节调休", "2025-10-11"),
    # 2026
    ("元旦调休", "2026-01-04"),
    ("春节调休", "2026-02-14"),
    ("春节调休", "2026-02-28"),
    ("劳动节调休", "2026-05-09"),
    ("国庆节调休", "2026-09-20"),
    ("国庆节调休", "2026-10-10"),
]

# One wildcard rule per workflow, so that every case gets deadlines; the workflow apps and
# administrators add specific ones (by nature, urgency, category).
DEFAULT_RULES = [
    # 12345 practice: return within 1 working day, first response within 1 working day,
    # ordinary handling 5 working days (domain notes: Lüliang, Beijing).
    {
        "workflow": "workorder",
        "name": "工单默认时限",
        "accept_amount": 1,
        "accept_unit": "working_days",
        "respond_amount": 1,
        "respond_unit": "working_days",
        "resolve_amount": 5,
        "resolve_unit": "working_days",
    },
    # 提案: objection within 5 working days, contact the proposer within 15 working days,
    # reply within 3 months.
    {
        "workflow": "proposal",
        "name": "提案办理默认时限",
        "accept_amount": 5,
        "accept_unit": "working_days",
        "objection_amount": 5,
        "objection_unit": "working_days",
        "respond_amount": 15,
        "respond_unit": "working_days",
        "resolve_amount": 3,
        "resolve_unit": "months",
    },
]


def seed(apps, schema_editor):
    CalendarDay = apps.get_model("handling", "CalendarDay")
    TimeLimitRule = apps.get_model("handling", "TimeLimitRule")
    rows = []
    for name, first, last in HOLIDAYS:
        day, end = date.fromisoformat(first), date.fromisoformat(last)
        while day <= end:
            rows.append(CalendarDay(date=day, kind="holiday", name=name))
            day += timedelta(days=1)
    rows += [CalendarDay(date=date.fromisoformat(d), kind="workday", name=name) for name, d in WORKDAYS]
    CalendarDay.objects.bulk_create(rows, ignore_conflicts=True)
    for rule in DEFAULT_RULES:
        match = {k: rule[k] for k in ("workflow",)}
        TimeLimitRule.objects.get_or_create(**match, nature="", urgency="", category_prefix="", defaults=rule)


def unseed(apps, schema_editor):
    CalendarDay = apps.get_model("handling", "CalendarDay")
    TimeLimitRule = apps.get_model("handling", "TimeLimitRule")
    CalendarDay.objects.filter(date__year__in=(2025, 2026)).delete()
    TimeLimitRule.objects.filter(workflow__in=("workorder", "proposal"), nature="", urgency="", category_prefix="").delete()


class Migration(migrations.Migration):
    dependencies = [("handling", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]

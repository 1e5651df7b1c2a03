"""The wildcard time-limit rule of opinion reports handled on a leader's instruction
(accept within 2 working days, answer within 15 working days; an instruction's own deadline
overrides the answer's)."""

from django.db import migrations


def seed(apps, schema_editor):
    TimeLimitRule = apps.get_model("handling", "TimeLimitRule")
    TimeLimitRule.objects.get_or_create(
        workflow="opinions",
        nature="",
        urgency="",
        category_prefix="",
        defaults={
            "name": "社情民意批示办理默认时限",
            "accept_amount": 2,
            "accept_unit": "working_days",
            "resolve_amount": 15,
            "resolve_unit": "working_days",
        },
    )


def unseed(apps, schema_editor):
    TimeLimitRule = apps.get_model("handling", "TimeLimitRule")
    TimeLimitRule.objects.filter(workflow="opinions", nature="", urgency="", category_prefix="").delete()


class Migration(migrations.Migration):
    dependencies = [("opinions", "0001_initial"), ("handling", "0005_caseevent_scope")]

    operations = [migrations.RunPython(seed, unseed)]

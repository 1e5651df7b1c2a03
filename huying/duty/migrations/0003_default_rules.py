"""The default points rules (积分规则), valid from 2020-01-01 until staff change them.

Seeded here (not in the demo) so every installation starts with a believable table;
staff of the province CPPCC edit it on the rules page or through the API. Existing
entries (none on a fresh database) get their points from ``duty_rebuild``."""

import datetime

from django.db import migrations

FROM = datetime.date(2020, 1, 1)
DEFAULT_RULES = [
    # kind, qualifier ("" = any), points, note
    ("proposal.submitted", "first", 2, "提交提案（第一提案人）"),
    ("proposal.submitted", "cosigner", 1, "提交提案（附议人）"),
    ("proposal.filed", "first", 5, "提案立案（第一提案人）"),
    ("proposal.filed", "cosigner", 2, "提案立案（附议人）"),
    ("proposal.key", "", 5, "列为重点提案"),
    ("proposal.excellent", "", 10, "评为优秀提案"),
    ("opinion.submitted", "", 1, "报送社情民意信息"),
    ("opinion.adopted", "district", 3, "社情民意被区（县）级采用"),
    ("opinion.adopted", "city", 5, "社情民意被市级采用"),
    ("opinion.adopted", "province", 8, "社情民意被省级采用"),
    ("opinion.adopted", "national", 15, "社情民意被全国政协采用"),
    ("opinion.instructed", "district", 5, "获区（县）级领导批示"),
    ("opinion.instructed", "city", 8, "获市级领导批示"),
    ("opinion.instructed", "province", 12, "获省级领导批示"),
    ("opinion.instructed", "national", 20, "获中央领导批示"),
    ("activity.attended", "", 2, "参加履职活动"),
    ("activity.leave", "", 0, "请假"),
    ("activity.absent", "", -3, "无故缺席"),
    ("consultation.speech", "", 3, "协商发言"),
]


def seed(apps, schema_editor):
    PointRule = apps.get_model("duty", "PointRule")
    for kind, qualifier, points, note in DEFAULT_RULES:
        PointRule.objects.get_or_create(
            kind=kind, qualifier=qualifier, valid_from=FROM, defaults={"points": points, "note": note}
        )


class Migration(migrations.Migration):
    dependencies = [("duty", "0002_ledger")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

"""Seed the category tree (huying/workorders/category_seed.py). Idempotent: existing codes
are left as they are, so administrators' edits survive."""

from typing import Any

from django.db import migrations

from huying.workorders.category_seed import CATEGORY_TREE, parent_code


def seed(apps: Any, schema_editor: Any) -> None:
    Category = apps.get_model("workorders", "Category")
    by_code = {c.code: c for c in Category.objects.all()}
    for order, (code, name, keywords) in enumerate(CATEGORY_TREE):
        if code in by_code:
            continue
        parent = by_code.get(parent_code(code)) if len(code) > 2 else None
        by_code[code] = Category.objects.create(
            code=code, name=name, keywords=keywords, parent=parent, level=len(code) // 2, sort_order=order
        )


def unseed(apps: Any, schema_editor: Any) -> None:
    Category = apps.get_model("workorders", "Category")
    codes = [code for code, _name, _kw in CATEGORY_TREE]
    for level in (3, 2, 1):
        Category.objects.filter(code__in=codes, level=level, orders__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("workorders", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]

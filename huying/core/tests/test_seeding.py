"""Seed rows (categories, holiday calendar, default time limits) survive a flush."""

import datetime as dt

import pytest
from django.core.management import call_command

from huying.handling.models import CalendarDay, TimeLimitRule
from huying.workorders.models import Category


def _seed_counts() -> tuple[int, int, int]:
    return Category.objects.count(), CalendarDay.objects.count(), TimeLimitRule.objects.count()


@pytest.mark.django_db(transaction=True)
def test_flush_leaves_the_seed_rows_in_place():
    seeded = _seed_counts()
    assert all(seeded), seeded
    Category.objects.filter(level=3).update(is_active=False)
    call_command("flush", interactive=False, verbosity=0)
    assert _seed_counts() == seeded
    assert Category.objects.get(code="01").name
    assert CalendarDay.objects.filter(date=dt.date(2026, 10, 1), kind="holiday").exists()

"""The one registration call: kinds declared once, acts recorded once, retracted without loss."""

from __future__ import annotations

import pytest

from huying.duty.acts import ActKind, kinds, record, register_kind, retract
from huying.duty.models import DutyEntry

TEST_KIND = ActKind("testing.spoke", "spoke", group="testing", qualifiers={"long": "long"})


@pytest.fixture(autouse=True)
def _kind():
    register_kind(TEST_KIND)


@pytest.mark.django_db
def test_recording_the_same_act_twice_makes_one_entry(alice, bob, tree):
    first = record(alice, "testing.spoke", source=tree.province_cppcc, title="发言")
    again = record(alice, "testing.spoke", source=tree.province_cppcc, title="发言")
    record(bob, "testing.spoke", source=tree.province_cppcc)
    record(alice, "testing.spoke", source=tree.province_cppcc, qualifier="long")
    assert first.pk == again.pk
    assert DutyEntry.objects.filter(member=alice).count() == 2
    assert first.source_type == "organisations.organisation" and first.group == "testing"


@pytest.mark.django_db
def test_retracted_acts_stay_flagged_and_come_back_when_recorded_again(alice, tree):
    entry = record(alice, "testing.spoke", source=tree.province_cppcc)
    assert retract(alice, "testing.spoke", source=tree.province_cppcc) == 1
    entry.refresh_from_db()
    assert entry.retracted_at is not None
    assert retract(alice, "testing.spoke", source=tree.province_cppcc) == 0
    restored = record(alice, "testing.spoke", source=tree.province_cppcc)
    assert restored.pk == entry.pk and restored.retracted_at is None


@pytest.mark.django_db
def test_unknown_kinds_and_qualifiers_are_refused(alice, tree):
    with pytest.raises(LookupError):
        record(alice, "testing.nothing", source=tree.province_cppcc)
    with pytest.raises(ValueError):
        record(alice, "testing.spoke", source=tree.province_cppcc, qualifier="short")
    with pytest.raises(ValueError):
        register_kind(ActKind("nodot", "x", group="x"))
    assert not DutyEntry.objects.exists()
    assert "testing.spoke" in kinds()

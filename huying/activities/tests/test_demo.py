"""The demo's activities (huying/demo/activities.py) on a small cast: forty activities of
every kind through the real actions; weiyuan's believable share; idempotent."""

from __future__ import annotations

from collections import Counter

import pytest

from huying.accounts.actions import do_assign_role
from huying.accounts.choices import MemberLevel, Role
from huying.accounts.tests.factories import UserFactory
from huying.activities.choices import ActivityKind, ActivityStatus
from huying.activities.models import Activity, Participation
from huying.demo.activities import load_activity_demo
from huying.duty.models import DutyEntry
from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.tests.factories import OrganisationFactory, SectorFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # a demo load: slow by nature


def test_forty_activities_and_weiyuans_share(tree, now) -> None:
    province = tree.province_cppcc  # 广东省政协, as in the demo
    committees = [
        OrganisationFactory(name=n, kind=OrgKind.SPECIAL_COMMITTEE, level=OrgLevel.PROVINCE, parent=province)
        for n in ("提案委员会", "经济委员会")
    ]
    UserFactory(username="jiguan", roles=[(Role.AGENCY_STAFF, province)])
    sector = SectorFactory()
    for i in range(31):
        member = UserFactory(username="weiyuan" if i == 0 else f"m{i:03d}")
        do_assign_role(
            None,
            member,
            Role.MEMBER,
            province,
            term=13,
            sector=sector,
            member_level=MemberLevel.PROVINCIAL,
            special_committee=committees[i % 2],
        )
    result = load_activity_demo(52)
    assert result.created["activities"] == 40
    activities = Activity.objects.filter(cppcc=province)
    assert set(activities.values_list("kind", flat=True)) == set(ActivityKind.values)
    statuses = Counter(activities.values_list("status", flat=True))
    assert statuses == {ActivityStatus.FINISHED: 34, ActivityStatus.CANCELLED: 2, ActivityStatus.PUBLISHED: 4}
    everyone = Counter(Participation.objects.values_list("status", flat=True))
    assert everyone["attended"] and everyone["absent"] and everyone["excused"] and everyone["declined"]
    mine = Counter(Participation.objects.filter(member__username="weiyuan").values_list("status", flat=True))
    assert mine == {"attended": 10, "excused": 1, "absent": 1, "invited": 1}
    record = Counter(
        DutyEntry.objects.filter(member__username="weiyuan", retracted_at=None).values_list("kind", flat=True)
    )
    assert record == {"activity.attended": 10, "activity.leave": 1, "activity.absent": 1}
    assert load_activity_demo(52).skipped
    assert Activity.objects.count() == 40

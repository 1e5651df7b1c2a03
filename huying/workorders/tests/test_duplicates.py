"""Likely duplicates (并单 candidates): known near-duplicates are found and ranked,
known non-duplicates are not; merging follows its rules and children follow the parent."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from conftest import Tree
from huying.accounts.models import User
from huying.accounts.tests.factories import UserFactory
from huying.audit.models import AuditEntry
from huying.handling import actions as engine
from huying.handling.choices import Status
from huying.handling.models import Assignment
from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.tests.factories import OrganisationFactory
from huying.workorders import actions
from huying.workorders.choices import Channel, OrderStatus
from huying.workorders.duplicates import (
    bounding_box,
    find_duplicates,
    grams,
    haversine_m,
    normalise,
    outcome_order,
    text_similarity,
)
from huying.workorders.models import Category, WorkOrder
from huying.workorders.tests.conftest import URL, build_shared_unit_staff, order_data

pytestmark = pytest.mark.django_db

# The dispatcher and the street handler are built once per module with the tree and people
# (SHARED_PEOPLE_MODULES, root conftest.py).
build_shared_data = build_shared_unit_staff

# The first call: 沙面大街路口, 乱摆卖, at (23.108, 113.243), 沙面街道 / 沙面社区, 沙面大街1号.
BASE = order_data(external_id="D-0")


def intake(dispatcher: User, n: str, **overrides: Any) -> WorkOrder:
    data = {**BASE, "external_id": f"D-{n}", **overrides}
    return actions.do_intake(dispatcher, data, Channel.HOTLINE).order


def _age(order: WorkOrder, **delta: Any) -> WorkOrder:
    WorkOrder.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(**delta))
    order.refresh_from_db()
    return order


@pytest.fixture
def first(tree: Tree, dispatcher: User) -> WorkOrder:
    return intake(dispatcher, "first")


@pytest.fixture
def other_district(tree: Tree) -> Any:
    gov = OrganisationFactory(
        name="越秀区人民政府", kind=OrgKind.GOVERNMENT, level=OrgLevel.COUNTY, parent=tree.city_gov
    )
    gov.division_code = "440104"
    gov.save(update_fields=["division_code"])
    centre = OrganisationFactory(name="越秀区指挥中心", kind=OrgKind.COMMAND_CENTRE, parent=gov)
    street = OrganisationFactory(name="北京街道", kind=OrgKind.STREET, level=OrgLevel.STREET, parent=gov)
    dispatcher = UserFactory(username="yuexiu", roles=[("dispatcher", centre)])
    return gov, centre, street, dispatcher


# --- the pieces ------------------------------------------------------------------------
def test_text_normalisation_drops_boilerplate_and_punctuation() -> None:
    assert normalise("市民来电反映：沙面大街 乱摆卖，要求相关部门尽快处理！") == "沙面大街乱摆卖"
    assert text_similarity("沙面大街乱摆卖", "市民来电反映沙面大街乱摆卖，要求处理") == pytest.approx(1.0)
    assert text_similarity("路灯不亮", "噪音扰民") == 0.0
    assert grams("灯") == {"灯": 1}


def test_haversine_and_bounding_box() -> None:
    # One thousandth of a degree of latitude is about 111 metres anywhere.
    assert haversine_m(23.108, 113.243, 23.109, 113.243) == pytest.approx(111.2, abs=0.5)
    south, north, west, east = bounding_box(23.108, 113.243, 300)
    assert haversine_m(23.108, 113.243, north, 113.243) == pytest.approx(300, abs=1)
    assert haversine_m(23.108, 113.243, 23.108, east) == pytest.approx(300, abs=1)
    assert south < 23.108 < north and west < 113.243 < east


# --- ranking -----------------------------------------------------------------------------
def test_near_duplicates_are_found_ranked_with_reasons(first: WorkOrder, dispatcher: User) -> None:
    # The same caller calls again with the same words at the same address.
    again = intake(dispatcher, "again", content="沙面大街路口有人乱摆卖，占用人行道，还没人管。")
    # A neighbour, 25 metres away, in other words and without a category yet.
    neighbour = intake(
        dispatcher,
        "neighbour",
        content="市民来电反映：沙面大街路口有小贩乱摆卖，人行道被占用，要求处理。",
        category="",
        address="",
        latitude=23.1082,
        longitude=113.2431,
        community="",
    )
    found = find_duplicates(first)
    assert [d.order for d in found] == [again, neighbour]
    assert all(0 < d.score <= 1 for d in found) and found[0].score > found[1].score >= 0.45
    assert found[1].distance_m is not None and 15 < found[1].distance_m < 35
    assert any("米" in r or "metres" in r for r in found[1].reasons)
    assert any("地址" in r or "address" in r for r in found[0].reasons)
    # Symmetric: the neighbour finds the first call.
    assert first in [d.order for d in find_duplicates(neighbour)]


def test_non_duplicates_are_not_found(first: WorkOrder, dispatcher: User, tree: Tree, other_district: Any) -> None:
    # Another problem at the same spot.
    intake(dispatcher, "noise", content="沙面大街路口夜间施工噪音扰民，影响休息。", category="")
    # Another problem of the same kind, in the same street, elsewhere.
    intake(
        dispatcher,
        "elsewhere",
        content="沙基涌边的路灯坏了一排，晚上很黑。",
        category="",
        address="",
        latitude=23.125,
        longitude=113.260,
        community="",
    )
    # The same words far away with no place in common.
    intake(
        dispatcher,
        "far",
        content=BASE["content"],
        address="芳村大道东200号",
        latitude=23.090,
        longitude=113.230,
        street="",
        community="",
    )
    # The same words, but ten days earlier.
    _age(intake(dispatcher, "old", content=BASE["content"]), days=10)
    # The same words, another first-level category.
    intake(dispatcher, "category", category="05")
    # The same words in another district.
    yuexiu = other_district[3]
    actions.do_intake(
        yuexiu, {**BASE, "external_id": "YX-1", "district": "440104", "street": "北京街道", "community": ""}, "hotline"
    )
    assert find_duplicates(first) == []


def test_merged_and_cancelled_orders_are_not_candidates(first: WorkOrder, dispatcher: User) -> None:
    twin = intake(dispatcher, "twin")
    triplet = intake(dispatcher, "triplet")
    assert {d.order for d in find_duplicates(first)} == {twin, triplet}
    actions.do_cancel(dispatcher, twin, reason="测试工单")
    actions.do_merge(dispatcher, first, [triplet], reason="同一事项重复来电")
    assert find_duplicates(first) == []


def test_order_without_location_relies_on_text(first: WorkOrder, dispatcher: User) -> None:
    bare = intake(
        dispatcher,
        "bare",
        content="沙面大街路口乱摆卖占用人行道",
        category="",
        address="",
        latitude="",
        longitude="",
        street="",
        community="",
    )
    assert [d.order for d in find_duplicates(bare)] == [first]


def test_window_radius_and_threshold_are_settings(first: WorkOrder, dispatcher: User, settings: Any) -> None:
    old = _age(intake(dispatcher, "old", content=BASE["content"]), days=10)
    assert find_duplicates(first) == []
    settings.WORKORDERS_DUPLICATE_WINDOW_DAYS = 14
    assert [d.order for d in find_duplicates(first)] == [old]
    settings.WORKORDERS_DUPLICATE_MIN_SCORE = 0.99
    assert find_duplicates(first) == []


def test_duplicate_lookup_is_a_fixed_number_of_queries(
    first: WorkOrder, dispatcher: User, django_assert_num_queries: Any
) -> None:
    for n in range(6):
        intake(dispatcher, f"q{n}")
    order = WorkOrder.objects.with_related().get(pk=first.pk)
    with django_assert_num_queries(1):
        assert len(find_duplicates(order)) == 6


def test_hotline_push_answers_with_duplicates(
    client: Any, first: WorkOrder, dispatcher_token: str, dispatcher: User
) -> None:
    response = client.post(
        f"{URL}/intake/hotline",
        {**BASE, "external_id": "D-push"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {dispatcher_token}",
    )
    assert response.status_code == 201, response.content
    duplicates = response.json()["duplicates"]
    assert [d["number"] for d in duplicates] == [first.number]
    assert 0.45 <= duplicates[0]["score"] <= 1


# --- merging -------------------------------------------------------------------------------
@pytest.fixture
def dispatched_twin(first: WorkOrder, dispatcher: User, tree: Tree) -> WorkOrder:
    twin = intake(dispatcher, "twin")
    actions.do_dispatch(dispatcher, twin, tree.street, co_units=[tree.department])
    twin.refresh_from_db()
    return twin


def test_merge_children_follow_the_parent(
    first: WorkOrder, dispatched_twin: WorkOrder, dispatcher: User, tree: Tree, street_handler: User
) -> None:
    twin = dispatched_twin
    third = intake(dispatcher, "third")
    merged = actions.do_merge(dispatcher, first, [twin, third], reason="同一事项重复来电")
    assert {c.pk for c in merged} == {twin.pk, third.pk}
    for child in (twin, third):
        child.refresh_from_db()
        assert child.status == OrderStatus.MERGED and child.parent == first
        assert outcome_order(child) == first
    # The twin's assignments (lead and co-handling) are withdrawn: the parent's units answer.
    assert set(Assignment.objects.for_case(twin).values_list("status", flat=True)) == {Status.CANCELLED}
    assert AuditEntry.objects.filter(action="workorder.merge", object_id=str(first.pk)).exists()
    # The parent is handled; the children show its outcome.
    lead = actions.do_dispatch(dispatcher, first, tree.street)[0]
    engine.do_accept(street_handler, lead)
    actions.do_resolve(street_handler, lead, result="已清理")
    actions.do_record_feedback(dispatcher, first, rating="satisfied", solved=True)
    actions.do_close(dispatcher, first)
    twin.refresh_from_db()
    assert twin.status == OrderStatus.MERGED and outcome_order(twin).status == OrderStatus.CLOSED


def test_track_of_a_merged_report_shows_the_parent(client: Any, first: WorkOrder, dispatcher: User) -> None:
    twin = intake(dispatcher, "twin", caller_phone="13900001111")
    actions.do_merge(dispatcher, first, [twin], reason="重复来电")
    body = client.get(f"{URL}/track", {"number": twin.number, "phone": "13900001111"}).json()
    assert body["number"] == twin.number and body["status"] == OrderStatus.NEW
    assert any("合并" in n["event"] or "Merged" in n["event"] for n in body["notes"])


def test_merging_an_order_with_children_moves_them_to_the_new_parent(first: WorkOrder, dispatcher: User) -> None:
    middle = intake(dispatcher, "middle")
    leaf = intake(dispatcher, "leaf")
    actions.do_merge(dispatcher, middle, [leaf], reason="重复")
    actions.do_merge(dispatcher, first, [middle], reason="重复")
    leaf.refresh_from_db()
    middle.refresh_from_db()
    assert leaf.parent == first and middle.parent == first


def _refused(dispatcher: User, parent: WorkOrder, children: list[WorkOrder], field: str, **kwargs: Any) -> None:
    before = {o.pk: (o.status, o.parent_id) for o in WorkOrder.objects.all()}
    with pytest.raises(ValidationError) as error:
        actions.do_merge(dispatcher, parent, children, **{"reason": "重复", **kwargs})
    assert field in error.value.message_dict, error.value.message_dict
    assert {o.pk: (o.status, o.parent_id) for o in WorkOrder.objects.all()} == before


def test_merge_refusals(
    first: WorkOrder, dispatcher: User, tree: Tree, street_handler: User, other_district: Any
) -> None:
    twin = intake(dispatcher, "twin")
    _refused(dispatcher, first, [first], "children")
    _refused(dispatcher, first, [], "children")
    _refused(dispatcher, first, [twin, twin], "children")
    _refused(dispatcher, first, [twin], "reason", reason=" ")
    _refused(dispatcher, first, [twin], "version", version=first.version + 3)
    # Into a merged order.
    third = intake(dispatcher, "third")
    actions.do_merge(dispatcher, first, [third], reason="重复")
    third.refresh_from_db()
    _refused(dispatcher, third, [twin], "status")
    # A merged child.
    _refused(dispatcher, twin, [third], "children")
    # Into a cancelled order.
    cancelled = intake(dispatcher, "cancelled")
    actions.do_cancel(dispatcher, cancelled, reason="无效来电")
    cancelled.refresh_from_db()
    _refused(dispatcher, cancelled, [twin], "status")
    # A closed (or resolved) child, and into a resolved parent.
    done = intake(dispatcher, "done")
    lead = actions.do_dispatch(dispatcher, done, tree.street)[0]
    engine.do_accept(street_handler, lead)
    actions.do_resolve(street_handler, lead, result="已处理")
    done.refresh_from_db()
    _refused(dispatcher, first, [done], "children")
    _refused(dispatcher, done, [twin], "status")
    actions.do_close(dispatcher, done, note="来电人不接受回访")
    done.refresh_from_db()
    _refused(dispatcher, first, [done], "children")
    # Across districts (an administrator may see both).
    _gov, _centre, _street, yuexiu = other_district
    foreign = actions.do_intake(
        yuexiu, {**BASE, "external_id": "YX-2", "district": "440104", "street": "北京街道", "community": ""}, "hotline"
    ).order
    admin = UserFactory(username="root", roles=[("admin", tree.province_gov)])
    _refused(admin, first, [foreign], "children")


@pytest.mark.parametrize("person", ["street_handler", "charlie", "alice", "bob", "dora", "yuexiu"])
def test_only_the_command_centre_merges(
    first: WorkOrder, dispatcher: User, person: str, request: Any, other_district: Any
) -> None:
    twin = intake(dispatcher, "twin")
    actor = other_district[3] if person == "yuexiu" else request.getfixturevalue(person)
    with pytest.raises(PermissionDenied):
        actions.do_merge(actor, first, [twin], reason="重复")
    twin.refresh_from_db()
    assert twin.status == OrderStatus.NEW and twin.parent is None


def test_category_gate_uses_the_first_level(first: WorkOrder, dispatcher: User) -> None:
    sibling = intake(dispatcher, "sibling", category=Category.objects.get(code="010102").code)
    found = {d.order: d for d in find_duplicates(first)}
    assert sibling in found and any("二级" in r or "second-level" in r for r in found[sibling].reasons)

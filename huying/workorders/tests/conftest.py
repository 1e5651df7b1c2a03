"""Fixtures of the work-order tests: a dispatcher of the 荔湾 command centre with an API
token, a street handler, and a clean media directory; no trained model (keyword rules)."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import SharedPeople, Tree
from huying.accounts.actions import do_create_api_token
from huying.accounts.choices import Role
from huying.accounts.models import User
from huying.accounts.tests.factories import UserFactory
from huying.core.tests.cache import clear_cache

URL = "/api/v1/workorders"


@pytest.fixture(autouse=True)
def _isolated_files(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.WORKORDERS_CATEGORY_MODEL = str(tmp_path / "no-model.joblib")


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """The track and report rate limits count in the cache (every test client is 127.0.0.1)."""
    clear_cache()


def set_division_code(tree: Tree) -> None:
    tree.district_gov.division_code = "440103"
    tree.district_gov.save(update_fields=["division_code"])


def make_dispatcher(tree: Tree) -> User:
    return UserFactory(username="diaodu", real_name="李敏", roles=[(Role.DISPATCHER, tree.command_centre)])


def make_street_handler(tree: Tree) -> User:
    return UserFactory(username="jiedao", real_name="黄街", roles=[(Role.STREET_HANDLER, tree.street)])


def build_shared_unit_staff(shared: SharedPeople) -> dict[str, Any]:
    """The dispatcher and the street handler as a module's shared data (``build_shared_data``,
    root conftest.py): built once per module, each test getting its own copies."""
    set_division_code(shared.tree)
    return {"dispatcher": make_dispatcher(shared.tree), "street_handler": make_street_handler(shared.tree)}


@pytest.fixture
def tree(tree: Tree) -> Tree:
    set_division_code(tree)
    return tree


# A module sharing its data (``build_shared_data``, root conftest.py) may have built the
# dispatcher and the street handler already: the test gets its copies of those.
@pytest.fixture
def dispatcher(tree: Tree, _shared_people: SharedPeople | None) -> User:
    if _shared_people and "dispatcher" in _shared_people.data:
        return _shared_people.data["dispatcher"]
    return make_dispatcher(tree)


@pytest.fixture
def street_handler(tree: Tree, _shared_people: SharedPeople | None) -> User:
    if _shared_people and "street_handler" in _shared_people.data:
        return _shared_people.data["street_handler"]
    return make_street_handler(tree)


@pytest.fixture
def dispatcher_token(dispatcher: User) -> str:
    return do_create_api_token(dispatcher, dispatcher, "12345 hotline")[1]


def order_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "external_id": "GZ12345-0001",
        "content": "沙面大街路口有人乱摆卖，占用人行道。",
        "caller_name": "张三",
        "caller_phone": "13812341234",
        "nature": "投诉",
        "urgency": "normal",
        "category": "010101",
        "address": "沙面大街1号",
        "latitude": 23.108,
        "longitude": 113.243,
        "street": "沙面街道",
        "community": "沙面社区",
        "area_class": "1",
    }
    data.update(overrides)
    return data

"""Fixtures of the Open311 tests: 荔湾 with its division code, a dispatcher of its command
centre holding an API key, isolated media files and no trained category model."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import Tree
from huying.accounts.actions import do_create_api_token
from huying.accounts.choices import Role
from huying.accounts.models import User
from huying.accounts.tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _isolated_files(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.WORKORDERS_CATEGORY_MODEL = str(tmp_path / "no-model.joblib")


@pytest.fixture
def tree(tree: Tree) -> Tree:
    tree.district_gov.division_code = "440103"
    tree.district_gov.save(update_fields=["division_code"])
    return tree


@pytest.fixture
def dispatcher(tree: Tree) -> User:
    return UserFactory(username="diaodu", real_name="李敏", roles=[(Role.DISPATCHER, tree.command_centre)])


@pytest.fixture
def api_key(dispatcher: User) -> str:
    return do_create_api_token(dispatcher, dispatcher, "open311 test")[1]

from __future__ import annotations

from typing import Any

import factory

from huying.organisations.actions import do_create_organisation, do_create_sector
from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.models import Organisation, Sector


class OrganisationFactory(factory.Factory):
    """Builds organisations through the real action, so paths are always right."""

    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"单位{n:04d}")
    kind = OrgKind.DEPARTMENT
    level = OrgLevel.COUNTY
    parent = None

    @classmethod
    def _create(cls, model_class: type[Organisation], *args: Any, **kwargs: Any) -> Organisation:
        return do_create_organisation(None, **kwargs)

    @classmethod
    def _build(cls, model_class: type[Organisation], *args: Any, **kwargs: Any) -> Organisation:
        return model_class(**kwargs)


class SectorFactory(factory.Factory):
    class Meta:
        model = Sector

    name = factory.Sequence(lambda n: f"界别{n:02d}")
    sort_order = factory.Sequence(int)

    @classmethod
    def _create(cls, model_class: type[Sector], *args: Any, **kwargs: Any) -> Sector:
        return do_create_sector(None, **kwargs)

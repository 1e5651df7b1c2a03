"""Reference data of intake, cached per process: the active categories by code, the
districts (county governments) and the streets and communities under a district.

Intake looks these up for every order (three to five queries per order before); a batch
of a few hundred orders names the same dozen places again and again. The cache is a plain
dict per process, rebuilt on first use after :data:`TTL_SECONDS` (``WORKORDERS_REFERENCE_TTL_SECONDS``,
60 by default) and dropped at once in the process that saves or deletes a category or an
organisation (signals, connected in ``WorkordersConfig.ready``). Another process sees such a
change within the TTL: categories and the organisation tree change a few times a year, by
administrators, and an order that named a place which just disappeared is still checked by
the foreign keys. Changes made with ``QuerySet.update()`` send no signal: call
:func:`clear` after them (the tests clear it before each test).
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.conf import settings

from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.models import Organisation
from huying.workorders.models import Category

_lock = threading.Lock()
_state: dict[str, Any] = {"built": 0.0, "categories": None, "districts": None, "places": {}}


def ttl_seconds() -> float:
    return float(getattr(settings, "WORKORDERS_REFERENCE_TTL_SECONDS", 60))


def clear(*_args: Any, **_kwargs: Any) -> None:
    """Forget everything (also a signal receiver)."""
    with _lock:
        _state.update(built=0.0, categories=None, districts=None, places={})


def _fresh() -> dict[str, Any]:
    now = time.monotonic()
    if now - _state["built"] > ttl_seconds():
        with _lock:
            if now - _state["built"] > ttl_seconds():
                _state.update(built=now, categories=None, districts=None, places={})
    return _state


def active_category(code: str) -> Category | None:
    """The active category with this code, or None."""
    state = _fresh()
    categories = state["categories"]
    if categories is None:
        categories = {c.code: c for c in Category.objects.active()}
        state["categories"] = categories
    return categories.get(code)


def districts() -> list[Organisation]:
    """Every district (county-level government), oldest first."""
    state = _fresh()
    found = state["districts"]
    if found is None:
        found = list(Organisation.objects.filter(kind=OrgKind.GOVERNMENT, level=OrgLevel.COUNTY).order_by("pk"))
        state["districts"] = found
    return found


def district(value: str) -> Organisation | None:
    """The district with this division code or name (the oldest when several match)."""
    return next((d for d in districts() if value in (d.division_code, d.name)), None)


def district_by_pk(pk: int) -> Organisation | None:
    return next((d for d in districts() if d.pk == pk), None)


def _places(kind: str, within: Organisation) -> list[Organisation]:
    state = _fresh()
    key = (kind, within.path)
    found = state["places"].get(key)
    if found is None:
        found = list(Organisation.objects.filter(kind=kind, path__startswith=within.path).order_by("pk"))
        state["places"][key] = found
    return list(found)


def place(value: Any, kind: str, within: Organisation) -> Organisation | None:
    """The street or community (``kind``) under ``within`` with this id (an int), name,
    short name or division code."""
    places = _places(kind, within)
    if isinstance(value, int):
        return next((p for p in places if p.pk == value), None)
    text = str(value).strip()
    return next((p for p in places if text in (p.name, p.short_name, p.division_code)), None)


def street_of(community: Organisation, district: Organisation) -> Organisation | None:
    """The deepest street above ``community`` within ``district``."""
    ancestors = set(community.ancestor_paths())
    streets = [s for s in _places(OrgKind.STREET, district) if s.path in ancestors]
    return max(streets, key=lambda s: s.depth) if streets else None

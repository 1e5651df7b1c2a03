"""The shell's navigation registry.

The shell knows the areas of the platform (the five member sections, the public zone,
the work console, the leaders' dashboard) but not the modules inside them. A module
registers its entries from its ``AppConfig.ready()``::

    register(Entry(area="duty", key="proposals", title=_("Proposals"),
                   url_name="proposals:mine", roles=MEMBER_SECTION_ROLES))

and appears in its area without any change to the shell. An area with no entries yet
shows an honest "coming" page listing what is planned for it.

A module may also put figures on an area's page (the leaders' dashboard) with a
:class:`Panel`: a template and a function that computes its context for the person, or
returns ``None`` when the person has nothing to read there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from huying.core.roles import CONSOLE_ROLES, DASHBOARD_ROLES, MEMBER_SECTION_ROLES


@dataclass(frozen=True)
class Area:
    key: str
    title: str | Promise
    icon: str
    url_name: str
    roles: frozenset[str] | None  # None: open to everyone, including anonymous visitors
    refusal: str | Promise
    planned: tuple[str | Promise, ...] = ()
    in_tab_bar: bool = False
    summary: str | Promise = ""  # one line under the area's title


@dataclass(frozen=True)
class Entry:
    area: str
    key: str
    title: str | Promise
    url_name: str
    description: str | Promise = ""
    roles: frozenset[str] | None = None
    url_kwargs: dict[str, Any] = field(default_factory=dict)
    # A finer test than the roles, for entries whose page depends on where the role is
    # held (a leader of a district government has no CPPCC session statistics to read).
    # Called only for people who hold one of ``roles``; keep it cheap (no query if possible).
    visible: Callable[[Any], bool] | None = None

    @property
    def url(self) -> str:
        return reverse(self.url_name, kwargs=self.url_kwargs or None)


_MEMBER_REFUSAL = _("This section is open only to CPPCC members, agency staff, leaders and administrators.")

AREAS: dict[str, Area] = {
    area.key: area
    for area in [
        Area(
            "duty",
            _("Duty"),
            "duty",
            "core:duty",
            MEMBER_SECTION_ROLES,
            _MEMBER_REFUSAL,
            (_("Proposals"), _("Public-opinion reports"), _("Duty activities"), _("My duty record")),
            in_tab_bar=True,
            summary=_("Proposals, public-opinion reports, duty activities and your duty record."),
        ),
        Area(
            "consult",
            _("Consultation"),
            "consult",
            "core:consult",
            MEMBER_SECTION_ROLES,
            _MEMBER_REFUSAL,
            (_("Remote consultation"), _("Discussion groups"), _("One committee, one flagship topic")),
            in_tab_bar=True,
            summary=_("Remote consultation with government departments and themed discussion groups."),
        ),
        Area(
            "interact",
            _("Interaction"),
            "interact",
            "core:interact",
            MEMBER_SECTION_ROLES,
            _MEMBER_REFUSAL,
            (_("Member reception room"), _("Opinion debate"), _("Public suggestions")),
            in_tab_bar=True,
            summary=_("Talk with the public: reception room, opinion debates and suggestions."),
        ),
        Area(
            "news",
            _("Information"),
            "news",
            "core:news",
            MEMBER_SECTION_ROLES,
            _MEMBER_REFUSAL,
            (_("CPPCC news digest"), _("Announcements"), _("Work circle"), _("Online learning")),
            in_tab_bar=True,
            summary=_("CPPCC news, announcements, the work circle and online learning."),
        ),
        Area(
            "thinktank",
            _("Think tank"),
            "thinktank",
            "core:thinktank",
            MEMBER_SECTION_ROLES,
            _MEMBER_REFUSAL,
            (_("Expert pool"), _("Research reports"), _("Data resources"), _("Ask an expert")),
            in_tab_bar=True,
            summary=_("Experts, research reports and data resources for members and staff."),
        ),
        Area(
            "public",
            _("Public zone"),
            "public",
            "core:public",
            None,
            "",
            (_("Member reception room"), _("Opinion debate"), _("Suggestions"), _("Report a problem")),
            summary=_("Raise problems and suggestions, talk with CPPCC members and vote in opinion debates."),
        ),
        Area(
            "console",
            _("Work console"),
            "console",
            "core:console",
            CONSOLE_ROLES,
            _(
                "The work console is open only to CPPCC agency staff, handling units, dispatchers, "
                "street and community handlers and administrators."
            ),
            (_("Proposal handling"), _("Work orders"), _("Supervision"), _("Statistics")),
            summary=_("Handle proposals and work orders assigned to your organisation."),
        ),
        Area(
            "dashboard",
            _("Dashboard"),
            "dashboard",
            "core:dashboard",
            DASHBOARD_ROLES,
            _("The dashboard is open only to leaders and administrators."),
            (_("Work-order overview"), _("Proposal overview"), _("Hot topics"), _("Map by street")),
            summary=_("Overview of work orders, proposals and hot topics for leaders."),
        ),
    ]
}

_entries: list[Entry] = []


def register(entry: Entry) -> None:
    if entry.area not in AREAS:
        raise ValueError(f"Unknown area {entry.area!r}; known: {', '.join(AREAS)}")
    if any(e.area == entry.area and e.key == entry.key for e in _entries):
        raise ValueError(f"Entry {entry.area}/{entry.key} is registered twice")
    _entries.append(entry)


def unregister(area: str, key: str) -> None:
    _entries[:] = [e for e in _entries if not (e.area == area and e.key == key)]


def may_enter(user: Any, area: Area) -> bool:
    if area.roles is None:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.role_set & area.roles)


def entries_for(user: Any, area_key: str) -> list[Entry]:
    result = []
    for entry in _entries:
        if entry.area != area_key:
            continue
        if entry.roles is not None and not (getattr(user, "is_authenticated", False) and user.role_set & entry.roles):
            continue
        if entry.visible is not None and not entry.visible(user):
            continue
        result.append(entry)
    return result


def areas_for(user: Any) -> Iterable[Area]:
    return [area for area in AREAS.values() if may_enter(user, area)]


@dataclass(frozen=True)
class Panel:
    area: str
    key: str
    template: str
    # The panel's context for a person (the template reads it as ``panel``), or ``None``
    # when the person has nothing to see in it. A few aggregate queries at most.
    context: Callable[[Any], dict[str, Any] | None]
    roles: frozenset[str] | None = None
    order: int = 100
    stylesheets: tuple[str, ...] = ()


_panels: list[Panel] = []


def register_panel(panel: Panel) -> None:
    if panel.area not in AREAS:
        raise ValueError(f"Unknown area {panel.area!r}; known: {', '.join(AREAS)}")
    if any(p.area == panel.area and p.key == panel.key for p in _panels):
        raise ValueError(f"Panel {panel.area}/{panel.key} is registered twice")
    _panels.append(panel)


def unregister_panel(area: str, key: str) -> None:
    _panels[:] = [p for p in _panels if not (p.area == area and p.key == key)]


def panels_for(user: Any, area_key: str) -> list[tuple[Panel, dict[str, Any]]]:
    """The panels of an area that ``user`` has something to read in, with their contexts."""
    result = []
    for panel in sorted(_panels, key=lambda p: (p.order, p.key)):
        if panel.area != area_key:
            continue
        if panel.roles is not None and not (getattr(user, "is_authenticated", False) and user.role_set & panel.roles):
            continue
        context = panel.context(user)
        if context is not None:
            result.append((panel, context))
    return result

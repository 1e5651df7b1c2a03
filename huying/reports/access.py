"""Who reads and who generates the monthly analysis reports (docs/reports.md, "Who").

- administrators: every report; generate for every scope;
- a leader at a government: the work-order reports of that government and the
  governments below it; a leader at a CPPCC committee (or one of its offices or special
  committees): the CPPCC reports of that committee and those below it. A leader elsewhere
  (a department, a street) reads none: the report ranks units against each other;
- a dispatcher of a command centre: the work-order reports of the centre's district;
- CPPCC agency staff at a committee or its offices: the CPPCC reports of that committee;
- everyone else (unit staff and street handlers, members, the public): none. Unit staff
  read their own unit's figures on the statistics page; the report is the command
  centre's view of all units.

Whoever reads a scope's reports may also generate one for that scope, for any period.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from huying.accounts.choices import Role
from huying.organisations.choices import OrgKind
from huying.organisations.models import Organisation
from huying.reports.choices import ReportKind

CPPCC_KINDS = (OrgKind.CPPCC, OrgKind.CPPCC_OFFICE, OrgKind.SPECIAL_COMMITTEE)


def roots(user: Any) -> dict[str, list[str]] | None:
    """The tree paths under which ``user`` reads reports, per kind; ``None``: everything."""
    if not getattr(user, "is_authenticated", False):
        return {ReportKind.HOTLINE: [], ReportKind.CPPCC: []}
    if user.is_administrator:
        return None
    hotline: list[str] = []
    cppcc: list[str] = []
    for role in user.active_roles:
        org = role.organisation
        if org is None:
            continue
        if role.role == Role.LEADER and org.kind == OrgKind.GOVERNMENT:
            hotline.append(org.path)
        elif role.role == Role.DISPATCHER and org.kind == OrgKind.COMMAND_CENTRE and org.parent_id:
            hotline.append(org.ancestor_paths()[-1])
        elif role.role in (Role.LEADER, Role.AGENCY_STAFF) and org.kind == OrgKind.CPPCC:
            cppcc.append(org.path)
        elif role.role in (Role.LEADER, Role.AGENCY_STAFF) and org.kind in CPPCC_KINDS and org.parent_id:
            cppcc.append(org.ancestor_paths()[-1])
    return {ReportKind.HOTLINE: hotline, ReportKind.CPPCC: cppcc}


def read_condition(user: Any) -> Q | None:
    """A filter on MonthlyReport for the reports ``user`` reads; ``None``: none at all."""
    paths = roots(user)
    if paths is None:
        return Q()
    condition = Q(pk__in=[])
    found = False
    for kind, kind_paths in paths.items():
        for path in kind_paths:
            condition |= Q(kind=kind, scope__path__startswith=path)
            found = True
    return condition if found else None


def may_read_reports(user: Any) -> bool:
    paths = roots(user)
    return paths is None or any(paths.values())


def check_may_read_reports(user: Any) -> None:
    if not may_read_reports(user):
        raise PermissionDenied(
            _(
                "Monthly analysis reports are open only to leaders, command-centre dispatchers, "
                "CPPCC agency staff and administrators."
            )
        )


def kind_of_scope(org: Organisation) -> str | None:
    if org.kind == OrgKind.GOVERNMENT:
        return ReportKind.HOTLINE
    if org.kind == OrgKind.CPPCC:
        return ReportKind.CPPCC
    return None


def report_scopes(paths: dict[str, list[str]] | None = None) -> QuerySet[Organisation]:
    """The organisations a report can be made for: the governments that have a command
    centre (the districts) and the CPPCC committees that hold proposal sessions; with
    ``paths``, those under them (plus the governments the paths name themselves)."""
    from huying.proposals.models import Session

    with_centre = Organisation.objects.filter(kind=OrgKind.COMMAND_CENTRE).values("parent_id")
    with_sessions = Session.objects.values("cppcc_id")
    hotline = Q(kind=OrgKind.GOVERNMENT, pk__in=with_centre)
    cppcc = Q(kind=OrgKind.CPPCC, pk__in=with_sessions)
    if paths is not None:
        under_hotline = Q(pk__in=[])
        for path in paths[ReportKind.HOTLINE]:
            under_hotline |= Q(path__startswith=path)
        own = Q(kind=OrgKind.GOVERNMENT, path__in=paths[ReportKind.HOTLINE])
        under_cppcc = Q(pk__in=[])
        for path in paths[ReportKind.CPPCC]:
            under_cppcc |= Q(path__startswith=path)
        hotline = (hotline & under_hotline) | own
        cppcc &= under_cppcc
    return Organisation.objects.filter(hotline | cppcc).order_by("kind", "path")


def generatable_scopes(user: Any) -> QuerySet[Organisation]:
    if not may_read_reports(user):
        return Organisation.objects.none()
    return report_scopes(roots(user))


def check_may_generate(user: Any, scope: Organisation) -> None:
    check_may_read_reports(user)
    if not generatable_scopes(user).filter(pk=scope.pk).exists():
        raise PermissionDenied(_("You may not generate a report for %(scope)s.") % {"scope": scope.name})


def case_url(user: Any, notification: Any) -> str | None:
    return reverse("reports:detail", args=[notification.case_id])

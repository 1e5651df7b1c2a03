"""Intake from the public web form (群众随手拍 / 网上诉求), grid inspectors (网格员上报) and
CPPCC members' referrals (委员转办): the rules these channels add on top of
:func:`huying.workorders.actions.do_intake`. Pages and the API call these, never
``do_intake`` directly, so that both answer the same.

Each submission carries a one-time token chosen by the client (the page generates one per
form; API clients send ``client_token``); it becomes the order's ``external_id`` on its
channel, so a retried submission returns the order created the first time instead of a
second one. A token that is replayed by someone else (another phone, another account) is
refused rather than answered with a stranger's order.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from huying.accounts.choices import Role
from huying.core import ratelimit
from huying.core.net import client_ip
from huying.core.uploads import check_upload_batch
from huying.organisations.choices import OrgKind, OrgLevel
from huying.organisations.models import Organisation
from huying.workorders import actions
from huying.workorders.actions import IntakeResult, UploadedAttachment
from huying.workorders.choices import Channel
from huying.workorders.tracking import normalise_phone

TOKEN_RE = re.compile(r"^[\w.:/-]{16,64}$")
# Who reports on the grid channel (actions.check_may_intake admits the same people).
GRID_ROLES = (Role.STREET_HANDLER, Role.UNIT_STAFF, Role.DISPATCHER)


def new_token(channel: str) -> str:
    """A fresh one-time submission token for a form, e.g. ``web-5Jd…`` (28 characters)."""
    return f"{channel}-{secrets.token_urlsafe(18)}"


def district_label(district: Organisation) -> str:
    """荔湾区 for 荔湾区人民政府: how the public names a district."""
    return (district.short_name or district.name).removesuffix("人民政府").removesuffix("政府")


def public_districts() -> list[Organisation]:
    """The districts (county-level governments) with an active command centre: where
    the public and members can send reports. One query."""
    return list(
        Organisation.objects.filter(
            kind=OrgKind.GOVERNMENT,
            level=OrgLevel.COUNTY,
            is_active=True,
            children__kind=OrgKind.COMMAND_CENTRE,
            children__is_active=True,
        )
        .distinct()
        .order_by("path")
    )


def _grid_organisations(actor: Any) -> list[Organisation]:
    return [a.organisation for a in actor.active_roles if a.role in GRID_ROLES and a.organisation is not None]


def grid_districts(actor: Any) -> list[Organisation]:
    """The districts ``actor`` may report grid orders in: those containing, or inside, the
    organisations where they hold a grid role (administrators: every public district)."""
    districts = public_districts()
    if actor.is_administrator:
        return districts
    orgs = _grid_organisations(actor)
    return [d for d in districts if any(o.path.startswith(d.path) or d.path.startswith(o.path) for o in orgs)]


def grid_place(actor: Any) -> dict[str, Organisation | None]:
    """The street and community a grid inspector works in, from their organisation: a
    community handler gets the community and its street, a street handler the street."""
    street = community = None
    for org in _grid_organisations(actor):
        if org.kind == OrgKind.COMMUNITY and community is None:
            community = org
            parent = org.parent
            if street is None and parent is not None and parent.kind == OrgKind.STREET:
                street = parent
        elif org.kind == OrgKind.STREET and street is None:
            street = org
    return {"street": street, "community": community}


def check_report_rate(request: HttpRequest) -> None:
    """Count one public report for the client's address; raise
    :class:`huying.core.ratelimit.RateLimited` past ``WORKORDERS_REPORT_LIMIT`` reports in
    ``WORKORDERS_REPORT_WINDOW_SECONDS``."""
    address = client_ip(request)
    ratelimit.check(
        "workorders-report",
        [f"ip:{address}" if address else ""],
        limit=settings.WORKORDERS_REPORT_LIMIT,
        window=settings.WORKORDERS_REPORT_WINDOW_SECONDS,
        message=_("Too many reports from your network. Please try again in %(minutes)d minutes."),
    )


def _district_value(value: Any, allowed: list[Organisation], errors: dict[str, list[str]]) -> str:
    """The district to hand to do_intake (its division code or name): the one given, if
    it is among ``allowed``; the only allowed one when none is given."""
    text = str(value or "").strip()
    if not text:
        if len(allowed) == 1:
            return allowed[0].division_code or allowed[0].name
        return ""  # do_intake names the missing district
    for district in allowed:
        if text in (district.division_code, district.name, str(district.pk), district_label(district)):
            return district.division_code or district.name
    names = "、".join(district_label(d) for d in allowed)
    errors["district"] = [_("Choose one of these districts: %(names)s.") % {"names": names or "—"}]
    return text


def _check_files(files: Sequence[UploadedAttachment], errors: dict[str, list[str]]) -> None:
    try:
        check_upload_batch(files, field="attachments")
    except ValidationError as error:
        errors["attachments"] = list(error.messages)
        return
    problems: list[str] = []
    for upload in files:
        try:
            actions.check_attachment(upload)
        except ValidationError as error:
            problems.extend(error.messages)
    if problems:
        errors["attachments"] = problems


def _same_submitter(result: IntakeResult, actor: Any, phone: str) -> bool:
    order = result.order
    if order.created_by_id is not None:
        return getattr(actor, "is_authenticated", False) and actor.pk == order.created_by_id
    return not getattr(actor, "is_authenticated", False) and order.caller_phone == phone


def _intake(
    actor: Any,
    channel: str,
    data: Mapping[str, Any],
    files: Sequence[UploadedAttachment],
    *,
    token: str,
    key_field: str,
    districts: list[Organisation],
    phone_required: bool,
) -> IntakeResult:
    actions.check_may_intake(actor, channel)
    values = {key: value for key, value in data.items() if key != "external_id"}
    errors: dict[str, list[str]] = {}
    token = (token or "").strip()
    if not TOKEN_RE.match(token):
        errors[key_field] = [_("A submission token of 16 to 64 letters, digits or . : / - _ is required.")]
    values["external_id"] = token
    phone = normalise_phone(values.get("caller_phone"))
    if phone_required and not phone:
        errors["caller_phone"] = [_("Give a phone number: you need it to track your report, and we call back on it.")]
    values["district"] = _district_value(values.get("district"), districts, errors)
    _check_files(files, errors)
    if errors:
        # Report every problem at once: the fields do_intake checks as well.
        try:
            actions.clean_intake(actor, {**values, "external_id": ""}, channel)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, []).extend(m for m in messages if m not in errors.get(field, []))
        raise ValidationError(errors)
    result = actions.do_intake(actor, values, channel, files=files)
    if not result.created and not _same_submitter(result, actor, phone):
        raise ValidationError(
            {key_field: _("This submission token was already used for another report; use a new one.")}
        )
    return result


def do_report(
    actor: Any, data: Mapping[str, Any], files: Sequence[UploadedAttachment] = (), *, token: str, key_field: str
) -> IntakeResult:
    """A report through the public web form (channel ``web``): anyone, logged in or not.

    The caller's phone is required (it is how they track the report and how the command
    centre calls back); ``anonymous`` hides their name from everyone but administrators.
    The district must have a command centre (the only one is taken when none is given).
    Photos or PDFs within the per-request upload limits (``huying.core.uploads``), each
    checked by its first bytes.
    Idempotent on ``token``. Raises ValidationError naming every field at fault (files as
    ``attachments``); then nothing is saved."""
    return _intake(
        actor,
        Channel.WEB,
        data,
        files,
        token=token,
        key_field=key_field,
        districts=public_districts(),
        phone_required=True,
    )


def do_grid_report(
    actor: Any, data: Mapping[str, Any], files: Sequence[UploadedAttachment] = (), *, token: str, key_field: str
) -> IntakeResult:
    """A grid inspector's report (channel ``grid``): street and community handlers, unit
    staff and dispatchers (``check_may_intake``), in a district that contains or lies
    inside their organisation. Without a street or community, the person's own are used;
    without a caller, the inspector is the caller (name and mobile from their profile)."""
    actions.check_may_intake(actor, Channel.GRID)
    values = dict(data)
    if not values.get("street") and not values.get("community"):
        place = grid_place(actor)
        values["street"] = place["street"].pk if place["street"] else ""
        values["community"] = place["community"].pk if place["community"] else ""
    _default_caller(actor, values)
    return _intake(
        actor,
        Channel.GRID,
        values,
        files,
        token=token,
        key_field=key_field,
        districts=grid_districts(actor),
        phone_required=False,
    )


def do_member_referral(
    actor: Any, data: Mapping[str, Any], files: Sequence[UploadedAttachment] = (), *, token: str, key_field: str
) -> IntakeResult:
    """A CPPCC member's referral of a citizen's problem (channel ``member``): members (and
    dispatchers, ``check_may_intake``), to any district with a command centre. The caller
    is the citizen when named, otherwise the member (name and mobile from their profile)."""
    actions.check_may_intake(actor, Channel.MEMBER)
    values = dict(data)
    _default_caller(actor, values)
    return _intake(
        actor,
        Channel.MEMBER,
        values,
        files,
        token=token,
        key_field=key_field,
        districts=public_districts(),
        phone_required=False,
    )


def _default_caller(actor: Any, values: dict[str, Any]) -> None:
    if not str(values.get("caller_name") or "").strip() and not str(values.get("caller_phone") or "").strip():
        values["caller_name"] = getattr(actor, "real_name", "") or ""
        values["caller_phone"] = getattr(actor, "mobile", "") or ""

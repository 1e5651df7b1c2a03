"""Activities made through the real actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from huying.activities import actions
from huying.activities.choices import ActivityKind, InvitationMode
from huying.activities.models import Activity
from huying.activities.tests.people import START


def make_activity(
    staff: Any,
    organiser: Any,
    *,
    publish: bool = True,
    starts_at: dt.datetime = START,
    mode: str = InvitationMode.INVITED,
    **extra: Any,
) -> Activity:
    values: dict[str, Any] = {
        "kind": ActivityKind.INSPECTION,
        "title": "视察广州港南沙港区",
        "place": "南沙港区码头",
        "starts_at": starts_at,
        "ends_at": starts_at + dt.timedelta(hours=3),
        "mode": mode,
    }
    if mode == InvitationMode.OPEN:
        values["signup_deadline"] = starts_at - dt.timedelta(days=1)
    values.update(extra)
    activity = actions.do_create_activity(staff, organiser=organiser, **values)
    if publish:
        actions.do_publish(staff, activity)
        activity.refresh_from_db()
    return activity

"""What the activities record in the members' duty records (我的履职), through the one
registration call of :mod:`huying.duty.acts`.

Kinds: ``activity.attended`` (qualifier: the activity's kind), ``activity.leave`` (absent
with approved leave), ``activity.absent`` (absent without leave). The source of every entry
is the activity. Recorded when the activity finishes, and again when staff correct an
outcome afterwards: the old kind is retracted and the new one recorded, in the same
transaction. Both calls are idempotent, so finishing twice or correcting back and forth
never counts an act twice.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from huying.activities.choices import ActivityKind, ParticipationStatus

ATTENDED = "activity.attended"
LEAVE = "activity.leave"
ABSENT = "activity.absent"
KIND_OF_OUTCOME: dict[str, str] = {
    ParticipationStatus.ATTENDED: ATTENDED,
    ParticipationStatus.EXCUSED: LEAVE,
    ParticipationStatus.ABSENT: ABSENT,
}


def register() -> None:
    from huying.duty.acts import ActKind, register_kind

    register_kind(ActKind(ATTENDED, _("Attended an activity"), group="activity", qualifiers=dict(ActivityKind.choices)))
    register_kind(ActKind(LEAVE, _("Absent from an activity with leave"), group="activity"))
    register_kind(ActKind(ABSENT, _("Absent from an activity without leave"), group="activity"))


def record_outcome(participation: Any) -> None:
    """Make the member's entries about this activity match the participant's outcome:
    retract the other activity kinds, record the one that applies (if any)."""
    from huying.duty import acts

    activity = participation.activity
    member = participation.member
    wanted = KIND_OF_OUTCOME.get(participation.status)
    for key in (ATTENDED, LEAVE, ABSENT):
        if key != wanted:
            acts.retract(member, key, source=activity)
    if wanted is None:
        return
    acts.record(
        member,
        wanted,
        source=activity,
        occurred_at=activity.starts_at,
        qualifier=activity.kind if wanted == ATTENDED else "",
        title=activity.title,
    )


def backfill() -> int:
    """Record the outcomes of every finished activity that the record lacks (``manage.py
    duty_rebuild``; idempotent). Answers how many activities were read."""
    from huying.activities.choices import ActivityStatus
    from huying.activities.models import Activity
    from huying.duty import acts

    count = 0
    for activity in Activity.objects.filter(status=ActivityStatus.FINISHED).order_by("pk").iterator(chunk_size=200):
        count += 1
        for participation in activity.participations.filter(status__in=list(KIND_OF_OUTCOME)).select_related("member"):
            key = KIND_OF_OUTCOME[participation.status]
            acts.record(
                participation.member,
                key,
                source=activity,
                occurred_at=activity.starts_at,
                qualifier=activity.kind if key == ATTENDED else "",
                title=activity.title,
            )
    return count

"""(Re)create the duty record of existing objects: every module's registered backfill,
then the points ledger recomputed from the rules table."""

from __future__ import annotations

from huying.duty.acts import backfills
from huying.duty.models import DutyEntry
from huying.duty.points import recompute


def rebuild() -> dict[str, int]:
    counts = {name: backfill() for name, backfill in sorted(backfills().items())}
    recompute()
    counts["entries"] = DutyEntry.objects.count()
    return counts

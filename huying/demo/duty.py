"""The demo's duty record (我的履职): nothing is written into the ledger here.

The demo's proposals (and the opinion reports and activities of their own demo modules)
record their members' acts through ``huying.duty.acts.record`` as the demo runs the real
actions. This step adds one real act for the demo member — the proposals committee's staff
make one of ``weiyuan``'s filed proposals a key proposal (``do_mark_key``), which records
``proposal.key`` through the proposals' hook — then runs the modules' registered backfills
(``manage.py duty_rebuild``: a demo database loaded before the duty record existed gets its
entries too) and recomputes the points from the rules table (seeded by the duty app's
migration). Idempotent."""

from __future__ import annotations

from django.utils import timezone

from huying.duty.rebuild import rebuild


def _key_proposal_for_weiyuan() -> int:
    from huying.accounts.models import User
    from huying.demo.logins import DEMO_MEMBER_COMMITTEE
    from huying.organisations.models import Organisation
    from huying.proposals.actions import handling
    from huying.proposals.choices import ProposalStatus
    from huying.proposals.models import Proposal

    member = User.objects.filter(username="weiyuan").first()
    staff = User.objects.filter(username="jiguan").first()
    if member is None or staff is None:
        return 0
    filed = Proposal.objects.filter(proposer=member, status=ProposalStatus.FILED).order_by("pk")
    if not filed.exists() or filed.filter(is_key=True).exists():
        return 0
    committee = Organisation.objects.filter(name=DEMO_MEMBER_COMMITTEE, parent__name="广东省政协").first()
    if committee is None:
        return 0
    handling.do_mark_key(
        staff,
        filed[0],
        is_key=True,
        committee=committee,
        note="列为年度重点提案，由提案委员会督办。",
        now=timezone.now(),
    )
    return 1


def load_duty_demo() -> dict[str, int]:
    marked = _key_proposal_for_weiyuan()
    counts = rebuild()
    return {"duty record entries": counts["entries"], "key proposals marked for weiyuan": marked}

"""Every write of the proposals app, one module a concern; views, the API, the demo loader
and tests import them from here:

- :mod:`.drafts` — sessions, drafts, co-signing, submission, review and filing;
- :mod:`.handling` — the proposal's own handling steps on the shared engine (assigning
  with a handling mode, contact, co-handling views, replies, review, rating, key
  proposals, publication);
- attachments (:mod:`huying.proposals.attachments`) and excellent-proposal awards
  (:mod:`huying.proposals.awards`), re-exported.

Every status is written by :mod:`huying.proposals.transitions`.
"""

from huying.proposals.actions.drafts import (
    DraftResult,
    access_proposal,
    check_submittable,
    do_convert,
    do_create_session,
    do_file,
    do_invite_cosigner,
    do_merge,
    do_record_stats_export,
    do_reject,
    do_respond_cosign,
    do_save_and_submit,
    do_save_draft,
    do_submit,
    do_withdraw,
    format_warnings,
    is_member_of,
)
from huying.proposals.actions.handling import (
    do_assign,
    do_mark_key,
    do_object_publication,
    do_publish,
    do_rate,
    do_record_contact,
    do_restrict_publication,
    do_review_reply,
    do_submit_co_view,
    do_submit_reply,
)
from huying.proposals.attachments import do_add_attachment, do_remove_attachment
from huying.proposals.awards import (
    do_decide_nomination,
    do_nominate_for_award,
    do_open_award_selection,
    do_publish_awards,
)

__all__ = [
    "DraftResult",
    "access_proposal",
    "check_submittable",
    "do_add_attachment",
    "do_assign",
    "do_convert",
    "do_create_session",
    "do_decide_nomination",
    "do_file",
    "do_invite_cosigner",
    "do_mark_key",
    "do_merge",
    "do_nominate_for_award",
    "do_object_publication",
    "do_open_award_selection",
    "do_publish",
    "do_publish_awards",
    "do_rate",
    "do_record_contact",
    "do_record_stats_export",
    "do_reject",
    "do_remove_attachment",
    "do_respond_cosign",
    "do_restrict_publication",
    "do_review_reply",
    "do_save_and_submit",
    "do_save_draft",
    "do_submit",
    "do_submit_co_view",
    "do_submit_reply",
    "do_withdraw",
    "format_warnings",
    "is_member_of",
]

"""A debate's results as an XLSX workbook: the tally and the published arguments."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from huying.interaction.choices import Side
from huying.interaction.models import Argument, Debate
from huying.moderation.choices import ItemStatus


def debate_xlsx(debate: Debate) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Tally")
    sheet.append([_("Question"), debate.question])
    sheet.append([_("Status"), debate.get_status_display()])
    sheet.append([_("Side"), _("Votes"), _("Share (%)")])
    for side in Side.values:
        votes = debate.votes_a if side == Side.A else debate.votes_b
        sheet.append([debate.side_label(side), votes, debate.share(side) or 0])
    sheet.append([_("Total"), debate.total_votes])
    args = book.create_sheet(_("Arguments"))
    args.append([_("Side"), _("Argument"), _("Likes"), _("Posted at")])
    rows = Argument.objects.filter(debate=debate, moderation__status=ItemStatus.PUBLISHED).order_by(
        "side", "-like_count"
    )
    for a in rows.iterator():
        args.append([debate.side_label(a.side), a.body, a.like_count, a.created_at.strftime("%Y-%m-%d %H:%M")])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

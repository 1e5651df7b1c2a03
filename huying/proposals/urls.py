from django.urls import path

from huying.proposals.views import attachments, awards, drafts, handling, stats

app_name = "proposals"

urlpatterns = [
    path("", drafts.mine, name="mine"),
    path("new/", drafts.edit, name="new"),
    path("similar/", drafts.similar, name="similar"),
    path("members/", drafts.member_search, name="member_search"),
    path("review/", drafts.queue, name="queue"),
    path("stats/", stats.index, name="stats"),
    path("stats/export.xlsx", stats.export, name="stats_export"),
    path("awards/", awards.index, name="awards"),
    path("awards/open/", awards.open_selection, name="award_open"),
    path("awards/<int:pk>/", awards.detail, name="award_detail"),
    path("awards/<int:pk>/act/<str:verb>/", awards.act, name="award_act"),
    path("<int:pk>/", drafts.detail, name="detail"),
    path("<int:pk>/edit/", drafts.edit, name="edit"),
    path("<int:pk>/attachments/", attachments.add, name="attachment_add"),
    path("attachments/<int:pk>/", attachments.download, name="attachment"),
    path("attachments/<int:pk>/remove/", attachments.remove, name="attachment_remove"),
    path("<int:pk>/act/<str:verb>/", drafts.act, name="act"),
    # Handling (交办 → 办理 → 答复 → 测评), supervision and publication.
    path("<int:pk>/handle/<str:verb>/", handling.handle, name="handle"),
    path("inbox/", handling.inbox, name="inbox"),
    path("inbox/<int:pk>/", handling.inbox_detail, name="inbox_detail"),
    path("inbox/<int:pk>/act/<str:verb>/", handling.inbox_act, name="inbox_act"),
    path("supervision/", handling.board, name="board"),
    path("key/", handling.key, name="key"),
    path("replies/<int:pk>/document/", handling.reply_document, name="reply_document"),
    path("public/", handling.public_list, name="public"),
    path("public/<int:pk>/", handling.public_detail, name="public_detail"),
]

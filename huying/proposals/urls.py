from django.urls import path

from huying.proposals import views, views_attachments, views_awards, views_handling, views_stats

app_name = "proposals"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("new/", views.edit, name="new"),
    path("similar/", views.similar, name="similar"),
    path("members/", views.member_search, name="member_search"),
    path("review/", views.queue, name="queue"),
    path("stats/", views_stats.index, name="stats"),
    path("stats/export.xlsx", views_stats.export, name="stats_export"),
    path("awards/", views_awards.index, name="awards"),
    path("awards/open/", views_awards.open_selection, name="award_open"),
    path("awards/<int:pk>/", views_awards.detail, name="award_detail"),
    path("awards/<int:pk>/act/<str:verb>/", views_awards.act, name="award_act"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/attachments/", views_attachments.add, name="attachment_add"),
    path("attachments/<int:pk>/", views_attachments.download, name="attachment"),
    path("attachments/<int:pk>/remove/", views_attachments.remove, name="attachment_remove"),
    path("<int:pk>/act/<str:verb>/", views.act, name="act"),
    # Handling (交办 → 办理 → 答复 → 测评), supervision and publication.
    path("<int:pk>/handle/<str:verb>/", views_handling.handle, name="handle"),
    path("inbox/", views_handling.inbox, name="inbox"),
    path("inbox/<int:pk>/", views_handling.inbox_detail, name="inbox_detail"),
    path("inbox/<int:pk>/act/<str:verb>/", views_handling.inbox_act, name="inbox_act"),
    path("supervision/", views_handling.board, name="board"),
    path("key/", views_handling.key, name="key"),
    path("replies/<int:pk>/document/", views_handling.reply_document, name="reply_document"),
    path("public/", views_handling.public_list, name="public"),
    path("public/<int:pk>/", views_handling.public_detail, name="public_detail"),
]

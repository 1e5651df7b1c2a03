from django.urls import path

from huying.opinions import views

app_name = "opinions"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("new/", views.edit, name="new"),
    path("similar/", views.similar, name="similar"),
    path("desk/", views.queue, name="queue"),
    path("desk/merge/", views.merge, name="merge"),
    path("issues/", views.issues, name="issues"),
    path("issues/new/", views.issue_new, name="issue_new"),
    path("issues/<int:pk>/", views.issue_detail, name="issue_detail"),
    path("issues/<int:pk>/pdf/", views.issue_pdf, name="issue_pdf"),
    path("instructions/proposals/", views.proposal_instruction, name="proposal_instruction"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/act/<str:verb>/", views.act, name="act"),
    path("edits/<int:pk>/answer/", views.answer_edit, name="answer_edit"),
]

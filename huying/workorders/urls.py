from django.urls import path

from huying.workorders import views

app_name = "workorders"

urlpatterns = [
    path("console/", views.console, name="console"),
    path("console/new/", views.console_new, name="console_new"),
    path("console/<int:pk>/", views.console_detail, name="console_detail"),
    path("console/<int:pk>/<str:verb>/", views.console_act, name="console_act"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/", views.inbox_detail, name="inbox_detail"),
    path("inbox/<int:pk>/<str:verb>/", views.inbox_act, name="inbox_act"),
]

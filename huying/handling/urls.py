from django.urls import path

from huying.handling import views

app_name = "handling"

urlpatterns = [
    # The notification centre (消息中心).
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/badge/", views.badge, name="notification_badge"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
    # The shared inbox (待办) of every workflow and its one form target for the generic steps.
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/<str:step>/", views.act, name="act"),
]

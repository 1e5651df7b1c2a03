from django.urls import path

from huying.handling import views

app_name = "handling"

# The notification centre (消息中心).
urlpatterns = [
    path("", views.notification_list, name="notifications"),
    path("badge/", views.badge, name="notification_badge"),
    path("read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("<int:pk>/open/", views.notification_open, name="notification_open"),
]

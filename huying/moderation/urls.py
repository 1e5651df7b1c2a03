from django.urls import path

from huying.moderation import views

app_name = "moderation"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("items/<int:pk>/", views.open_item, name="open"),
    path("items/<int:pk>/decide/", views.decide, name="decide"),
    path("items/<int:pk>/report/", views.report, name="report"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/words/<int:pk>/remove/", views.remove_word, name="remove_word"),
]

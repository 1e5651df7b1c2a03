from django.urls import path

from huying.consultations import views

app_name = "consultations"

urlpatterns = [
    path("", views.consultation_list, name="list"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/live.json", views.live_json, name="live"),
    path("<int:pk>/speak/", views.speak, name="speak"),
    path("speeches/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("console/", views.console, name="console"),
    path("console/new/", views.edit, name="new"),
    path("console/<int:pk>/", views.manage, name="manage"),
    path("console/<int:pk>/edit/", views.edit, name="edit"),
    path("console/<int:pk>/<str:step>/", views.manage_step, name="step"),
    path("answer/<int:pk>/", views.answer, name="answer"),
]

from django.urls import path

from huying.cockpit import views

app_name = "cockpit"

urlpatterns = [
    path("", views.page, name="page"),
    path("screen/", views.screen, name="screen"),
    path("data.json", views.data_json, name="data"),
]

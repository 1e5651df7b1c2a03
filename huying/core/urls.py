from django.urls import path

from huying.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    *[
        path(f"{key}/", views.area, {"area_key": key}, name=key)
        for key in ("duty", "consult", "interact", "news", "thinktank", "public", "console", "dashboard")
    ],
]

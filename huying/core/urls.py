from django.urls import path

from huying.core import health, views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.health, name="health"),
    path("demo-progress", views.demo_progress_bar, name="demo_progress"),
    *[
        path(f"{key}/", views.area, {"area_key": key}, name=key)
        for key in ("duty", "consult", "interact", "news", "thinktank", "public", "console", "dashboard")
    ],
]

from django.urls import path

from huying.insight import views

app_name = "insight"

urlpatterns = [
    path("topics/", views.topics_page, name="topics"),
]

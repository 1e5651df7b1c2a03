from django.urls import path

from huying.insight import views

app_name = "insight"

urlpatterns = [
    path("topics/", views.topics_page, name="topics"),
    path("topics/<int:pk>/", views.topic_page, name="topic"),
    path("topics/<int:pk>/draft/", views.start_draft, name="start_draft"),
    path("topics/<int:pk>/lead/", views.assign_lead, name="assign_lead"),
]

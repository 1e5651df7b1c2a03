from django.urls import path

from huying.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("export.<str:file_format>", views.export, name="export"),
]

from django.urls import path

from huying.organisations import views

app_name = "organisations"

urlpatterns = [
    path("", views.index, name="index"),
    path("sectors/", views.sectors, name="sectors"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/children/", views.children, name="children"),
    path("<int:pk>/children/new/", views.create_child, name="create_child"),
    path("<int:pk>/move/", views.move, name="move"),
]

from django.urls import path

from huying.activities import views

app_name = "activities"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("manage/", views.manage, name="manage"),
    path("new/", views.edit, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/act/<str:verb>/", views.act, name="act"),
    path("<int:pk>/roster/", views.roster, name="roster"),
    path("<int:pk>/roster.xlsx", views.roster_export, name="roster_export"),
    path("<int:pk>/qr/", views.qr_page, name="qr"),
    path("<int:pk>/checkin/<str:token>/", views.checkin, name="checkin"),
    path("photos/<int:pk>/", views.photo, name="photo"),
]

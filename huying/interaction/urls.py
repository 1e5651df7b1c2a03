from django.urls import path

from huying.interaction import views

app_name = "interaction"
urlpatterns = [
    path("suggestions/", views.suggestions, name="suggestions"),
    path("suggestions/new/", views.submit_suggestion, name="submit_suggestion"),
    path("suggestions/mine/", views.my_suggestions, name="my_suggestions"),
    path("suggestions/<int:pk>/", views.suggestion, name="suggestion"),
    path("suggestions/<int:pk>/follow/", views.follow, name="follow"),
    path("suggestions/adopt/", views.adopt, name="adopt"),
    path("suggestions/photos/<int:pk>/", views.photo, name="photo"),
    path("debates/", views.debates, name="debates"),
    path("debates/<int:pk>/", views.debate, name="debate"),
    path("debates/<int:pk>/vote/", views.vote, name="vote"),
    path("debates/<int:pk>/argue/", views.argue, name="argue"),
    path("debates/arguments/<int:pk>/like/", views.like, name="like"),
    path("debates/manage/", views.manage_debates, name="manage_debates"),
    path("debates/<int:pk>/move/", views.move_debate, name="move_debate"),
    path("debates/<int:pk>/export.xlsx", views.export_debate, name="export_debate"),
]

from django.urls import path

from huying.groups import views

app_name = "groups"
urlpatterns = [
    path("", views.group_list, name="list"),
    path("manage/", views.manage, name="manage"),
    path("<int:pk>/", views.group, name="group"),
    path("<int:pk>/threads/new/", views.new_thread, name="new_thread"),
    path("<int:pk>/people/", views.people, name="people"),
    path("<int:pk>/people/remove/", views.remove_person, name="remove_person"),
    path("<int:pk>/move/", views.move, name="move"),
    path("<int:pk>/stats/", views.stats, name="stats"),
    path("threads/<int:pk>/", views.thread, name="thread"),
    path("threads/<int:pk>/reply/", views.reply, name="reply"),
    path("threads/<int:pk>/pin/", views.pin, name="pin"),
    path("posts/<int:pk>/mark/", views.mark, name="mark"),
    path("posts/<int:pk>/remove/", views.remove_post, name="remove_post"),
    path("posts/<int:pk>/convert/", views.convert, name="convert"),
]

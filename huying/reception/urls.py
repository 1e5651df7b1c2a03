from django.urls import path

from huying.reception import views

app_name = "reception"
urlpatterns = [
    path("", views.sessions, name="sessions"),
    path("<int:pk>/", views.session, name="session"),
    path("<int:pk>/ask/", views.ask, name="ask"),
    path("<int:pk>/console/", views.console, name="console"),
    path("<int:pk>/move/", views.move, name="move"),
    path("<int:pk>/convert/", views.convert, name="convert"),
    path("questions/<int:pk>/answer/", views.answer, name="answer"),
    path("questions/<int:pk>/adopt/", views.adopt, name="adopt"),
    path("questions/<int:pk>/hide/", views.hide, name="hide"),
    path("questions/mine/", views.my_questions, name="my_questions"),
    path("mine/", views.mine, name="mine"),
    path("manage/", views.manage, name="manage"),
]

from django.urls import path

from huying.columns import views

app_name = "columns"
urlpatterns = [
    path("", views.index, name="index"),
    path("console/", views.console, name="console"),
    path("console/new/", views.edit, name="new"),
    path("console/<int:pk>/", views.manage, name="manage"),
    path("console/<int:pk>/edit/", views.edit, name="edit"),
    path("console/<int:pk>/move/<str:step>/", views.move, name="move"),
    path("console/<int:pk>/cover/", views.cover_upload, name="cover_upload"),
    path("console/<int:pk>/tag/", views.tag, name="tag"),
    path("console/<int:pk>/untag/", views.untag, name="untag"),
    path("console/<int:pk>/articles/new/", views.article_edit, name="article_new"),
    path("console/articles/<int:article>/edit/", views.article_edit, name="article_edit"),
    path("console/articles/<int:article>/delete/", views.article_delete, name="article_delete"),
    path("covers/<int:pk>/", views.cover, name="cover"),
    path("articles/<int:pk>/", views.article, name="article"),
    path("<slug:slug>/", views.column, name="column"),
    path("<slug:slug>/articles/", views.articles, name="articles"),
    path("<slug:slug>/items/<str:source>/", views.source_items, name="items"),
]

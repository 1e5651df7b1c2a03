from django.urls import path

from huying.workorders import views, views_dashboard

app_name = "workorders"

urlpatterns = [
    path("console/", views.console, name="console"),
    path("console/new/", views.console_new, name="console_new"),
    path("console/<int:pk>/", views.console_detail, name="console_detail"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/", views.inbox_detail, name="inbox_detail"),
    path("inbox/<int:pk>/<str:verb>/", views.inbox_act, name="inbox_act"),
    # Figures and exports (views_dashboard.py).
    path("dashboard/", views_dashboard.dashboard, name="dashboard"),
    path("stats/", views_dashboard.stats_page, name="stats"),
    path("stats/export.xlsx", views_dashboard.stats_export, name="stats_export"),
    path("stats/red-black/", views_dashboard.red_black_page, name="red_black"),
    path("stats/red-black/export.xlsx", views_dashboard.red_black_export, name="red_black_export"),
    path("console/export.xlsx", views_dashboard.console_export, name="console_export"),
    path("inbox/export.xlsx", views_dashboard.inbox_export, name="inbox_export"),
]

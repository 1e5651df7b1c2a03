from django.urls import path

from huying.workorders import views, views_dashboard, views_public

app_name = "workorders"

urlpatterns = [
    path("console/", views.console, name="console"),
    path("console/new/", views.console_new, name="console_new"),
    path("console/<int:pk>/", views.console_detail, name="console_detail"),
    path("console/<int:pk>/<str:verb>/", views.console_act, name="console_act"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/", views.inbox_detail, name="inbox_detail"),
    path("inbox/<int:pk>/<str:verb>/", views.inbox_act, name="inbox_act"),
    # Intake pages outside the console and the public tracking page (views_public.py).
    path("report/", views_public.report, name="report"),
    path("report/done/", views_public.report_done, name="report_done"),
    path("grid/", views_public.grid_report, name="grid_report"),
    path("referral/", views_public.member_referral, name="member_referral"),
    path("track/", views_public.track, name="track"),
    path("mine/", views_public.my_reports, name="my_reports"),
    path("track/<str:number>/", views_public.track_detail, name="track_detail"),
    path("track/<str:number>/rate/", views_public.track_rate, name="track_rate"),
    # Figures and exports (views_dashboard.py).
    path("dashboard/", views_dashboard.dashboard, name="dashboard"),
    path("stats/", views_dashboard.stats_page, name="stats"),
    path("stats/export.xlsx", views_dashboard.stats_export, name="stats_export"),
    path("stats/red-black/", views_dashboard.red_black_page, name="red_black"),
    path("stats/red-black/export.xlsx", views_dashboard.red_black_export, name="red_black_export"),
    path("console/export.xlsx", views_dashboard.console_export, name="console_export"),
    path("inbox/export.xlsx", views_dashboard.inbox_export, name="inbox_export"),
]

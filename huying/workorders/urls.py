from django.urls import path

from huying.workorders.views import console, dashboard, public

app_name = "workorders"

urlpatterns = [
    path("console/", console.console, name="console"),
    path("console/new/", console.console_new, name="console_new"),
    path("console/<int:pk>/", console.console_detail, name="console_detail"),
    path("console/<int:pk>/<str:verb>/", console.console_act, name="console_act"),
    path("attachments/<int:pk>/", console.attachment, name="attachment"),
    path("inbox/", console.inbox, name="inbox"),
    path("inbox/<int:pk>/", console.inbox_detail, name="inbox_detail"),
    path("inbox/<int:pk>/<str:verb>/", console.inbox_act, name="inbox_act"),
    # Intake pages outside the console and the public tracking page (public.py).
    path("report/", public.report, name="report"),
    path("report/done/", public.report_done, name="report_done"),
    path("grid/", public.grid_report, name="grid_report"),
    path("referral/", public.member_referral, name="member_referral"),
    path("track/", public.track, name="track"),
    path("mine/", public.my_reports, name="my_reports"),
    path("track/<str:number>/", public.track_detail, name="track_detail"),
    path("track/<str:number>/rate/", public.track_rate, name="track_rate"),
    # Figures and exports (dashboard.py).
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("stats/", dashboard.stats_page, name="stats"),
    path("stats/export.xlsx", dashboard.stats_export, name="stats_export"),
    path("stats/red-black/", dashboard.red_black_page, name="red_black"),
    path("stats/red-black/export.xlsx", dashboard.red_black_export, name="red_black_export"),
    path("console/export.xlsx", dashboard.console_export, name="console_export"),
    path("inbox/export.xlsx", dashboard.inbox_export, name="inbox_export"),
]

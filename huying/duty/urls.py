from django.urls import path

from huying.duty import views

app_name = "duty"

urlpatterns = [
    path("", views.record, name="mine"),
    path("ledger/", views.ledger, name="ledger"),
    path("ledger/<int:year>/", views.ledger, name="ledger_year"),
    path("report/<int:year>/", views.report, name="report"),
    path("report/<int:year>.pdf", views.report_pdf, name="report_pdf"),
    path("members/<int:pk>/", views.record, name="member"),
    path("members/<int:pk>/ledger/<int:year>/", views.ledger, name="member_ledger"),
    path("members/<int:pk>/report/<int:year>/", views.report, name="member_report"),
    path("members/<int:pk>/report/<int:year>.pdf", views.report_pdf, name="member_report_pdf"),
    path("rankings/", views.rankings, name="rankings"),
    path("rankings/export.xlsx", views.rankings_export, name="rankings_export"),
    path("rules/", views.rules, name="rules"),
    path("rules/<int:pk>/", views.rules, name="rule"),
    path("rules/<int:pk>/delete/", views.rule_delete, name="rule_delete"),
]

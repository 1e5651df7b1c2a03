"""The demo's monthly analysis reports: the previous month's and the current month to
date, for every scope (the districts with a command centre, the CPPCC committees with
proposal sessions), made through the real action. Idempotent: existing reports are kept
and no one is notified twice."""

from __future__ import annotations

from django.utils import timezone


def load_report_demo() -> dict[str, int]:
    from huying.reports import access
    from huying.reports.actions import do_generate_report
    from huying.reports.figures import Period, previous_month

    today = timezone.localdate()
    periods = [previous_month(today), Period(today.replace(day=1), today)]
    made = 0
    for scope in access.report_scopes():
        for period in periods:
            made += do_generate_report(None, scope, period, replace=False).generated
    return {"monthly reports": made}

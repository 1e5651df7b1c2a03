"""``manage.py monthly_report [--period 2026-11] [--scope ORG] [--start D --end D] [--replace]``

Without options: the previous month's report of every scope that has none yet (what the
monthly task does). ``--scope`` takes an organisation's id or exact name. Idempotent unless
``--replace``: an existing report is kept and no one is notified again."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from huying.organisations.models import Organisation
from huying.reports import access
from huying.reports.actions import do_generate_report
from huying.reports.figures import parse_period


class Command(BaseCommand):
    help = "Generate the monthly analysis reports (default: the previous month, every scope)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", help="A month, YYYY-MM (default: the previous month).")
        parser.add_argument("--start", help="First day, YYYY-MM-DD (with --end).")
        parser.add_argument("--end", help="Last day, YYYY-MM-DD (with --start).")
        parser.add_argument("--scope", help="Organisation id or exact name (default: every scope).")
        parser.add_argument("--replace", action="store_true", help="Make existing reports again.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = parse_period(month=options["period"], start=options["start"], end=options["end"])
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from None
        scopes = list(access.report_scopes())
        if options["scope"]:
            value = options["scope"]
            found = (
                Organisation.objects.filter(pk=int(value))
                if value.isdigit()
                else Organisation.objects.filter(name=value)
            )
            scope = found.first()
            if scope is None or access.kind_of_scope(scope) is None:
                raise CommandError(f"No government or CPPCC committee {value!r}.")
            scopes = [scope]
        for scope in scopes:
            result = do_generate_report(None, scope, period, replace=options["replace"])
            state = "generated" if result.generated else "exists"
            self.stdout.write(f"{state}: {result.report.title} (v{result.report.version}, {result.notified} notified)")

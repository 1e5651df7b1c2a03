"""Maintain the holiday calendar from the command line.

manage.py handling_calendar show 2027
manage.py handling_calendar set 2027-02-05 2027-02-11 holiday --name 春节
manage.py handling_calendar set 2027-02-14 workday --name 春节调休
manage.py handling_calendar remove 2027-02-14
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from huying.handling.actions import do_delete_calendar_day, do_set_calendar_days
from huying.handling.choices import DayKind
from huying.handling.models import CalendarDay


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date in the form YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = "Show, set or remove holidays and make-up working days of the working-time calendar."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="command", required=True)
        show = sub.add_parser("show", help="List the entries of a year.")
        show.add_argument("year", type=int)
        set_ = sub.add_parser("set", help="Mark FIRST [LAST] as holiday or workday.")
        set_.add_argument("first")
        set_.add_argument("rest", nargs="+", metavar="[LAST] KIND")
        set_.add_argument("--name", default="")
        remove = sub.add_parser("remove", help="Remove the entry of a day.")
        remove.add_argument("day")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["command"] == "show":
                for day in CalendarDay.objects.filter(date__year=options["year"]):
                    self.stdout.write(f"{day.date:%Y-%m-%d} {day.date:%a} {day.kind:8} {day.name}")
            elif options["command"] == "set":
                rest = options["rest"]
                if len(rest) > 2 or rest[-1] not in DayKind.values:
                    raise CommandError(f"Usage: set FIRST [LAST] {{{'|'.join(DayKind.values)}}} [--name NAME]")
                first = _date(options["first"])
                last = _date(rest[0]) if len(rest) == 2 else first
                days = do_set_calendar_days(None, first, last, rest[-1], options["name"])
                self.stdout.write(f"set {len(days)} day(s) to {rest[-1]}")
            else:
                do_delete_calendar_day(None, _date(options["day"]))
                self.stdout.write("removed")
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None

"""Create an Open311 API key (a huying API token) for an existing user and print it once."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from huying.accounts.actions import do_create_api_token
from huying.accounts.models import User
from huying.workorders.models import dispatcher_districts


class Command(BaseCommand):
    help = "Create an Open311 API key for an existing dispatcher or administrator and print it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True, help="The user the key acts as (e.g. diaodu).")
        parser.add_argument("--name", required=True, help="The client's name, e.g. demo.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(_("There is no user “%(username)s”.") % {"username": options["username"]})
        if not user.is_active or not (user.is_administrator or dispatcher_districts(user)):
            raise CommandError(
                _("%(username)s may not submit work orders: Open311 keys are for dispatchers and administrators.")
                % {"username": user.username}
            )
        try:
            _token, secret = do_create_api_token(None, user, options["name"])
        except ValidationError as problem:
            raise CommandError(" ".join(problem.messages)) from problem
        self.stdout.write(f"api_key: {secret}")

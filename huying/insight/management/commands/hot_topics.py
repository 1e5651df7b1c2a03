"""``manage.py hot_topics``: the hot-topics engine over a file of exported messages.

Needs no database: no model is read or written and no migration has to be applied.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from huying.insight.topics import find_topics
from huying.insight.topics.files import Columns, InputError, read_messages, write_topics


class Command(BaseCommand):
    help = "Find the hot topics in a CSV or XLSX file of citizen messages and write them as CSV, best first."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", required=True, help="CSV (UTF-8 or GBK) or .xlsx file of messages")
        parser.add_argument("--id-column", required=True)
        parser.add_argument("--text-column", required=True)
        parser.add_argument("--subject-column")
        parser.add_argument("--time-column")
        parser.add_argument("--likes-column")
        parser.add_argument("--dislikes-column")
        parser.add_argument("--author-column", help="who wrote it: distinct authors count as distinct people")
        parser.add_argument("--top", type=int, default=20, help="how many topics to write (default 20)")
        parser.add_argument("--output", required=True, help="the CSV file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["top"] < 1:
            raise CommandError(_("--top must be at least 1."))
        output = Path(options["output"])
        if not output.resolve().parent.is_dir():
            raise CommandError(_("The output folder does not exist: %(path)s") % {"path": output.parent})
        columns = Columns(
            id=options["id_column"],
            text=options["text_column"],
            subject=options["subject_column"],
            time=options["time_column"],
            likes=options["likes_column"],
            dislikes=options["dislikes_column"],
            author=options["author_column"],
        )
        started = time.perf_counter()
        try:
            messages = read_messages(Path(options["file"]), columns)
        except InputError as error:
            reason = _(error.template) % error.params
            raise CommandError(_("Cannot read the messages: %(reason)s") % {"reason": reason}) from error
        topics = find_topics(messages)[: options["top"]]
        write_topics(output, topics)
        seconds = time.perf_counter() - started
        self.stdout.write(
            _("%(topics)d topics from %(messages)d messages written to %(path)s in %(seconds).1f s.")
            % {"topics": len(topics), "messages": len(messages), "path": output, "seconds": seconds}
        )

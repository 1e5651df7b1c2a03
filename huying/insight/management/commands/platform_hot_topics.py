"""``manage.py platform_hot_topics``: the hot-topics engine over the platform's own texts.

Reads every registered text source (work orders, proposals…) since ``--days`` ago and
prints the topics, or writes them as the same CSV as ``hot_topics`` with ids
``<kind>:<id>``. Nothing is stored yet (see docs/insight.md).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from huying.insight.sources import collect, registered
from huying.insight.topics import find_topics
from huying.insight.topics.files import write_topics


class Command(BaseCommand):
    help = "Find the hot topics in the platform's texts (work orders, proposals…) of the last days."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=365, help="how far back to read (default 365)")
        parser.add_argument("--source", action="append", help="only this source (repeatable)")
        parser.add_argument("--top", type=int, default=20)
        parser.add_argument("--output", help="write the topics to this CSV file instead of printing them")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["days"] < 1 or options["top"] < 1:
            raise CommandError(_("--days and --top must be at least 1."))
        known = {source.key for source in registered()}
        unknown = sorted(set(options["source"] or ()) - known)
        if unknown:
            raise CommandError(
                _("Unknown source(s): %(unknown)s; known: %(known)s")
                % {"unknown": ", ".join(unknown), "known": ", ".join(sorted(known))}
            )
        now = timezone.localtime().replace(tzinfo=None)
        since = timezone.now() - timedelta(days=options["days"])
        messages = collect(since, options["source"])
        topics = find_topics(messages, now=now)[: options["top"]]
        if options["output"]:
            write_topics(Path(options["output"]), topics)
        else:
            for topic in topics:
                self.stdout.write(
                    f"{topic.rank}\t{topic.heat:.2f}\t{topic.trend}\t{topic.time_range}\t{topic.place_or_group}\t"
                    f"{topic.description}\t{' '.join(topic.member_ids)}"
                )
        self.stdout.write(
            _("%(topics)d topics from %(messages)d texts.") % {"topics": len(topics), "messages": len(messages)}
        )

"""Keep secrets out of the log."""

from __future__ import annotations

import logging
import re

_SECRET = re.compile(
    r"(?P<key>password|passwd|pwd|token|api_key|secret|otp_token|authorization)"
    r"(?P<sep>['\"]?\s*[:=]\s*['\"]?|\s+)(?P<value>(?:Bearer\s+)?[^\s'\",&;]+)",
    re.IGNORECASE,
)


def scrub(text: str) -> str:
    return _SECRET.sub(lambda m: f"{m.group('key')}{m.group('sep')}***", text)


class ScrubSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = ()
        return True

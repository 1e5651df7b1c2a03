"""What the hot-topic engine reads: one message. Its own module, without numpy, SciPy or
scikit-learn, so that the text sources registered at start-up (``InsightConfig.ready``)
import it without loading the engine (about a second of every process's start)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Message:
    id: str
    text: str
    subject: str = ""
    time: datetime | None = None
    likes: int = 0
    dislikes: int = 0
    author: str = ""
    extra: int = 0  # co-signs, votes and the like: counted as support

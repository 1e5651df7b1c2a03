"""Hot topics (热点问题) over citizen messages: plain Python, no Django models.

``find_topics(messages)`` segments the texts, extracts the places and groups they name,
clusters near-duplicate and same-issue messages and scores each cluster's heat. See
docs/insight.md for the method and the measured figures.

``Message`` comes from a light module; the engine (numpy, SciPy, scikit-learn, the
segmenter) is imported on first use of ``find_topics``, ``Parameters`` or ``Topic``, not
when a process starts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from huying.insight.topics.message import Message

if TYPE_CHECKING:
    from huying.insight.topics.engine import Parameters, Topic, find_topics

__all__ = ["Message", "Parameters", "Topic", "find_topics"]


def __getattr__(name: str) -> Any:
    if name in {"Parameters", "Topic", "find_topics"}:
        from huying.insight.topics import engine

        return getattr(engine, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

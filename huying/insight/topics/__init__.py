"""Hot topics (热点问题) over citizen messages: plain Python, no Django models.

``find_topics(messages)`` segments the texts, extracts the places and groups they name,
clusters near-duplicate and same-issue messages and scores each cluster's heat. See
docs/insight.md for the method and the measured figures.
"""

from huying.insight.topics.engine import Message, Parameters, Topic, find_topics

__all__ = ["Message", "Parameters", "Topic", "find_topics"]

"""The demo proposals: every pre-handling state, through the real actions, the demo
member's own proposals and invitation, nominations, idempotence."""

from io import StringIO

import pytest
from django.core.management import call_command

from huying.demo import proposal_texts

pytestmark = pytest.mark.django_db


def load() -> str:
    out = StringIO()
    call_command("demo_data", "--scale", "small", "--no-logins", stdout=out)
    return out.getvalue()


def test_texts_are_deterministic_and_varied() -> None:
    first = proposal_texts.generate(500, seed=1)
    assert first == proposal_texts.generate(500, seed=1)
    assert len({t.title for t in first}) > 300
    assert {t.category for t in first} == {t.category for t in proposal_texts.THEMES}
    for text in first[:50]:
        assert text.suggestions.startswith("1. ") and text.summary and text.situation and text.analysis

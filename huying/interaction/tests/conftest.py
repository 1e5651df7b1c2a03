"""The interaction tests use the moderation tests' named people (``citizen``,
``neighbour``, an unverified ``dora``) and their fresh word automaton per test: one
definition, in huying/moderation/tests/conftest.py."""

from huying.moderation.tests.conftest import _fresh_word_automaton, citizen, make_public, neighbour

__all__ = ["_fresh_word_automaton", "citizen", "make_public", "neighbour"]

"""Who acts: a signed-in person, or the platform itself.

Every workflow and the handling engine ask the same two questions of the ``actor`` passed to
an action; they are answered here once. The platform (the sweep, automatic reopening after
feedback, import commands, the demo loader) acts as ``None`` or :data:`SYSTEM`.
"""

from typing import Any


class SystemActor:
    """The platform itself (the sweep, automatic reopening after feedback, the demo loader)."""

    is_authenticated = False

    def __str__(self) -> str:
        return "system"


SYSTEM = SystemActor()


def is_system(actor: Any) -> bool:
    """The platform acts: ``None`` or a :class:`SystemActor`."""
    return actor is None or isinstance(actor, SystemActor)


def is_person(actor: Any) -> bool:
    """A signed-in person (not the platform, not an anonymous visitor)."""
    return actor is not None and getattr(actor, "is_authenticated", False)

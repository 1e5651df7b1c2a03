"""Real-name verification (实名认证) behind an interface.

The platform asks a :class:`RealNameProvider` (in production the host app's identity
service, configured with ``REAL_NAME_PROVIDER``, a dotted path) whether a person's name and
identity number match; :func:`do_verify_real_name` then sets ``User.is_real_name_verified``.
:class:`DemoProvider` accepts any well-formed 18-character number: the demo and the tests.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from huying.audit.actions import record

_ID_NUMBER = re.compile(r"^\d{17}[\dXx]$")


class RealNameProvider(Protocol):
    def verify(self, *, real_name: str, id_number: str) -> bool:
        """True when the identity service confirms that the name and number belong together."""
        ...


class DemoProvider:
    """Confirms every well-formed number (never use in production)."""

    def verify(self, *, real_name: str, id_number: str) -> bool:
        return bool(real_name.strip()) and bool(_ID_NUMBER.match(id_number))


def provider() -> RealNameProvider:
    path = getattr(settings, "REAL_NAME_PROVIDER", "huying.moderation.realname.DemoProvider")
    provider_class: Any = import_string(path)
    instance: RealNameProvider = provider_class()
    return instance


@transaction.atomic
def do_verify_real_name(actor: Any, user: Any, *, real_name: str, id_number: str) -> Any:
    """Mark ``user`` real-name verified when the provider confirms; the number is not stored."""
    if not provider().verify(real_name=real_name, id_number=id_number):
        raise ValidationError({"id_number": [_("The identity service could not confirm this name and number.")]})
    if not user.is_real_name_verified:
        user.is_real_name_verified = True
        user.save(update_fields=["is_real_name_verified"])
        record(actor, "account.real_name_verify", user, {"is_real_name_verified": [False, True]})
    return user

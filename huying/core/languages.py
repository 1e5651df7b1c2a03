"""The interface languages. In a module of its own (not settings.py) so that
``makemessages`` sees the names and they stay in core's catalogue."""

from django.utils.translation import gettext_lazy as _

LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huying.settings")
application = get_wsgi_application()

# Import every view now. Under `gunicorn --preload` (make prod) this runs once in the master,
# so a worker forked to replace one that died answers its first request at once instead of
# importing the whole URLconf itself: on a loaded machine that took longer than gunicorn's
# 30 s timeout, the worker was killed and replaced, and the next one did the same (found by
# scripts/chaos). Importing views opens no database connection.
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018

# The embedded set-up (no broker) answers a push before its duplicate search, as the
# production layout does: this web process analyses new orders in a background thread
# (huying/workorders/analysis.py). Commands and the tests keep analysing in order, in place.
from huying.workorders import analysis  # noqa: E402

analysis.analyse_in_background()

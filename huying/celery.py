"""Celery application: background sends and sweeps at scale.

Correctness never depends on a worker: deadlines are derived from stored times, and
without REDIS_URL tasks run eagerly in the calling process.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huying.settings")

app = Celery("huying")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

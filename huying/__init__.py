"""Huying 呼应: consultative democracy and responsive city governance."""

# The Celery application, so that every process (web, workers, commands) sends tasks
# through the one configured app (huying/celery.py).
from huying.celery import app as celery_app

__version__ = "0.1.0"
__all__ = ["celery_app"]

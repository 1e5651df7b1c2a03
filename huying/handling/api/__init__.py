"""The handling engine's REST API: one router for the app, assembled from one module a
concern — the notification centre (``notifications``, under /api/v1/notifications) and the
assignments of every workflow (``assignments``, under /api/v1/assignments).
``huying/api.py`` mounts it."""

from ninja import Router

from huying.handling.api import assignments, notifications

router = Router()
router.add_router("/notifications", notifications.router)
router.add_router("/assignments", assignments.router)

__all__ = ["router"]

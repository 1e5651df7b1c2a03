"""The work orders' REST API under ``/api/v1/workorders``: one router, assembled here from one
module a concern (intake, lists and the public report: ``orders``; dispatch and the units'
steps: ``handling``; statistics: ``stats``). ``huying/api.py`` mounts one router per app."""

from ninja import Router

from huying.workorders.api import handling, orders, stats

# The orders router is the app's router (its "" path stays /api/v1/workorders, no slash);
# order numbers in paths use a strict converter, so /assignments and /stats never read as one.
router: Router = orders.router
router.add_router("", handling.router)
router.add_router("", stats.router)

__all__ = ["router"]

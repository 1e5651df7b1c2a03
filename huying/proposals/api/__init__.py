"""The proposals' REST API under ``/api/v1/proposals``: one router, assembled here from one
module a concern (drafting and review, handling and the public zone, attachments, statistics,
awards). Every app's API package exposes its ``router`` this way; ``huying/api.py`` mounts one
router per app."""

from ninja import Router

from huying.proposals.api import attachments, awards, drafts, handling, stats

# The drafting router is the app's router (its "" path stays /api/v1/proposals, no slash).
router: Router = drafts.router
router.add_router("", handling.router)
router.add_router("", stats.router)
router.add_router("", awards.router)
router.add_router("", attachments.router)

__all__ = ["router"]

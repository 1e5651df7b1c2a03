"""The live text updates of a consultation, served from the cache.

Viewers poll a small JSON document with ``?after=<last id seen>``. The document of a
consultation (its status and its latest updates) is built once from the database and kept
in the Django cache (Redis when ``REDIS_URL`` is set) until a post, a speech decision or a
move replaces it, so 500 viewers polling every few seconds cost one cache read each, and
an unchanged answer is a 304 on its ``ETag`` (docs/consultations.md explains why polling
and not server-sent events under gunicorn's sync workers).
"""

from __future__ import annotations

from typing import Any

from django.core import signing
from django.core.cache import cache
from django.utils import timezone

from huying.consultations.models import Consultation, LiveUpdate

# How many of the latest updates the document keeps; a viewer further behind reloads the
# page (the page itself lists every update).
KEEP = 100
TTL = 600  # seconds; a post replaces the document anyway
POLL_SECONDS = 2.5  # the page's poll interval
MAX_AGE = 1  # Cache-Control max-age of an answer, in seconds


TICKET_SECONDS = 6 * 3600  # a viewing ticket lasts longer than any consultation
TICKET_SALT = "consultations.live"


def ticket(consultation_id: int, user_id: int) -> str:
    """A signed viewing ticket, given by the page to a person who may see the consultation:
    the poller sends it instead of the session cookie, so a poll reads no session, no
    person and no rights from the database (docs/consultations.md)."""
    return signing.dumps([consultation_id, user_id], salt=TICKET_SALT)


def ticket_valid(value: str, consultation_id: int) -> bool:
    try:
        found = signing.loads(value, salt=TICKET_SALT, max_age=TICKET_SECONDS)
    except signing.BadSignature:
        return False
    return isinstance(found, list) and len(found) == 2 and found[0] == consultation_id


def _key(consultation_id: int) -> str:
    return f"consult:live:{consultation_id}"


def update_dict(update: LiveUpdate) -> dict[str, Any]:
    return {
        "id": update.pk,
        "text": update.text,
        "speaker": update.speech.participant.name if update.speech_id and update.speech else "",
        "at": timezone.localtime(update.created_at).strftime("%H:%M"),
    }


def build(consultation_id: int) -> dict[str, Any]:
    status = Consultation.objects.filter(pk=consultation_id).values_list("status", flat=True).first() or ""
    rows = list(
        LiveUpdate.objects.filter(consultation_id=consultation_id)
        .select_related("speech__participant")
        .order_by("-id")[:KEEP]
    )
    rows.reverse()
    last = rows[-1].pk if rows else 0
    return {"status": status, "last": last, "updates": [update_dict(u) for u in rows]}


def document(consultation_id: int) -> dict[str, Any]:
    """The consultation's live document: from the cache, built on a miss."""
    doc = cache.get(_key(consultation_id))
    if doc is None:
        doc = build(consultation_id)
        cache.set(_key(consultation_id), doc, TTL)
    return doc


def invalidate(consultation_id: int) -> None:
    """Rebuild the document after a change (called after commit)."""
    cache.set(_key(consultation_id), build(consultation_id), TTL)


def etag(doc: dict[str, Any]) -> str:
    return f'W/"{doc["last"]}-{doc["status"]}"'


def since(doc: dict[str, Any], after: int) -> dict[str, Any]:
    """What a viewer who has seen up to ``after`` needs: the newer updates; ``reload`` when
    they are further behind than the document keeps."""
    updates = [u for u in doc["updates"] if u["id"] > after]
    oldest = doc["updates"][0]["id"] if doc["updates"] else 0
    return {
        "status": doc["status"],
        "last": doc["last"],
        "updates": updates,
        "reload": bool(after and oldest and after < oldest - 1 and len(doc["updates"]) >= KEEP),
    }

"""The columns' writes and the reads that check permissions.

Who may do what:

- anyone, anonymous visitors included, reads published and archived columns, their
  articles and, per source, the tagged items the source shows them;
- agency staff manage (create, edit, publish, archive, tag, untag, write articles) the
  columns of the CPPCC committee they work at (at the committee or one of its offices) and
  of the committees below it, including its special committees' flagships; agency staff of
  a special committee manage their committee's flagship only — not another committee's,
  nor the CPPCC's topic columns; administrators manage every column;
- a tagger tags only items they may see themselves; an archived column is read-only.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from huying.audit.actions import record
from huying.columns import transitions
from huying.columns.choices import ACTIVE_STATUSES, ColumnKind, ColumnStatus, CoverColour
from huying.columns.models import Column, ColumnArticle, ColumnCover, ColumnTag, manager_paths
from huying.columns.sources import Source, all_sources, get_source
from huying.core.actors import is_person, is_system
from huying.core.uploads import INLINE_TYPES, check_upload_batch, sniff
from huying.organisations.choices import OrgKind
from huying.organisations.models import Organisation

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
COVER_MAX_BYTES = 4 * 1024 * 1024
MAX_TAGS_AT_ONCE = 100
SECTION_SIZE = 5


def _person(actor: Any) -> Any:
    return actor if is_person(actor) else None


# --- permissions ----------------------------------------------------------------------
def may_manage(user: Any, column: Column) -> bool:
    """Whether ``user`` manages ``column`` (no query: the column's organisations are loaded)."""
    if is_system(user):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_administrator:
        return True
    owner_path = column.owner.path
    return any(owner_path.startswith(path) for path in manager_paths(user))


def check_manage(user: Any, column: Column) -> None:
    if not may_manage(user, column):
        raise PermissionDenied(_("Only the staff of the column's committee may change it."))


def owners_for(user: Any) -> list[Organisation]:
    """The CPPCC committees and special committees ``user`` may create columns for."""
    kinds = (OrgKind.CPPCC, OrgKind.SPECIAL_COMMITTEE)
    qs = Organisation.objects.filter(kind__in=kinds, is_active=True).order_by("path")
    if is_system(user) or (getattr(user, "is_authenticated", False) and user.is_administrator):
        return list(qs)
    paths = manager_paths(user) if getattr(user, "is_authenticated", False) else []
    if not paths:
        return []
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    return list(qs.filter(condition))


def may_create(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_administrator or manager_paths(user))


def access_column(user: Any, *, slug: str | None = None, pk: int | None = None) -> Column:
    """The column if ``user`` may read it; a 404 otherwise (a draft is not shown to others)."""
    qs = Column.objects.visible_to(user).for_list()
    try:
        return qs.get(slug=slug) if slug is not None else qs.get(pk=pk or 0)
    except Column.DoesNotExist:
        raise Http404(_("No such column.")) from None


def access_article(user: Any, pk: int) -> ColumnArticle:
    try:
        return ColumnArticle.objects.visible_to(user).select_related("column", "author").get(pk=pk)
    except ColumnArticle.DoesNotExist:
        raise Http404(_("No such article.")) from None


def _check_writable(column: Column) -> None:
    """Refuse changes to an archived column, reading the status under a row lock (the
    caller's object may be stale), so a concurrent archive waits or is seen."""
    status = Column.objects.select_for_update().filter(pk=column.pk).values_list("status", flat=True).first()
    if status is None or status == ColumnStatus.ARCHIVED:
        raise ValidationError(_("This column is archived; publish it again to change it."), code="archived")


# --- columns --------------------------------------------------------------------------
def _clean_fields(values: dict[str, Any], column: Column | None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    title = str(values.get("title", "")).strip()
    slug = str(values.get("slug", "")).strip().lower()
    summary = str(values.get("summary", "")).strip()
    intro = str(values.get("intro", "")).strip().replace("\r\n", "\n")
    colour = str(values.get("cover_colour", "") or CoverColour.RED)
    position = values.get("position", 100)
    if not title:
        errors["title"] = [_("Enter a title.")]
    elif len(title) > 60:
        errors["title"] = [_("At most %(max)d characters.") % {"max": 60}]
    if not slug:
        errors["slug"] = [_("Enter a web address.")]
    elif len(slug) > 60 or not SLUG.match(slug):
        errors["slug"] = [_("Use lower-case letters, digits and single hyphens, at most 60 characters.")]
    elif Column.objects.filter(slug=slug).exclude(pk=column.pk if column else 0).exists():
        errors["slug"] = [_("Another column already has this web address.")]
    if len(summary) > 120:
        errors["summary"] = [_("At most %(max)d characters.") % {"max": 120}]
    if len(intro) > 5000:
        errors["intro"] = [_("At most %(max)d characters.") % {"max": 5000}]
    if colour not in CoverColour.values:
        errors["cover_colour"] = [_("Choose a colour from the list.")]
    try:
        position = int(position)
        if not 0 <= position <= 32767:
            raise ValueError
    except (TypeError, ValueError):
        errors["position"] = [_("Enter a whole number from 0 to 32767.")]
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "slug": slug,
        "summary": summary,
        "intro": intro,
        "cover_colour": colour,
        "position": position,
    }


@transaction.atomic
def do_create_column(actor: Any, *, kind: str, owner: Organisation | None, **values: Any) -> Column:
    """Staff create a column as a draft: a flagship (一委一品) of a special committee — at
    most one active per committee — or a topic column (专题专栏) of a CPPCC committee."""
    errors: dict[str, list[str]] = {}
    committee = None
    cppcc = None
    if kind not in ColumnKind.values:
        errors["kind"] = [_("Choose a kind from the list.")]
    elif owner is None:
        errors["owner"] = [_("Choose the committee the column belongs to.")]
    elif kind == ColumnKind.FLAGSHIP:
        if owner.kind != OrgKind.SPECIAL_COMMITTEE or owner.parent is None or owner.parent.kind != OrgKind.CPPCC:
            errors["owner"] = [_("A flagship topic belongs to a special committee.")]
        else:
            committee, cppcc = owner, owner.parent
            if Column.objects.filter(kind=kind, committee=committee, status__in=ACTIVE_STATUSES).exists():
                errors["owner"] = [_("This committee already has an active flagship topic; archive it first.")]
    elif owner.kind != OrgKind.CPPCC:
        errors["owner"] = [_("A topic column belongs to a CPPCC committee.")]
    else:
        cppcc = owner
    try:
        fields = _clean_fields(values, None)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        fields = {}
    if errors:
        raise ValidationError(errors)
    assert cppcc is not None
    column = Column(kind=kind, cppcc=cppcc, committee=committee, created_by=_person(actor), **fields)
    check_manage(actor, column)
    try:
        with transaction.atomic():
            column.save()
    except IntegrityError:
        raise ValidationError(
            {"owner": [_("This committee already has an active flagship topic; archive it first.")]}
        ) from None
    record(actor, "column.create", column, {"title": column.title, "kind": kind, "owner": str(owner)})
    return column


@transaction.atomic
def do_update_column(actor: Any, column: Column, *, version: int | None = None, **values: Any) -> Column:
    """The managing staff change the title, address, texts, colour and order (not the kind
    or the committee)."""
    check_manage(actor, column)
    locked = Column.objects.select_for_update(of=("self",)).select_related("cppcc", "committee").get(pk=column.pk)
    _check_writable(locked)
    if version is not None and version != locked.version:
        raise ValidationError({"version": [_("Someone else changed this column meanwhile; reload it.")]})
    fields = _clean_fields(values, locked)
    changes = {k: [getattr(locked, k), v] for k, v in fields.items() if getattr(locked, k) != v}
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.version += 1
    locked.save()
    if changes:
        record(actor, "column.update", locked, changes)
    return locked


def do_publish(actor: Any, column: Column) -> Column:
    check_manage(actor, column)
    return transitions.move(column, "publish", actor)


def do_archive(actor: Any, column: Column) -> Column:
    check_manage(actor, column)
    return transitions.move(column, "archive", actor)


def do_republish(actor: Any, column: Column) -> Column:
    check_manage(actor, column)
    return transitions.move(column, "republish", actor)


def do_move(actor: Any, column: Column, name: str) -> Column:
    steps = {"publish": do_publish, "archive": do_archive, "republish": do_republish}
    if name not in steps:
        raise ValidationError(_("Unknown step."))
    return steps[name](actor, column)


@transaction.atomic
def do_set_cover(actor: Any, column: Column, upload: Any | None) -> Column:
    """Replace the cover picture (JPEG, PNG or WebP read from the bytes, 4 MB), or remove it
    with ``upload=None``."""
    check_manage(actor, column)
    _check_writable(column)
    if upload is not None:
        check_upload_batch([upload], field="cover")
        content_type, size = sniff(upload, INLINE_TYPES, max_bytes=COVER_MAX_BYTES, field="cover")
    ColumnCover.objects.filter(column=column).delete()
    if upload is not None:
        ColumnCover.objects.create(
            column=column,
            file=upload,
            original_name=str(getattr(upload, "name", ""))[:200],
            content_type=content_type,
            size=size,
            uploaded_by=_person(actor),
        )
    record(actor, "column.update", column, {"cover": "new" if upload is not None else "removed"})
    if hasattr(column, "_state") and "cover" in column._state.fields_cache:
        del column._state.fields_cache["cover"]
    return column


# --- tags -----------------------------------------------------------------------------
def _source(key: str) -> Source:
    source = get_source(key)
    if source is None:
        raise ValidationError({"source": [_("No such source.")]})
    return source


@transaction.atomic
def do_tag(actor: Any, column: Column, source_key: str, object_ids: Iterable[int]) -> int:
    """Gather items of one source into ``column``; returns how many were new. The tagger
    must manage the column and be able to see every item (the platform, ``None``, sees all);
    items already tagged are left as they are."""
    check_manage(actor, column)
    _check_writable(column)
    source = _source(source_key)
    ids = sorted({int(i) for i in object_ids})
    if not ids:
        raise ValidationError({"object_ids": [_("Choose at least one item.")]})
    if len(ids) > MAX_TAGS_AT_ONCE:
        raise ValidationError({"object_ids": [_("At most %(max)d items at once.") % {"max": MAX_TAGS_AT_ONCE}]})
    seen = source.model._default_manager.all() if is_system(actor) else source.visible_to(actor)
    found = set(seen.filter(pk__in=ids).values_list("pk", flat=True))
    if len(found) != len(ids):
        raise ValidationError({"object_ids": [_("No such item.")]})
    content_type = ContentType.objects.get_for_model(source.model)
    have = set(
        ColumnTag.objects.filter(column=column, content_type=content_type, object_id__in=ids).values_list(
            "object_id", flat=True
        )
    )
    new = [i for i in ids if i not in have]
    now = timezone.now()
    ColumnTag.objects.bulk_create(
        [
            ColumnTag(
                column=column,
                source=source.key,
                content_type=content_type,
                object_id=i,
                tagged_by=_person(actor),
                tagged_at=now,
            )
            for i in new
        ]
    )
    if new:
        record(actor, "column.tag", column, {"source": source.key, "objects": new})
    return len(new)


@transaction.atomic
def do_untag(actor: Any, column: Column, source_key: str, object_id: int) -> None:
    check_manage(actor, column)
    _check_writable(column)
    source = _source(source_key)
    deleted, _rows = ColumnTag.objects.filter(column=column, source=source.key, object_id=object_id).delete()
    if not deleted:
        raise ValidationError({"object_id": [_("This item is not in the column.")]})
    record(actor, "column.untag", column, {"source": source.key, "object": object_id})


# --- articles -------------------------------------------------------------------------
@transaction.atomic
def do_save_article(
    actor: Any,
    column: Column,
    *,
    title: str,
    body: str,
    published_on: datetime.date | None = None,
    article: ColumnArticle | None = None,
) -> ColumnArticle:
    """Write a new article of ``column`` or change one (``article``)."""
    check_manage(actor, column)
    _check_writable(column)
    if article is not None and article.column_id != column.pk:
        raise Http404(_("No such article."))
    errors: dict[str, list[str]] = {}
    title, body = title.strip(), body.strip().replace("\r\n", "\n")
    if not title:
        errors["title"] = [_("Enter a title.")]
    elif len(title) > 100:
        errors["title"] = [_("At most %(max)d characters.") % {"max": 100}]
    if len(body) < 10:
        errors["body"] = [_("Write at least 10 characters.")]
    elif len(body) > 20000:
        errors["body"] = [_("At most %(max)d characters.") % {"max": 20000}]
    if published_on is None:
        published_on = timezone.localdate()
    elif not datetime.date(2000, 1, 1) <= published_on <= datetime.date(2100, 12, 31):
        errors["published_on"] = [_("Choose a date between the years 2000 and 2100.")]
    if errors:
        raise ValidationError(errors)
    if article is None:
        article = ColumnArticle(column=column, author=_person(actor))
    article.title, article.body, article.published_on = title, body, published_on
    article.save()
    record(actor, "column.article_save", article, {"title": title, "column": column.pk})
    return article


@transaction.atomic
def do_delete_article(actor: Any, article: ColumnArticle) -> None:
    check_manage(actor, article.column)
    _check_writable(article.column)
    record(actor, "column.article_delete", article, {"title": article.title, "column": article.column_id})
    article.delete()


# --- reading --------------------------------------------------------------------------
@dataclass(frozen=True)
class Item:
    source: str
    pk: int
    title: str
    url: str
    date: Any
    meta: str


@dataclass
class Section:
    source: Source
    count: int
    items: list[Item]


def _item(source: Source, obj: Any) -> Item:
    return Item(source.key, obj.pk, source.title_of(obj), source.url_of(obj), source.date_of(obj), source.meta(obj))


def tagged_items(user: Any, column: Column, source: Source) -> Any:
    """The items of ``source`` tagged to ``column`` that ``user`` may see, newest first."""
    ids = ColumnTag.objects.filter(column=column, source=source.key).values("object_id")
    return source.items_for(user).filter(pk__in=ids)


def sections(user: Any, column: Column, limit: int = SECTION_SIZE) -> list[Section]:
    """Per source: how many tagged items ``user`` may see and the latest ``limit`` of them.
    One query per source, two when it has more than ``limit``."""
    result = []
    for source in all_sources():
        objs = list(tagged_items(user, column, source)[: limit + 1])
        count = len(objs) if len(objs) <= limit else tagged_items(user, column, source).count()
        result.append(Section(source, count, [_item(source, o) for o in objs[:limit]]))
    return result


def items_page(user: Any, column: Column, source: Source, objs: Iterable[Any]) -> list[Item]:
    return [_item(source, o) for o in objs]


def picker(
    user: Any, column: Column, text: str, source_key: str = "", limit: int = 10
) -> list[tuple[Source, list[tuple[Item, bool]]]]:
    """The tag picker: per source, up to ``limit`` items ``user`` may see matching ``text``,
    each with whether it is already in the column."""
    result = []
    tagged = set(ColumnTag.objects.filter(column=column).values_list("source", "object_id"))
    for source in all_sources():
        if source_key and source.key != source_key:
            continue
        objs = list(source.search(user, text)[:limit])
        result.append((source, [(_item(source, o), (source.key, o.pk) in tagged) for o in objs]))
    return result

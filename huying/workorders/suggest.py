"""Suggest a category for a new order's text: the trained model when there is one
(first-level labels mapped to categories by name), keyword rules from
``Category.keywords`` otherwise."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from django.conf import settings

from huying.workorders.models import Category

logger = logging.getLogger(__name__)

# Labels of public training sets (e.g. exported 留言 data) whose names differ from ours.
LABEL_ALIASES = {
    "城乡建设": "市政设施",
    "环境保护": "生态环境",
    "交通运输": "交通出行",
    "教育文体": "教育",
    "劳动和社会保障": "劳动保障",
    "卫生计生": "医疗卫生",
    "商贸旅游": "市场监管",
    "公安政法": "社会治安",
    "民政": "民政社区",
}

_lock = threading.Lock()
_cached: tuple[Path, float, object] | None = None


def reset() -> None:
    """Forget the loaded model (tests): the next suggestion reads its file again."""
    global _cached
    with _lock:
        _cached = None


def model_path() -> Path:
    configured = getattr(settings, "WORKORDERS_CATEGORY_MODEL", "")
    return Path(configured) if configured else Path(settings.VAR_DIR) / "models" / "category.joblib"


def _load_model() -> object | None:
    """The trained model, reloaded when its file changes; None without a usable file."""
    global _cached
    path = model_path()
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None
    with _lock:
        if _cached is not None and _cached[0] == path and _cached[1] == mtime:
            return _cached[2]
        from huying.workorders.classifier import CategoryModel, CategoryModelError

        try:
            model = CategoryModel.load(path)
        except CategoryModelError as error:
            logger.warning("Category model not used: %s", error)
            return None
        _cached = (path, mtime, model)
        return model


def _by_model(model: object, text: str, k: int) -> list[tuple[Category, float]]:
    from huying.workorders.classifier import CategoryModel

    assert isinstance(model, CategoryModel)
    ranked = model.suggest(text, k=k)
    names = {label: LABEL_ALIASES.get(label, label) for label, _ in ranked}
    categories = {c.name: c for c in Category.objects.active().filter(level=1, name__in=set(names.values()))}
    result: list[tuple[Category, float]] = []
    for label, confidence in ranked:
        category = categories.get(names[label])
        if category is not None and all(category != c for c, _ in result):
            result.append((category, round(float(confidence), 3)))
    return result


def _by_keywords(text: str, k: int) -> list[tuple[Category, float]]:
    # Score plain rows, then build only the winners: the tree has ~80 categories with
    # keywords and this runs on every dispatch.
    scored: list[tuple[float, int, str, int]] = []
    rows = Category.objects.active().exclude(keywords="").values_list("pk", "code", "level", "keywords")
    for pk, code, level, keywords in rows:
        words = keywords.replace(",", " ").replace("，", " ").replace("、", " ").split()  # as Category.keyword_list
        hits = sum(1 for word in words if word in text)
        if hits:
            # Deeper categories are more useful to a dispatcher; confidence grows with hits.
            confidence = min(0.9, 0.3 + 0.15 * hits + 0.05 * (level - 1))
            scored.append((confidence, level, code, pk))
    scored.sort(key=lambda item: (-item[0], -item[1], item[2]))
    best = scored[:k]
    if not best:
        return []
    categories = Category.objects.in_bulk([pk for _c, _l, _code, pk in best])
    return [(categories[pk], round(confidence, 3)) for confidence, _l, _code, pk in best]


def rank_categories(text: str, k: int = 3) -> tuple[list[tuple[Category, float]], str]:
    """Up to ``k`` (category, confidence) pairs, best first, and how they were found:
    ``"model"`` (the trained model), ``"keywords"`` (the categories' keyword rules) or
    ``""`` when nothing fits."""
    text = (text or "").strip()
    if not text:
        return [], ""
    model = _load_model()
    if model is not None:
        suggestions = _by_model(model, text, k)
        if suggestions:
            return suggestions, "model"
    ranked = _by_keywords(text, k)
    return ranked, "keywords" if ranked else ""


def suggest_category(text: str, k: int = 3) -> list[tuple[Category, float]]:
    """Up to ``k`` (category, confidence) pairs, best first; empty when nothing fits."""
    return rank_categories(text, k)[0]

"""Suggest a work order's first-level category from the caller's words.

The model learns from orders already handled (or a city's history exported from its old
system) and is retrained by ``python manage.py category_model train``. It is a linear
classifier over two TF-IDF views of the normalised text:

* character n-grams (1-3) — robust to typos, rare place names and jieba's segmentation
  mistakes, and the strongest single signal on short colloquial Chinese;
* jieba word unigrams and bigrams — carry phrases such as "拖欠 工资" or "噪音 扰民".

A LinearSVC (one-vs-rest, balanced class weights) separates the categories. Its decision
scores become confidences through a softmax whose temperature is fitted on out-of-fold
scores at training time, so "0.8" means roughly "right four times in five" on data like the
training set. See docs/workorders-classifier.md for the method and the measured figures.

Model files are pickles (joblib): load only files this installation wrote.
"""

from __future__ import annotations

import logging
import math
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jieba
import joblib
import numpy as np
import sklearn
from scipy import sparse
from scipy.optimize import minimize_scalar
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

jieba.setLogLevel(logging.WARNING)

try:  # jieba-rs: the same dictionary and algorithm, same words, about twenty times faster.
    import rjieba

    def _segment(text: str) -> list[str]:
        words: list[str] = rjieba.cut(text)
        return words

except ImportError:  # pragma: no cover - the pure Python jieba gives identical tokens

    def _segment(text: str) -> list[str]:
        return jieba.lcut(text)


MODEL_FORMAT = "huying.workorders.category_model"
MODEL_FORMAT_VERSION = 1

# Caps keep a model trained on a large history at a few tens of megabytes in memory.
CHAR_MAX_FEATURES = 150_000
WORD_MAX_FEATURES = 80_000
# Below this many messages a feature seen once may be all a category has.
MIN_DF_THRESHOLD = 200
DEFAULT_C = 0.5
CALIBRATION_MAX_ROWS = 6_000

# Placeholders: single symbols outside \w so that they survive punctuation stripping and
# form one token for jieba and one character for the n-grams.
URL_MARK = "ⓤ"
EMAIL_MARK = "ⓔ"
PHONE_MARK = "ⓟ"
ID_MARK = "ⓘ"
NUMBER_MARK = "0"

_URL_RE = re.compile(r"(?:https?://|www\.)[^\s\u3000-\u303f\uff00-\uffef\u4e00-\u9fff]+", re.IGNORECASE)
_EMAIL_RE = re.compile(r"[\w.+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+", re.IGNORECASE | re.ASCII)
_ID_RE = re.compile(r"(?<!\d)\d{17}[\dx](?!\d)", re.IGNORECASE)
_PHONE_RE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(?:1[3-9]\d[- ]?\d{4}[- ]?\d{4}|0\d{2,3}[- ]?\d{7,8}|[2-9]\d{7})(?!\d)")
_NUMBER_RE = re.compile(r"\d+(?:[.,:/-]\d+)*")
_PUNCT_RE = re.compile(r"[^\w\u24b6-\u24e9]+")
_SPACES_RE = re.compile(r"\s+")
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SPACE_BETWEEN_CJK_RE = re.compile(rf"(?<=[{_CJK}]) (?=[{_CJK}])")


class CategoryModelError(Exception):
    """A model cannot be trained, loaded or used; the message says why and what to do."""


def normalise_text(text: str) -> str:
    """Reduce a citizen's message to what says something about its category.

    Full-width characters become half-width (NFKC), letters lower case; URLs, e-mail
    addresses, identity-card and phone numbers become one placeholder each and every other
    run of digits becomes "0" (dates, house numbers and amounts say little about the
    category, and there are infinitely many of them); spaces between Chinese characters
    (line breaks in the middle of a sentence) disappear, and punctuation becomes a space so
    that character n-grams stay inside a clause.
    """
    text = unicodedata.normalize("NFKC", text).lower()
    text = _URL_RE.sub(f" {URL_MARK} ", text)
    text = _EMAIL_RE.sub(f" {EMAIL_MARK} ", text)
    text = _ID_RE.sub(f" {ID_MARK} ", text)
    text = _PHONE_RE.sub(f" {PHONE_MARK} ", text)
    text = _NUMBER_RE.sub(NUMBER_MARK, text)
    text = _SPACE_BETWEEN_CJK_RE.sub("", _SPACES_RE.sub(" ", text))
    text = _PUNCT_RE.sub(" ", text.replace("_", " "))
    return _SPACES_RE.sub(" ", text).strip()


def word_tokens(text: str) -> list[str]:
    """jieba's words of an already normalised text, without the spaces between them.

    Module-level (not a lambda) so that a trained vectorizer can be pickled.
    """
    return [token for token in _segment(text) if not token.isspace()]


def _char_vectorizer(min_df: int) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(1, 3),
        lowercase=False,
        sublinear_tf=True,
        min_df=min_df,
        max_features=CHAR_MAX_FEATURES,
        dtype=np.float32,
    )


def _word_vectorizer(min_df: int) -> TfidfVectorizer:
    return TfidfVectorizer(
        tokenizer=word_tokens,
        token_pattern=None,
        lowercase=False,
        ngram_range=(1, 2),
        sublinear_tf=True,
        min_df=min_df,
        max_features=WORD_MAX_FEATURES,
        dtype=np.float32,
    )


def _softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    scaled = scores * temperature
    scaled -= scaled.max(axis=1, keepdims=True)
    exp = np.exp(scaled)
    result: np.ndarray = exp / exp.sum(axis=1, keepdims=True)
    return result


def _fit_temperature(scores: np.ndarray, truth: np.ndarray) -> float:
    """The softmax temperature that minimises the log loss of out-of-fold scores."""

    def log_loss(temperature: float) -> float:
        probabilities = _softmax(scores, temperature)[np.arange(len(truth)), truth]
        return float(-np.log(np.clip(probabilities, 1e-12, 1.0)).mean())

    result = minimize_scalar(log_loss, bounds=(0.05, 50.0), method="bounded")
    return float(result.x)


@dataclass
class CategoryModel:
    """A trained category suggester. Build it with :meth:`train` or :meth:`load`."""

    char_vectorizer: TfidfVectorizer
    word_vectorizer: TfidfVectorizer
    classifier: LinearSVC
    temperature: float
    trained_on: int
    trained_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    # Analyzers, vocabularies and IDF weights for the single-message path, built on first use.
    _fast: list[tuple[Any, dict[str, int], np.ndarray]] | None = field(default=None, init=False, repr=False)

    @property
    def labels(self) -> list[str]:
        return [str(label) for label in self.classifier.classes_]

    # --- training -------------------------------------------------------------------

    @classmethod
    def train(
        cls, texts: Sequence[str], labels: Sequence[str], *, c: float = DEFAULT_C, calibrate: bool = True
    ) -> CategoryModel:
        """Learn categories from messages and the categories they were filed under.

        Raises CategoryModelError when there is nothing to learn from (no text, fewer
        than two categories, lengths that differ).
        """
        if len(texts) != len(labels):
            raise CategoryModelError(f"{len(texts)} texts but {len(labels)} labels: they must pair up one to one.")
        normalised = [normalise_text(str(text)) for text in texts]
        categories = [str(label).strip() for label in labels]
        if not any(normalised):
            raise CategoryModelError("There is no text to learn from.")
        if len(set(categories)) < 2:
            raise CategoryModelError(
                "Training needs messages from at least two categories; found "
                f"{len(set(categories))} ({', '.join(sorted(set(categories))) or 'none'})."
            )
        min_df = 2 if len(normalised) >= MIN_DF_THRESHOLD else 1
        char_vectorizer = _char_vectorizer(min_df)
        word_vectorizer = _word_vectorizer(min_df)
        try:
            features = sparse.hstack(
                [char_vectorizer.fit_transform(normalised), word_vectorizer.fit_transform(normalised)], format="csr"
            )
        except ValueError as error:  # e.g. "empty vocabulary" on texts made only of punctuation
            raise CategoryModelError(f"Cannot extract features from these texts: {error}") from error

        truth = np.asarray(categories)
        temperature = 1.0
        if calibrate:
            temperature = cls._calibrated_temperature(features, truth, c)
        classifier = cls._classifier(c).fit(features, truth)
        return cls(
            char_vectorizer=char_vectorizer,
            word_vectorizer=word_vectorizer,
            classifier=classifier,
            temperature=temperature,
            trained_on=len(normalised),
        )

    @staticmethod
    def _classifier(c: float) -> LinearSVC:
        return LinearSVC(C=c, class_weight="balanced", dual=True, max_iter=5000)

    @classmethod
    def _calibrated_temperature(cls, features: sparse.csr_matrix, truth: np.ndarray, c: float) -> float:
        """Fit the softmax temperature on decision scores of rows the classifier did not see.

        One stratified split of at most CALIBRATION_MAX_ROWS rows: a third is scored by a
        classifier trained on the other two thirds (one extra fit, not k). The vocabulary
        and IDF were fitted on all rows, a small optimism that does not matter for one
        scalar. A category with fewer than three examples in the sample: keep temperature 1.
        """
        classes, encoded = np.unique(truth, return_inverse=True)
        if len(truth) > CALIBRATION_MAX_ROWS:  # one scalar does not need every row
            sample = np.random.default_rng(0).permutation(len(truth))[:CALIBRATION_MAX_ROWS]
            features, truth, encoded = features[sample], truth[sample], encoded[sample]
        if int(np.bincount(encoded, minlength=len(classes)).min()) < 3:
            return 1.0
        splitter = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
        train_index, test_index = next(splitter.split(features, encoded))
        classifier = cls._classifier(c).fit(features[train_index], truth[train_index])
        scores = classifier.decision_function(features[test_index])
        if scores.ndim == 1:  # two categories: one score, for the second
            scores = np.column_stack([-scores, scores])
        return _fit_temperature(scores, encoded[test_index])

    # --- prediction -----------------------------------------------------------------

    def _features(self, texts: Iterable[str]) -> sparse.csr_matrix:
        normalised = [normalise_text(str(text)) for text in texts]
        return sparse.hstack(
            [self.char_vectorizer.transform(normalised), self.word_vectorizer.transform(normalised)], format="csr"
        )

    def decision_scores(self, texts: Iterable[str]) -> np.ndarray:
        scores: np.ndarray = self.classifier.decision_function(self._features(texts))
        if scores.ndim == 1:
            scores = np.column_stack([-scores, scores])
        return scores

    def probabilities(self, texts: Iterable[str]) -> np.ndarray:
        """One row per text, one column per label (:attr:`labels` order), rows sum to 1."""
        return _softmax(self.decision_scores(texts), self.temperature)

    def predict(self, texts: Iterable[str]) -> list[str]:
        scores = self.decision_scores(texts)
        labels = self.labels
        return [labels[index] for index in scores.argmax(axis=1)]

    def suggest(self, text: str, k: int = 3) -> list[tuple[str, float]]:
        """The k likeliest categories for one message, most confident first.

        Confidences are in [0, 1] and sum to at most 1 (the softmax over all categories).
        Computed without scikit-learn's per-call validation, which costs more than the
        arithmetic for a single message; the result equals :meth:`suggest_many`'s.
        """
        if k < 1:
            raise CategoryModelError("k must be at least 1.")
        scores = self._single_scores(normalise_text(str(text)))
        probabilities = _softmax(scores[np.newaxis, :], self.temperature)[0]
        labels = self.labels
        top = np.argsort(-probabilities, kind="stable")[:k]
        return [(labels[index], float(probabilities[index])) for index in top]

    def _single_scores(self, normalised: str) -> np.ndarray:
        if self._fast is None:
            self._fast = [
                (vectorizer.build_analyzer(), vectorizer.vocabulary_, vectorizer.idf_.astype(np.float64))
                for vectorizer in (self.char_vectorizer, self.word_vectorizer)
            ]
        coef = self.classifier.coef_
        scores = np.array(self.classifier.intercept_, dtype=np.float64)
        offset = 0
        for analyzer, vocabulary, idf in self._fast:
            counts: dict[int, int] = {}
            for term in analyzer(normalised):
                index = vocabulary.get(term)
                if index is not None:
                    counts[index] = counts.get(index, 0) + 1
            if counts:
                indices = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
                values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * idf[
                    indices
                ]
                values /= np.linalg.norm(values)
                scores = scores + coef[:, indices + offset] @ values
            offset += len(idf)
        if scores.shape[0] == 1:
            scores = np.array([-scores[0], scores[0]])
        return scores

    def suggest_many(self, texts: Sequence[str], k: int = 3) -> list[list[tuple[str, float]]]:
        if k < 1:
            raise CategoryModelError("k must be at least 1.")
        if not texts:
            return []
        probabilities = self.probabilities(texts)
        labels = self.labels
        top = np.argsort(-probabilities, axis=1, kind="stable")[:, :k]
        return [
            [(labels[index], float(row[index])) for index in indices]
            for row, indices in zip(probabilities, top, strict=True)
        ]

    # --- persistence ----------------------------------------------------------------

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the model atomically: a crash never leaves a half-written file at ``path``."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "format": MODEL_FORMAT,
            "version": MODEL_FORMAT_VERSION,
            "sklearn_version": sklearn.__version__,
            "trained_at": self.trained_at,
            "trained_on": self.trained_on,
            "temperature": self.temperature,
            "char_vectorizer": self.char_vectorizer,
            "word_vectorizer": self.word_vectorizer,
            "classifier": self.classifier,
        }
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(handle, "wb") as stream:
                joblib.dump(payload, stream, compress=3)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return target

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> CategoryModel:
        """Read a model written by :meth:`save`; anything else raises CategoryModelError."""
        source = Path(path)
        if not source.is_file():
            raise CategoryModelError(
                f"No category model at {source}. Train one with `python manage.py category_model train`."
            )
        try:
            payload: Any = joblib.load(source)
        except Exception as error:
            raise CategoryModelError(
                f"{source} is not a readable category model (corrupt or truncated file: {type(error).__name__}). "
                "Train a new one with `python manage.py category_model train`."
            ) from error
        if not isinstance(payload, dict) or payload.get("format") != MODEL_FORMAT:
            raise CategoryModelError(f"{source} is not a Huying category model file.")
        if payload.get("version") != MODEL_FORMAT_VERSION:
            raise CategoryModelError(
                f"{source} is a category model of format version {payload.get('version')}, this installation "
                f"reads version {MODEL_FORMAT_VERSION}. Retrain it with `python manage.py category_model train`."
            )
        if payload.get("sklearn_version") != sklearn.__version__:
            raise CategoryModelError(
                f"{source} was trained with scikit-learn {payload.get('sklearn_version')} and this installation "
                f"has {sklearn.__version__}; retrain it with `python manage.py category_model train`."
            )
        try:
            model = cls(
                char_vectorizer=payload["char_vectorizer"],
                word_vectorizer=payload["word_vectorizer"],
                classifier=payload["classifier"],
                temperature=float(payload["temperature"]),
                trained_on=int(payload["trained_on"]),
                trained_at=str(payload["trained_at"]),
            )
            if not math.isfinite(model.temperature) or len(model.labels) < 2:
                raise ValueError("bad temperature or labels")
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise CategoryModelError(f"{source} is an incomplete category model file ({error}).") from error
        return model


# --- evaluation -----------------------------------------------------------------------


@dataclass(frozen=True)
class LabelFigures:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Evaluation:
    """Figures for a model on labelled messages it may or may not have seen."""

    total: int
    accuracy: float
    macro_precision: float
    macro_recall: float
    macro_f1: float
    per_label: list[LabelFigures]
    unknown_labels: dict[str, int]


def evaluate(model: CategoryModel, texts: Sequence[str], labels: Sequence[str]) -> Evaluation:
    """Compare the model's first suggestion with the recorded category of each message.

    Macro averages run over every label that occurs in the truth or the predictions
    (scikit-learn's default): a category the model never saw can never be predicted, so
    its messages all count as errors and its recall is 0.
    """
    if not texts:
        raise CategoryModelError("There are no messages to evaluate.")
    truth = [str(label).strip() for label in labels]
    predicted = model.predict(texts)
    known = set(model.labels)
    unknown: dict[str, int] = {}
    for label in truth:
        if label not in known:
            unknown[label] = unknown.get(label, 0) + 1
    label_order = sorted(set(truth) | set(predicted))
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=label_order, zero_division=0
    )
    per_label = [
        LabelFigures(label, float(p), float(r), float(f), int(s))
        for label, p, r, f, s in zip(label_order, precision, recall, f1, support, strict=True)
    ]
    correct = sum(1 for expected, got in zip(truth, predicted, strict=True) if expected == got)
    return Evaluation(
        total=len(truth),
        accuracy=correct / len(truth),
        macro_precision=float(np.mean(precision)),
        macro_recall=float(np.mean(recall)),
        macro_f1=float(np.mean(f1)),
        per_label=per_label,
        unknown_labels=unknown,
    )

"""Benchmark of the category model on the synthetic 12345 messages (not a test).

    .venv/bin/python -m bench.classifier [--train 10000] [--test 2000] [--calls 1000] [--join 1]

Prints, and ``run_benchmark()`` returns, the training time on ``train`` messages (wall and
CPU seconds, BLAS limited to one thread), the latency of one suggestion (p50/p95 over
``calls`` calls, each a different message) and accuracy / macro-F1 on ``test`` held-out
messages generated with another seed. Figures are recorded in docs/workorders-classifier.md.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from threadpoolctl import threadpool_limits

from huying.demo.sample_messages import generate_messages
from huying.workorders.classifier import CategoryModel, evaluate


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run_benchmark(
    train: int = 10_000, test: int = 2_000, calls: int = 1_000, seed: int = 7, join: int = 1
) -> dict[str, Any]:
    """``join`` > 1 glues that many messages into one text (labelled by the first) to time
    training at the length of real board messages (~300 characters); the accuracy figures
    are then meaningless."""
    training = generate_messages(train * join, seed=seed)
    held_out = generate_messages(test, seed=seed + 1)
    texts = ["".join(m.text for m in training[i : i + join]) for i in range(0, len(training), join)]
    labels = [message.category for message in training[::join]]

    with threadpool_limits(limits=1):
        wall, cpu = time.perf_counter(), time.process_time()
        model = CategoryModel.train(texts, labels)
        train_wall, train_cpu = time.perf_counter() - wall, time.process_time() - cpu

        evaluation = evaluate(model, [m.text for m in held_out], [m.category for m in held_out])

        model.suggest("预热")  # builds the single-message path once, as the first real call would
        latencies = []
        for message in (held_out * (calls // len(held_out) + 1))[:calls]:
            started = time.perf_counter()
            model.suggest(message.text, k=3)
            latencies.append((time.perf_counter() - started) * 1000)

    with tempfile.TemporaryDirectory() as directory:
        path = model.save(Path(directory) / "category.joblib")
        size_mb = path.stat().st_size / 1_000_000
        started = time.perf_counter()
        CategoryModel.load(path)
        load_seconds = time.perf_counter() - started

    return {
        "train_messages": train,
        "mean_message_chars": round(statistics.mean(len(text) for text in texts), 1),
        "categories": len(model.labels),
        "features": len(model.char_vectorizer.vocabulary_) + len(model.word_vectorizer.vocabulary_),
        "train_seconds": round(train_wall, 2),
        "train_cpu_seconds": round(train_cpu, 2),
        "suggest_calls": calls,
        "suggest_p50_ms": round(_percentile(latencies, 0.50), 3),
        "suggest_p95_ms": round(_percentile(latencies, 0.95), 3),
        "test_messages": test,
        "accuracy": round(evaluation.accuracy, 3),
        "macro_f1": round(evaluation.macro_f1, 3),
        "model_file_mb": round(size_mb, 2),
        "load_seconds": round(load_seconds, 2),
        "temperature": round(model.temperature, 2),
    }


def compare_classifiers(train: int = 10_000, test: int = 2_000, seed: int = 7) -> dict[str, float]:
    """Held-out macro-F1 of alternatives on the same features (how the defaults were chosen)."""
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression, SGDClassifier
    from sklearn.metrics import f1_score
    from sklearn.svm import LinearSVC

    from huying.workorders.classifier import _char_vectorizer, _word_vectorizer, normalise_text

    training = generate_messages(train, seed=seed)
    held_out = generate_messages(test, seed=seed + 1)
    train_texts = [normalise_text(m.text) for m in training]
    test_texts = [normalise_text(m.text) for m in held_out]
    train_labels = [m.category for m in training]
    test_labels = [m.category for m in held_out]
    chars, words = _char_vectorizer(2), _word_vectorizer(2)
    train_chars, train_words = chars.fit_transform(train_texts), words.fit_transform(train_texts)
    test_chars, test_words = chars.transform(test_texts), words.transform(test_texts)
    both_train = sparse.hstack([train_chars, train_words], format="csr")
    both_test = sparse.hstack([test_chars, test_words], format="csr")
    candidates: dict[str, tuple[Any, Any, Any]] = {
        "LinearSVC C=0.3": (LinearSVC(C=0.3, class_weight="balanced"), both_train, both_test),
        "LinearSVC C=0.5 (default)": (LinearSVC(C=0.5, class_weight="balanced"), both_train, both_test),
        "LinearSVC C=1.0": (LinearSVC(C=1.0, class_weight="balanced"), both_train, both_test),
        "SGD hinge": (
            SGDClassifier(alpha=1e-5, class_weight="balanced", max_iter=20, tol=None, random_state=0),
            both_train,
            both_test,
        ),
        "LogisticRegression C=10": (
            LogisticRegression(C=10, class_weight="balanced", max_iter=200),
            both_train,
            both_test,
        ),
        "LinearSVC characters only": (LinearSVC(C=0.5, class_weight="balanced"), train_chars, test_chars),
        "LinearSVC words only": (LinearSVC(C=0.5, class_weight="balanced"), train_words, test_words),
    }
    results = {}
    for name, (estimator, features, test_features) in candidates.items():
        estimator.fit(features, train_labels)
        results[name] = round(float(f1_score(test_labels, estimator.predict(test_features), average="macro")), 3)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--train", type=int, default=10_000)
    parser.add_argument("--test", type=int, default=2_000)
    parser.add_argument("--calls", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--join", type=int, default=1, help="messages glued into one text (timing only)")
    parser.add_argument("--compare", action="store_true", help="macro-F1 of alternative classifiers instead")
    arguments = parser.parse_args()
    if arguments.compare:
        for name, score in compare_classifiers(arguments.train, arguments.test, arguments.seed).items():
            print(f"{name:<28}  macro_f1={score:.3f}")
        return
    figures = run_benchmark(arguments.train, arguments.test, arguments.calls, arguments.seed, arguments.join)
    width = max(len(name) for name in figures)
    for name, value in figures.items():
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()

"""Train and evaluate the work-order category model from a CSV or XLSX export.

    python manage.py category_model train --file history.xlsx --text-column 留言详情 --label-column 一级标签
    python manage.py category_model evaluate --file test.csv --text-column 内容 --label-column 分类
    python manage.py category_model export --file decisions.csv [--since 2026-01-01] [--district 440103]

``export`` writes the work orders dispatchers have categorised (their confirmed or corrected
choice, the latest dispatch decision per order) as a training file with the columns 诉求内容
and 一级分类, so that the next ``train`` learns from the corrections.

Operator output is English (like Django's own commands); the last line of ``evaluate`` is
``macro_f1=0.xxx`` so that scripts can read it.
"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from collections import Counter
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from sklearn.model_selection import train_test_split

from huying.workorders.classifier import CategoryModel, CategoryModelError, Evaluation, evaluate
from huying.workorders.training_data import LabelledMessages, TrainingDataError, read_labelled_messages


def default_model_path() -> Path:
    return Path(settings.VAR_DIR) / "models" / "category.joblib"


class Command(BaseCommand):
    help = "Train or evaluate the model that suggests a work order's category from its text."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="action", required=True, metavar="{train,evaluate,export}")

        def common(sub: ArgumentParser) -> None:
            sub.add_argument("--file", required=True, help="CSV (utf-8, utf-8-sig or gb18030), TSV or XLSX export.")
            sub.add_argument(
                "--text-column",
                required=True,
                action="append",
                help="Column holding the message text; repeat to join several (e.g. subject and details).",
            )
            sub.add_argument("--label-column", required=True, help="Column holding the category.")
            sub.add_argument("--model", default=None, help="Model file (default: VAR_DIR/models/category.joblib).")

        train = subcommands.add_parser(
            "train", help="Learn categories from labelled messages.", formatter_class=parser.formatter_class
        )
        common(train)
        train.add_argument(
            "--holdout",
            type=float,
            default=0.0,
            help="Share of rows (0-0.5) kept aside, stratified, to print an evaluation; "
            "the saved model is then retrained on all rows.",
        )
        train.add_argument("--seed", type=int, default=0, help="Random seed of the hold-out split.")
        train.add_argument("-C", dest="c", type=float, default=0.5, help="Regularisation of the LinearSVC.")

        evaluate_parser = subcommands.add_parser(
            "evaluate",
            help="Measure a trained model on labelled messages.",
            formatter_class=parser.formatter_class,
        )
        common(evaluate_parser)

        export = subcommands.add_parser(
            "export",
            help="Write dispatchers' category decisions as a training file (CSV or XLSX).",
            formatter_class=parser.formatter_class,
        )
        export.add_argument("--file", required=True, help="Output file; .xlsx writes a workbook, anything else CSV.")
        export.add_argument("--since", default=None, help="Only decisions made on or after this date (YYYY-MM-DD).")
        export.add_argument("--district", default=None, help="Division code of one district (e.g. 440103).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "export":
            self.export(options["file"], since=options["since"], district=options["district"])
            return
        model_path = Path(options["model"]) if options["model"] else default_model_path()
        try:
            data = read_labelled_messages(options["file"], options["text_column"], options["label_column"])
        except TrainingDataError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Read {data.rows:,} rows from {options['file']}: {data.used:,} used, "
            f"{data.skipped:,} skipped (empty text or label)."
        )
        if not data.used:
            raise CommandError(f"No row of {options['file']} has both a text and a label.")
        try:
            if options["action"] == "train":
                self.train(data, model_path, holdout=options["holdout"], seed=options["seed"], c=options["c"])
            else:
                self.evaluate(data, model_path)
        except CategoryModelError as error:
            raise CommandError(str(error)) from error

    def train(self, data: LabelledMessages, model_path: Path, *, holdout: float, seed: int, c: float) -> None:
        if not 0 <= holdout <= 0.5:
            raise CommandError("--holdout must be between 0 and 0.5 (e.g. 0.2).")
        counts = Counter(data.labels)
        self.stdout.write(
            f"{len(counts)} categories: " + ", ".join(f"{label} {count:,}" for label, count in counts.most_common())
        )
        evaluation = None
        if holdout:
            train_texts, test_texts, train_labels, test_labels = self._split(data, holdout, seed)
            started = time.perf_counter()
            held_out_model = CategoryModel.train(train_texts, train_labels, c=c)
            self.stdout.write(
                f"Trained on {len(train_texts):,} messages in {time.perf_counter() - started:.1f} s; "
                f"evaluating on the {len(test_texts):,} held out."
            )
            evaluation = evaluate(held_out_model, test_texts, test_labels)
        started = time.perf_counter()
        model = CategoryModel.train(data.texts, data.labels, c=c)
        elapsed = time.perf_counter() - started
        model.save(model_path)
        size = model_path.stat().st_size / 1_000_000
        self.stdout.write(
            f"Trained on {data.used:,} messages in {elapsed:.1f} s; saved the model to {model_path} ({size:.1f} MB)."
        )
        if evaluation is not None:
            self.stdout.write("Hold-out evaluation (model trained without these rows):")
            self.write_evaluation(evaluation)

    def export(self, path: str, *, since: str | None, district: str | None) -> None:
        from huying.workorders.training_data import TrainingDataError, export_dispatch_decisions

        try:
            summary = export_dispatch_decisions(Path(path), since=since, district=district)
        except TrainingDataError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Wrote {summary.rows:,} orders to {path} ({summary.corrected:,} with the category corrected by "
            f"the dispatcher). Train with: python manage.py category_model train --file {path} "
            "--text-column 诉求内容 --label-column 一级分类"
        )

    @staticmethod
    def _split(data: LabelledMessages, holdout: float, seed: int) -> tuple[list[str], list[str], list[str], list[str]]:
        """Stratified split; a category with a single message stays entirely in training."""
        counts = Counter(data.labels)
        singles = [index for index, label in enumerate(data.labels) if counts[label] < 2]
        rest = [index for index, label in enumerate(data.labels) if counts[label] >= 2]
        if len(rest) < 2:
            raise CommandError("Too few messages to hold any out; train without --holdout.")
        rest_labels = [data.labels[index] for index in rest]
        test_size = max(holdout, len(set(rest_labels)) / len(rest))  # at least one per category
        if test_size >= 1 or len(rest) - round(test_size * len(rest)) < len(set(rest_labels)):
            raise CommandError("Too few messages per category to hold some out; train without --holdout.")
        train_index, test_index = train_test_split(rest, test_size=test_size, random_state=seed, stratify=rest_labels)
        train_index = [*train_index, *singles]
        return (
            [data.texts[index] for index in train_index],
            [data.texts[index] for index in test_index],
            [data.labels[index] for index in train_index],
            [data.labels[index] for index in test_index],
        )

    def evaluate(self, data: LabelledMessages, model_path: Path) -> None:
        model = CategoryModel.load(model_path)
        self.stdout.write(
            f"Model {model_path}: {len(model.labels)} categories, trained on {model.trained_on:,} messages "
            f"at {model.trained_at}."
        )
        self.write_evaluation(evaluate(model, data.texts, data.labels))

    def write_evaluation(self, evaluation: Evaluation) -> None:
        write = self.stdout.write
        write(f"messages={evaluation.total}")
        write(f"accuracy={evaluation.accuracy:.3f}")
        # The label goes last: Chinese characters are two columns wide in a terminal.
        write(f"{'precision':>9}  {'recall':>6}  {'f1':>5}  {'support':>7}  label")
        for row in evaluation.per_label:
            write(f"{row.precision:9.3f}  {row.recall:6.3f}  {row.f1:5.3f}  {row.support:7d}  {row.label}")
        write(
            f"{evaluation.macro_precision:9.3f}  {evaluation.macro_recall:6.3f}  {evaluation.macro_f1:5.3f}  "
            f"{evaluation.total:7d}  (macro average)"
        )
        if evaluation.unknown_labels:
            unknown = ", ".join(f"{label} ({count})" for label, count in sorted(evaluation.unknown_labels.items()))
            write(f"Labels the model was not trained on, counted as errors: {unknown}")
        write(f"macro_f1={evaluation.macro_f1:.3f}")

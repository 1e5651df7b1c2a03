"""The foundation apps form layers without cycles, and runtime code never imports the demo.

core (shared pieces: the shell, API errors and types, uploads, rate limits, roles) imports no
other app; audit imports core; organisations imports audit and core; accounts imports
organisations, audit and core. Imports under ``if TYPE_CHECKING:`` are for types only and do
not count."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]
FOUNDATION = ("core", "audit", "organisations", "accounts")
ALLOWED = {
    "core": set(),
    "audit": {"core"},
    "organisations": {"audit", "core"},
    "accounts": {"organisations", "audit", "core"},
}


def _runtime_files(app: str) -> list[Path]:
    return [
        path for path in (PACKAGE / app).rglob("*.py") if "tests" not in path.parts and "migrations" not in path.parts
    ]


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                lines.update(range(inner.lineno, (inner.end_lineno or inner.lineno) + 1))
    return lines


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    skip = _type_checking_lines(tree)
    apps: set[str] = set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "huying" and len(parts) > 1:
                apps.add(parts[1])
    return apps


def test_foundation_apps_import_only_the_layers_below() -> None:
    wrong = []
    for app in FOUNDATION:
        for path in _runtime_files(app):
            extra = (imported_apps(path) & set(FOUNDATION)) - ALLOWED[app] - {app}
            if extra:
                wrong.append(f"{path.relative_to(PACKAGE)} imports {sorted(extra)}")
    assert wrong == []


def test_runtime_code_never_imports_the_demo() -> None:
    wrong = [
        str(path.relative_to(PACKAGE))
        for app_dir in PACKAGE.iterdir()
        if app_dir.is_dir() and app_dir.name != "demo" and (app_dir / "apps.py").exists()
        for path in _runtime_files(app_dir.name)
        if "demo" in imported_apps(path)
    ]
    assert wrong == []


def test_the_checker_sees_function_level_imports_and_skips_type_checking(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from huying.accounts.models import User\n"
        "def f():\n"
        "    from huying.audit.actions import record\n"
        "    import huying.organisations.models\n"
    )
    assert imported_apps(module) == {"audit", "organisations"}

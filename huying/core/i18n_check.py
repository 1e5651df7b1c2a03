"""The translation gate: finds visible text nobody marked for translation, and marked
strings that have no Simplified Chinese translation.

Pure Python (Django's template lexer, ``html.parser``, ``ast``, ``polib``); it needs no GNU
gettext. Used by ``huying/core/tests/test_i18n.py``.

Two checks:

1. **Unmarked template text.** Every template is lexed with Django's lexer; text outside
   ``{% translate %}`` / ``{% blocktranslate %}`` is parsed as HTML and any data that still
   contains words (two or more letters in a row, or any CJK character) is reported, as is
   literal text in the ``alt``, ``title``, ``placeholder`` and ``aria-label`` attributes
   (and ``value`` of buttons). Script and style bodies, HTML comments, template comments,
   tag names, other attributes, entities, digits and punctuation are ignored, and so are
   lone lowercase code names joined by ``-`` or ``_`` (CSS classes filling a parent's
   attribute through a ``{% block %}``).
2. **Catalogue completeness.** The msgids used in templates (found with Django's own
   ``templatize``, the function ``makemessages`` uses, so ``{{ var }}`` becomes ``%(var)s``,
   plurals, ``trimmed`` and contexts match exactly) and in Python code (``ast``: calls to
   ``_``, ``gettext``, ``ngettext``, ``pgettext`` … with literal strings) must each have a
   non-empty, non-fuzzy zh_Hans entry in the catalogue of the app that uses them, unless
   Django (or a third-party app) already translates the string itself.

Code outside an app (``huying/settings.py``, ``huying/api.py``, …) belongs to ``core``.
"""

from __future__ import annotations

import ast
import gettext as gettext_module
import io
import re
import tokenize
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import polib
from django.template.base import DebugLexer, TokenType
from django.utils.translation.template import templatize

LANGUAGE = "zh_Hans"
DEFAULT_APP = "core"

# Two letters of any script in a row, or any single CJK / kana / hangul character.
_WORD_RE = re.compile(r"[^\W\d_]{2,}")
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
# Stands for a template tag or variable in the HTML handed to the parser: a private-use
# character, so neither a letter nor markup.
_PLACEHOLDER = "\ue000"
# CSS class and code names (``error-page``, ``area-``, ``body_class``): a child template's
# block may fill an attribute of its parent, e.g. {% block body_class %}home-page{% endblock %}.
_CODE_NAME_RE = re.compile(r"(?<![^\s\ue000])[a-z0-9]+(?:[-_][a-z0-9]*)+(?![^\s\ue000])")
TEXT_ATTRIBUTES = frozenset({"alt", "title", "placeholder", "aria-label", "aria-description"})
BUTTON_INPUT_TYPES = frozenset({"submit", "button", "reset"})


def has_words(text: str) -> bool:
    """Whether ``text`` contains human-language words (Latin words or CJK characters)."""
    return bool(_WORD_RE.search(text) or _CJK_RE.search(text))


@dataclass(frozen=True)
class Unmarked:
    """Visible text in a template that is not marked for translation."""

    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text!r}"


@dataclass(frozen=True)
class Message:
    """A msgid used in code or a template."""

    msgid: str
    path: str
    line: int
    plural: str | None = None
    context: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.context or "", self.msgid)

    def __str__(self) -> str:
        ctx = f" [context {self.context!r}]" if self.context else ""
        return f"{self.path}:{self.line}: {self.msgid!r}{ctx}"


# --- 1. Unmarked template text -------------------------------------------------------------


def _html_with_placeholders(source: str) -> str:
    """The template as HTML: tags, variables and translated blocks become placeholders
    (keeping their line breaks, so line numbers stay right); other text stays as is."""
    parts: list[str] = []
    in_translation = in_comment = False
    for token in DebugLexer(source).tokenize():
        raw = source[token.position[0] : token.position[1]] if token.position else token.contents
        hidden = _PLACEHOLDER + "\n" * raw.count("\n")
        if token.token_type == TokenType.TEXT:
            parts.append(hidden if in_translation or in_comment else raw)
            continue
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split(maxsplit=1)[0] if token.contents.strip() else ""
            if name in ("blocktranslate", "blocktrans"):
                in_translation = True
            elif name in ("endblocktranslate", "endblocktrans"):
                in_translation = False
            elif name == "comment":
                in_comment = True
            elif name == "endcomment":
                in_comment = False
        parts.append(hidden)
    return "".join(parts)


class _TextScanner(HTMLParser):
    def __init__(self, path: str, allowed: Collection[str]) -> None:
        super().__init__(convert_charrefs=False)
        self.path = path
        self.allowed = allowed
        self.raw_element: str | None = None
        self.found: list[Unmarked] = []

    def _report(self, text: str, line: int) -> None:
        shown = " ".join(text.replace(_PLACEHOLDER, "{…}").split())
        if shown in self.allowed or not has_words(_CODE_NAME_RE.sub(" ", text.replace(_PLACEHOLDER, " "))):
            return
        self.found.append(Unmarked(self.path, line, shown))

    def _attributes(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        values = dict(attrs)
        for name, value in attrs:
            checked = name in TEXT_ATTRIBUTES or (
                name == "value" and tag == "input" and (values.get("type") or "").lower() in BUTTON_INPUT_TYPES
            )
            if checked and value:
                self._report(value, line)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attributes(tag, attrs)
        if tag in ("script", "style"):
            self.raw_element = tag

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attributes(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == self.raw_element:
            self.raw_element = None

    def handle_data(self, data: str) -> None:
        if self.raw_element or not data.strip():
            return
        leading = data[: len(data) - len(data.lstrip())]
        line = self.getpos()[0] + leading.count("\n")
        self._report(data, line)

    # Entities (&nbsp; &#8594;), comments and declarations carry no words to translate.
    def handle_entityref(self, name: str) -> None:
        pass

    def handle_charref(self, name: str) -> None:
        pass

    def handle_comment(self, data: str) -> None:
        pass


def unmarked_text(source: str, path: str = "<template>", allowed: Collection[str] = ()) -> list[Unmarked]:
    """Visible text in the template ``source`` that is not marked for translation.

    ``allowed`` lists exact texts that are meant to stay as they are (brand names,
    language names written in their own language)."""
    scanner = _TextScanner(path, allowed)
    scanner.feed(_html_with_placeholders(source))
    scanner.close()
    return scanner.found


# --- 2. Messages used ------------------------------------------------------------------------

_TEMPLATE_FUNCS = {"gettext": "s", "_": "s", "pgettext": "p", "ngettext": "n", "npgettext": "np"}
PYTHON_FUNCS = {
    "_": "s",
    "gettext": "s",
    "gettext_lazy": "s",
    "gettext_noop": "s",
    "ngettext": "n",
    "ngettext_lazy": "n",
    "pgettext": "p",
    "pgettext_lazy": "p",
    "npgettext": "np",
    "npgettext_lazy": "np",
}


def _message(kind: str, args: list[str | None], path: str, line: int) -> Message | None:
    """Build a message from the literal arguments of a gettext-family call (``None``
    stands for a non-literal argument)."""
    try:
        if kind == "s":
            msgid, plural, context = args[0], None, None
        elif kind == "n":
            msgid, plural, context = args[0], args[1], None
        elif kind == "p":
            context, msgid, plural = args[0], args[1], None
        else:
            context, msgid, plural = args[0], args[1], args[2]
    except IndexError:
        return None
    if msgid is None or (kind in ("p", "np") and context is None) or (kind in ("n", "np") and plural is None):
        return None
    return Message(msgid, path, line, plural, context)


def template_messages(source: str, path: str = "<template>") -> list[Message]:
    """The msgids a template uses, exactly as ``makemessages`` extracts them."""
    code = templatize(source, origin=path)
    # templatize blanks out everything but the gettext calls; make the rest plain spaces
    # so Python's tokenizer reads it (line breaks are kept: line numbers stay right).
    code = "\n".join(re.sub(r"\s", " ", line).lstrip() for line in code.split("\n"))
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(code).readline) if t.type != tokenize.COMMENT]
    found: list[Message] = []
    i = 0
    while i < len(tokens) - 1:
        tok = tokens[i]
        if tok.type == tokenize.NAME and tok.string in _TEMPLATE_FUNCS and tokens[i + 1].string == "(":
            args: list[str | None] = []
            current: str | None = None
            depth, j = 0, i + 1
            while j < len(tokens):
                t = tokens[j]
                if t.string == "(":
                    depth += 1
                elif t.string == ")":
                    depth -= 1
                    if depth == 0:
                        break
                elif t.string == "," and depth == 1:
                    args.append(current)
                    current = None
                elif t.type == tokenize.STRING and depth == 1:
                    current = (current or "") + ast.literal_eval(t.string)
                j += 1
            args.append(current)
            message = _message(_TEMPLATE_FUNCS[tok.string], args, path, tok.start[0])
            if message is not None:
                found.append(message)
            i = j
        i += 1
    return found


def python_messages(source: str, path: str = "<python>") -> list[Message]:
    """The msgids a Python module uses: literal arguments of gettext-family calls,
    including aliases such as ``from django.utils.translation import gettext_lazy as _``."""
    tree = ast.parse(source, filename=path)
    names = {name: name for name in PYTHON_FUNCS}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
            for alias in node.names:
                if alias.name in PYTHON_FUNCS:
                    names[alias.asname or alias.name] = alias.name
    found: list[Message] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        if called not in names:
            continue
        args = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in node.args]
        message = _message(PYTHON_FUNCS[names[called]], args, path, node.lineno)
        if message is not None:
            found.append(message)
    return found


# --- The project's files -------------------------------------------------------------------


def app_names(package_dir: Path) -> list[str]:
    return sorted(p.parent.name for p in package_dir.glob("*/apps.py"))


def app_of(path: Path, package_dir: Path) -> str:
    """The app a file belongs to; files outside any app belong to ``core``."""
    relative = path.relative_to(package_dir)
    first = relative.parts[0]
    return first if len(relative.parts) > 1 and (package_dir / first / "apps.py").exists() else DEFAULT_APP


def template_files(package_dir: Path) -> list[Path]:
    return sorted(package_dir.glob("*/templates/**/*.html"))


def python_files(package_dir: Path) -> Iterator[Path]:
    for path in sorted(package_dir.rglob("*.py")):
        parts = path.relative_to(package_dir).parts
        if "tests" in parts or "migrations" in parts:
            continue
        yield path


# --- 3. Catalogues ---------------------------------------------------------------------------


def catalogue_path(package_dir: Path, app: str) -> Path:
    return package_dir / app / "locale" / LANGUAGE / "LC_MESSAGES" / "django.po"


def _is_translated(entry: polib.POEntry) -> bool:
    if entry.obsolete or entry.fuzzy:
        return False
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def translated_keys(po_path: Path) -> set[tuple[str, str]]:
    """(context, msgid) of every usable translation in a .po file (none if it is absent)."""
    if not po_path.exists():
        return set()
    return {(e.msgctxt or "", e.msgid) for e in polib.pofile(str(po_path)) if _is_translated(e)}


def fuzzy_entries(po_path: Path) -> list[str]:
    if not po_path.exists():
        return []
    return [e.msgid for e in polib.pofile(str(po_path)) if e.fuzzy and not e.obsolete]


def third_party_keys(locale_dirs: Iterable[Path], language: str = LANGUAGE) -> set[tuple[str, str]]:
    """(context, msgid) of the strings Django and third-party apps already translate,
    read from their compiled catalogues."""
    keys: set[tuple[str, str]] = set()
    for locale_dir in locale_dirs:
        catalogue = gettext_module.translation("django", str(locale_dir), [language], fallback=True)
        for key, value in getattr(catalogue, "_catalog", {}).items():
            msgid = key[0] if isinstance(key, tuple) else key
            if not msgid or not value:
                continue
            context, _sep, rest = msgid.rpartition("\x04")
            keys.add((context, rest))
    return keys


def third_party_locale_dirs() -> list[Path]:
    """Django's own catalogue and those of installed apps that are not ours."""
    import django
    from django.apps import apps

    dirs = [Path(django.__file__).parent / "conf" / "locale"]
    dirs += [Path(app.path) / "locale" for app in apps.get_app_configs() if not app.name.startswith("huying.")]
    return [d for d in dirs if d.is_dir()]


def missing_translations(
    messages: Iterable[Message],
    catalogue: Collection[tuple[str, str]],
    provided: Collection[tuple[str, str]] = frozenset(),
) -> list[Message]:
    """The messages with no usable translation in ``catalogue`` nor in ``provided``."""
    return [m for m in messages if m.key not in catalogue and m.key not in provided]


# --- The whole project -----------------------------------------------------------------------


@dataclass
class AppReport:
    app: str
    unmarked: list[Unmarked] = field(default_factory=list)
    missing: list[Message] = field(default_factory=list)
    fuzzy: list[str] = field(default_factory=list)

    @property
    def missing_msgids(self) -> set[tuple[str, str]]:
        return {m.key for m in self.missing}


def check_project(package_dir: Path, allowed_text: Collection[str] = ()) -> dict[str, AppReport]:
    """Run both checks over every app under ``package_dir`` (the ``huying`` package)."""
    root = package_dir.parent
    reports = {app: AppReport(app) for app in app_names(package_dir)}
    reports.setdefault(DEFAULT_APP, AppReport(DEFAULT_APP))
    used: dict[str, list[Message]] = {app: [] for app in reports}
    for path in template_files(package_dir):
        app = app_of(path, package_dir)
        source = path.read_text(encoding="utf-8")
        shown = str(path.relative_to(root))
        reports[app].unmarked += unmarked_text(source, shown, allowed_text)
        used[app] += template_messages(source, shown)
    for path in python_files(package_dir):
        used[app_of(path, package_dir)] += python_messages(
            path.read_text(encoding="utf-8"), str(path.relative_to(root))
        )
    provided = third_party_keys(third_party_locale_dirs())
    for app, report in reports.items():
        po_path = catalogue_path(package_dir, app)
        seen: set[tuple[str, str]] = set()
        for message in missing_translations(used[app], translated_keys(po_path), provided):
            if message.key not in seen:  # report each msgid once, at its first use
                seen.add(message.key)
                report.missing.append(message)
        report.fuzzy = fuzzy_entries(po_path)
    return reports

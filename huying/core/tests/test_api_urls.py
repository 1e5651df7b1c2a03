"""The API's URL patterns grouped under their first segment (huying/api.py
``nest_by_first_segment``) answer every path as ninja's flat list does."""

import itertools
import re

from django.urls import URLPattern, URLResolver, include, path, resolve, reverse
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern
from ninja import NinjaAPI

from huying.api import api, nest_by_first_segment

PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def _view(name):
    def view(request):  # pragma: no cover - never called: only resolved
        return name

    view.__name__ = name
    return view


def _samples(route: str, words: list[str]) -> list[str]:
    """Concrete paths for ``route``: each parameter filled with a number, a work-order
    number, or a word — a made-up one and every plain segment of the API's routes (the
    paths where a parameter and a fixed route compete)."""
    choices = []
    for converter, _name in PARAM.findall(route):
        if converter == "int":
            choices.append(["7"])
        elif converter == "order":
            choices.append(["LW-2026-000123"])
        else:
            choices.append(["abc", *words])
    paths = []
    for filling in itertools.product(*choices):
        values = iter(filling)
        paths.append(PARAM.sub(lambda _m, values=values: next(values), route))
    return paths[:400]


def _answer(resolver: URLResolver, path_: str):
    try:
        match = resolver.resolve(path_)
    except Resolver404:
        return None
    func = match.func
    # Each list has its own view functions: ninja wraps each path's operations anew (the
    # wrapper's one closure cell is the path's operations), the schema and docs views
    # are partials (same function, same arguments).
    if hasattr(func, "keywords"):
        view = (func.func, func.keywords)
    else:
        view = (func.__code__, tuple(cell.cell_contents for cell in func.__closure__ or ()))
    return (view, match.url_name, match.route, match.kwargs)


def test_every_path_of_the_api_resolves_to_the_view_the_flat_list_names():
    flat = NinjaAPI._get_urls(api)
    nested = api.urls[0]
    assert len(nested) < len(flat) / 4  # grouped (42 entries for 260 paths when written)
    routes = [str(p.pattern) for p in flat]
    words = sorted({w for r in routes for w in r.split("/") if w and "<" not in w})
    by_flat = URLResolver(RegexPattern(r"^"), flat)
    by_nested = URLResolver(RegexPattern(r"^"), nested)
    checked = 0
    for route in routes:
        for sample in _samples(route, words):
            expected = _answer(by_flat, sample)
            assert expected is not None, sample
            assert _answer(by_nested, sample) == expected, sample
            checked += 1
    assert checked > len(flat)
    # paths no pattern has
    for sample in ("workorders/nothing/here", "nothing", "workorders/", "workorders/intake/hotline/"):
        assert _answer(by_nested, sample) == _answer(by_flat, sample)


def test_names_reverse_to_the_same_paths():
    assert reverse("api:intake_hotline") == "/api/v1/workorders/intake/hotline"
    match = resolve("/api/v1/workorders/intake/hotline")
    assert (match.url_name, match.namespace) == ("intake_hotline", "api")
    assert match.route == "api/v1/workorders/intake/hotline"


def test_a_pattern_that_may_match_any_segment_keeps_its_precedence():
    a, b, c, d = _view("a"), _view("b"), _view("c"), _view("d")
    flat = [
        path("x/one", a, name="a"),
        path("<slug:anything>/one", b, name="b"),
        path("x/two", c, name="c"),
        path("y/one", d, name="d"),
        path("y", d, name="y"),
    ]
    nested = nest_by_first_segment(flat)
    # the groups around the converter stay apart: "x/one" before it, "x/two" after it
    assert [type(p).__name__ for p in nested] == [
        "URLResolver",
        "URLPattern",
        "URLResolver",
        "URLResolver",
        "URLPattern",
    ]
    resolver = URLResolver(RegexPattern(r"^"), nested)
    assert resolver.resolve("x/one").url_name == "a"
    assert resolver.resolve("z/one").url_name == "b"
    assert resolver.resolve("x/two").url_name == "c"
    assert resolver.resolve("y/one").url_name == "b"  # as in the flat list: the converter comes first
    assert resolver.resolve("y").url_name == "y"


def test_groups_keep_the_views_arguments():
    view = _view("v")
    [group] = nest_by_first_segment([path("x/one", view, {"flag": True}, name="v"), path("x/two", view, name="w")])
    assert isinstance(group, URLResolver)
    match = URLResolver(RegexPattern(r"^"), [group]).resolve("x/one")
    assert (match.func, match.kwargs, match.url_name) == (view, {"flag": True}, "v")
    assert isinstance(group.url_patterns[0], URLPattern)


def test_include_of_the_api_still_mounts_under_its_prefix():
    patterns, app_name, namespace = api.urls
    resolver = URLResolver(RegexPattern(r"^/"), [path("api/v1/", include((patterns, app_name), namespace=namespace))])
    assert resolver.resolve("/api/v1/workorders/intake/hotline").url_name == "intake_hotline"

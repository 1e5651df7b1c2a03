"""The OpenAPI document tells the truth: one schema per name, every integer input bounded,
every operation documents the error answers it can give."""

from __future__ import annotations

import json
import typing
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from ninja.responses import NinjaJSONEncoder
from pydantic import BaseModel

from huying.api import api
from huying.core.api_types import BIGINT_MAX


def _operations() -> Iterator[tuple[str, Any]]:
    for router in api._get_bound_routers():
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                yield router.prefix + path, operation


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for arg in typing.get_args(annotation):
        yield from _models_in(arg)


def _all_schema_classes() -> dict[str, set[type[BaseModel]]]:
    """Every pydantic class reachable from an operation's inputs and answers, by the name
    the OpenAPI document gives it (its class name; ninja's own wrappers excluded)."""
    found: dict[str, set[type[BaseModel]]] = defaultdict(set)
    todo: list[type[BaseModel]] = []
    for _path, operation in _operations():
        todo += list(operation.models)
        todo += [m for m in operation.response_models.values() if isinstance(m, type) and issubclass(m, BaseModel)]
    seen: set[type[BaseModel]] = set()
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        if model.__module__.startswith("huying."):
            found[model.__name__].add(model)
        for field in model.model_fields.values():
            todo += list(_models_in(field.annotation))
    return found


def test_schema_names_are_unique():
    """Two classes of one name share one entry in the document: one of them is described
    wrongly (``AssignmentOut`` of proposals documented as the work orders' one)."""
    collisions = {
        name: sorted(f"{c.__module__}.{c.__qualname__}" for c in classes)
        for name, classes in _all_schema_classes().items()
        if len(classes) > 1
    }
    assert collisions == {}


def _openapi() -> dict[str, Any]:
    """The document as a client reads it (JSON: status codes are strings)."""
    return json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1/"), cls=NinjaJSONEncoder))


def _unbounded_integers(node: Any, components: dict[str, Any], where: str, seen: frozenset[str]) -> Iterator[str]:
    if isinstance(node, list):
        for item in node:
            yield from _unbounded_integers(item, components, where, seen)
        return
    if not isinstance(node, dict):
        return
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            yield from _unbounded_integers(components[name], components, f"{where}→{name}", seen | {name})
        return
    if node.get("type") == "integer" and "enum" not in node and node.get("maximum", BIGINT_MAX + 1) > BIGINT_MAX:
        yield where
    for key, value in node.items():
        if key == "properties":
            for prop, schema in value.items():
                yield from _unbounded_integers(schema, components, f"{where}.{prop}", seen)
        elif key in ("items", "anyOf", "oneOf", "allOf", "additionalProperties"):
            yield from _unbounded_integers(value, components, where, seen)


def test_every_integer_input_is_bounded():
    """A number past 64 bits used to reach the database (HTTP 500); every integer a client
    sends has a documented maximum that fits the column."""
    document = _openapi()
    components = document["components"]["schemas"]
    unbounded = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            for parameter in operation.get("parameters", []):
                where = f"{method.upper()} {path} {parameter['name']}"
                unbounded += _unbounded_integers(parameter["schema"], components, where, frozenset())
            for content in operation.get("requestBody", {}).get("content", {}).values():
                unbounded += _unbounded_integers(
                    content["schema"], components, f"{method.upper()} {path} body", frozenset()
                )
    assert unbounded == []


def test_every_operation_documents_its_errors():
    document = _openapi()
    missing = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            documented = set(operation["responses"])
            needed = set()
            if operation.get("security"):
                needed |= {"401", "403"}
            if "{" in path:
                needed.add("404")
            if operation.get("parameters") or operation.get("requestBody"):
                needed.add("422")
            for code in sorted(needed - documented):
                missing.append(f"{method.upper()} {path} {code}")
            for code in needed & documented:
                ref = operation["responses"][code]["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/ErrorOut"), (method, path, code)
    assert missing == []


def test_reply_documents_the_fields_the_server_requires():
    """The reply endpoint refuses a reply without its text, manner, contact and signature:
    the document says so."""
    document = _openapi()
    body = document["paths"]["/api/v1/proposals/assignments/{pk}/reply"]["post"]["requestBody"]["content"]
    schema = next(iter(body.values()))["schema"]
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    assert set(schema.get("required", [])) >= {"reply_class", "reference_number", "contact_person", "body"}

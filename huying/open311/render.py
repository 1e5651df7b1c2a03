"""Answers in the two GeoReport v2 formats: JSON (bare arrays or objects) and XML built with
ElementTree, using the spec's element names. Errors are ``[{"code", "description"}]`` /
``<errors><error><code/><description/></error></errors>`` with the same HTTP status."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from django.http import HttpResponse

FORMATS = ("json", "xml")
JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "application/xml; charset=utf-8"

# The element name of each item of a list, by the list's element name.
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list):
        item_name = ITEM_NAMES.get(element.tag, "item")
        for item in value:
            _fill(ET.SubElement(element, item_name), item)
    else:
        element.text = _text(value)


def to_xml(root_name: str, value: Any) -> bytes:
    root = ET.Element(root_name)
    _fill(root, value)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def respond(fmt: str, root_name: str, value: Any, status: int = 200) -> HttpResponse:
    """``value`` as JSON, or as XML under ``<root_name>`` (lists become repeated items)."""
    if fmt == "xml":
        return HttpResponse(to_xml(root_name, value), content_type=XML_TYPE, status=status)
    return HttpResponse(json.dumps(value, ensure_ascii=False), content_type=JSON_TYPE, status=status)


def error(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    """The spec's error answer: one ``{code, description}`` per problem."""
    body = [{"code": status, "description": str(d)} for d in descriptions]
    return respond(fmt if fmt in FORMATS else "json", "errors", body, status=status)

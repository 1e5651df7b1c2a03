"""Small helpers shared by the Open311 tests."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
import zlib
from typing import Any

BASE = "/open311/v2"
# W3C ISO 8601 with seconds and an explicit offset (the spec wants a time zone).
DATETIME_RE = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$"


def tiny_png() -> bytes:
    """A real 1×1 PNG, built here."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def xml_root(response: Any) -> ET.Element:
    assert response["Content-Type"].startswith("application/xml")
    return ET.fromstring(response.content)  # noqa: S314 - our own answer, in a test


def xml_errors(response: Any) -> list[tuple[str, str]]:
    root = xml_root(response)
    assert root.tag == "errors"
    return [(e.findtext("code") or "", e.findtext("description") or "") for e in root.findall("error")]


def post_data(api_key: str, /, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "api_key": api_key,
        "jurisdiction_id": "440103",
        "service_code": "01",
        "lat": "23.108",
        "long": "113.243",
        "address_string": "沙面大街1号",
        "description": "沙面大街路口有人乱摆卖，占用人行道。",
        "first_name": "三",
        "last_name": "张",
        "phone": "13812341234",
        "attribute[nature]": "complaint",
        "attribute[urgency]": "normal",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}

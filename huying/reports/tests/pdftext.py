"""Reads the text of a reportlab PDF without a PDF library (none is installed): each
content stream is ASCII85 + Flate decoded, the strings shown (``(...) Tj``) are unescaped
and, for the CID font (UniGB-UCS2-H), read as UTF-16BE."""

from __future__ import annotations

import base64
import re
import zlib

_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"(": b"(", b")": b")", b"\\": b"\\"}


def _unescape(raw: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(raw):
        c = raw[i : i + 1]
        if c == b"\\" and i + 1 < len(raw):
            nxt = raw[i + 1 : i + 2]
            if nxt in _ESCAPES:
                out += _ESCAPES[nxt]
                i += 2
                continue
            m = re.match(rb"[0-7]{1,3}", raw[i + 1 : i + 4])
            if m:
                out.append(int(m.group(0), 8) & 0xFF)
                i += 1 + len(m.group(0))
                continue
            i += 1
            continue
        out += c
        i += 1
    return bytes(out)


def page_count(data: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b(?!s)", data))


def pdf_text(data: bytes) -> str:
    texts = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", data, re.S):
        body = stream.strip()
        try:
            if body.endswith(b"~>"):
                body = base64.a85decode(body[:-2])
            body = zlib.decompress(body)
        except Exception:  # noqa: S112 - not a content stream (font data and the like)
            continue
        for raw in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", body, re.S):
            s = _unescape(raw)
            try:
                texts.append(
                    s.decode("utf-16-be") if (len(s) % 2 == 0 and b"\x00" in s) or _cjk(s) else s.decode("latin-1")
                )
            except UnicodeDecodeError:
                texts.append(s.decode("latin-1"))
    return "".join(texts)


def _cjk(s: bytes) -> bool:
    try:
        return len(s) % 2 == 0 and any("\u4e00" <= ch <= "\u9fff" for ch in s.decode("utf-16-be"))
    except UnicodeDecodeError:
        return False

"""The check-in QR code, drawn as inline SVG in the page (no outside service)."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from django.utils.safestring import SafeString, mark_safe


def svg(data: str) -> SafeString:
    """An SVG ``<svg>`` element (no XML declaration) encoding ``data``; it scales with CSS."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    text = buffer.getvalue().decode("utf-8")
    start = text.find("<svg")
    # Only our own generator's output, from a URL we built: safe to put in the page.
    return mark_safe(text[start:])

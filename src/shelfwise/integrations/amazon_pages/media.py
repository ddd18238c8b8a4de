"""The product's main image and its gallery."""

import json
import re

from shelfwise.integrations.amazon_pages.document import Document

_MAIN = ("landingImage", "imgBlkFront", "ebooksImgBlkFront", "main-image")
_GALLERY_START = b"'colorImages'"
_GALLERY_ITEM = re.compile(
    rb'"hiRes":\s*(?:"(https?://[^"]+)"|null)[^{}]*?"large":\s*"(https?://[^"]+)"'
)


def main_image(document: Document, gallery: list[str]) -> str | None:
    """The main image as the page shows it (its high-resolution version when it names one)."""
    for identifier in _MAIN:
        node = document.by_id(identifier)
        if node is None:
            continue
        attributes = node.attributes
        for name in ("data-old-hires", "src"):
            value = (attributes.get(name) or "").strip()
            if value.startswith(("https://", "http://")):
                return value
        dynamic = _largest_dynamic_image(attributes.get("data-a-dynamic-image"))
        if dynamic:
            return dynamic
    return gallery[0] if gallery else None


def gallery(document: bytes) -> list[str]:
    """The images of the page's initial gallery script, largest version of each."""
    start = document.find(_GALLERY_START)
    if start < 0:
        return []
    end = document.find(b"}]", start)
    window = document[start : end if end > 0 else start + 65536]
    images: dict[str, None] = {}
    for match in _GALLERY_ITEM.finditer(window):
        url = (match.group(1) or match.group(2)).decode("utf-8", "replace")
        images.setdefault(url)
    return list(images)


def _largest_dynamic_image(value: str | None) -> str | None:
    # data-a-dynamic-image is {"url": [width, height], ...}
    if not value:
        return None
    try:
        sizes = json.loads(value)
    except ValueError:
        return None
    if not isinstance(sizes, dict) or not sizes:
        return None
    candidates = [
        (size[0] * size[1], url)
        for url, size in sizes.items()
        if isinstance(url, str)
        and isinstance(size, list)
        and len(size) == 2
        and all(isinstance(number, int) for number in size)
    ]
    return max(candidates)[1] if candidates else None

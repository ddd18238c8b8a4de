"""The saved Amazon pages of ../shared/data/amazon_pages and their hand-read manifest."""

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from shelfwise.integrations.amazon_pages import ProductPage, parse_page

MANIFEST = (
    Path(__file__).resolve().parents[4] / "shared" / "data" / "amazon_pages" / "manifest.json"
)


def manifest_pages() -> list[dict[str, Any]]:
    """Manifest entries for parametrizing at collection; empty when the data is absent."""
    if not MANIFEST.is_file():
        return []
    pages: list[dict[str, Any]] = json.loads(MANIFEST.read_text(encoding="utf-8"))["pages"]
    return pages


@pytest.fixture
def pages_dir(shared_data: Path) -> Path:
    return shared_data / "amazon_pages"


@cache
def parsed(path: Path, url: str | None = None) -> ProductPage:
    """Each saved page parsed once per session: they are megabytes each."""
    return parse_page(path.read_bytes(), url=url)


@cache
def page_bytes(path: Path) -> bytes:
    return path.read_bytes()

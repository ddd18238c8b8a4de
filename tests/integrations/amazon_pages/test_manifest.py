"""Every saved page against the values read from it by hand (manifest.json)."""

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from shelfwise.integrations.amazon_pages import PageType
from tests.integrations.amazon_pages.conftest import manifest_pages, parsed

# The 503 page names no marketplace; the scraper always knows the URL it fetched.
URLS = {"error503_es_2025_mobile.html": "https://www.amazon.es/"}
# Where the hand-read manifest records more than one value in a field, or stops short.
CORRECTIONS: dict[str, dict[str, Any]] = {
    # "Cat Footwear (Marca: CAT)": the byline's store is Cat Footwear, the details say CAT.
    "B0B4W57HC3_commx_2026.html": {"brand": "Cat Footwear"},
    # The page prints four ranks; the manifest copied the first two.
    "B0011UCPM4_com_2017_kindle.html": {
        "bsr_extra": [
            {
                "rank": 150,
                "category": "Kindle Store > Kindle eBooks > Literature & Fiction > "
                "Action & Adventure > Mystery, Thriller & Suspense > Suspense",
            },
            {
                "rank": 156,
                "category": "Books > Mystery, Thriller & Suspense > Mystery > "
                "International Mystery & Crime",
            },
        ]
    },
}
PAGES = manifest_pages()


def expected_page_type(manifest_type: str) -> PageType:
    if manifest_type.startswith("captcha"):
        return PageType.CAPTCHA
    if manifest_type.startswith("sign-in"):
        return PageType.SIGNIN
    if manifest_type.startswith("503") or "error state" in manifest_type:
        return PageType.ERROR
    return PageType.PRODUCT


def money(entry: dict[str, Any] | None, currency: str | None) -> tuple[Decimal, str] | None:
    if entry is None:
        return None
    return Decimal(str(entry["amount"])), entry.get("currency", currency)


@pytest.mark.skipif(not PAGES, reason="../shared/data/amazon_pages is not beside the project")
@pytest.mark.parametrize("entry", PAGES, ids=[entry["file"] for entry in PAGES])
def test_page_matches_manifest(pages_dir: Path, entry: dict[str, Any]) -> None:
    corrections = CORRECTIONS.get(entry["file"], {})
    result = parsed(pages_dir / entry["file"], URLS.get(entry["file"])).to_json()
    page_type = expected_page_type(entry["page_type"])

    assert result["page_type"] == page_type.value
    assert result["asin"] == entry["asin"]
    assert result["marketplace"] == entry["marketplace"]
    if page_type is not PageType.PRODUCT:
        assert result["title"] is None
        assert result["price"] is None
        return
    currency = entry["price"]["currency"] if entry["price"] else None
    assert result["title"] == entry["title"]
    assert result["brand"] == corrections.get("brand", entry["brand"])
    assert _amounts(result["price"]) == money(entry["price"], currency)
    assert _amounts(result["list_price"]) == money(entry.get("list_price"), currency)
    assert result["rating"] == entry["rating"]
    assert result["review_count"] == entry["review_count"]
    assert result["availability"] == entry["availability"]
    assert result["bsr"] == (entry["bsr"] or []) + corrections.get("bsr_extra", [])
    assert result["main_image"] == entry["main_image"]
    assert result["is_deal"] is (entry["deal"] is not None)


def _amounts(value: dict[str, str] | None) -> tuple[Decimal, str] | None:
    # The JSON amount "8.00" is the manifest's 8.0: compared as decimals, exactly.
    return (Decimal(value["amount"]), value["currency"]) if value is not None else None

"""`shelfwise parse-page FILE [--url URL] --json`."""

import json
from pathlib import Path

from typer.testing import CliRunner

from shelfwise.cli import app

KEYS = [
    "page_type", "asin", "marketplace", "title", "brand", "price", "list_price", "rating",
    "review_count", "availability", "in_stock", "bsr", "main_image", "images", "bullets",
    "is_deal",
]  # fmt: skip


def test_parse_page_prints_one_json_object(pages_dir: Path) -> None:
    path = pages_dir / "B0057OC5O8_com_2024.html"
    result = CliRunner().invoke(app, ["parse-page", str(path), "--json"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    page = json.loads(lines[0])
    assert list(page) == KEYS
    assert page["price"] == {"amount": "8.99", "currency": "USD"}
    assert page["bsr"][0] == {"rank": 420998, "category": "Automotive"}
    assert (page["page_type"], page["asin"], page["rating"]) == ("product", "B0057OC5O8", 4.6)


def test_parse_page_takes_the_marketplace_from_url(pages_dir: Path) -> None:
    path = pages_dir / "error503_es_2025_mobile.html"
    arguments = ["parse-page", str(path), "--url", "https://www.amazon.es/dp/B01MUGXRT9", "--json"]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 0, result.output
    page = json.loads(result.stdout)
    assert (page["page_type"], page["marketplace"], page["asin"]) == (
        "error",
        "amazon.es",
        "B01MUGXRT9",
    )


def test_parse_page_of_a_missing_file_fails(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["parse-page", str(tmp_path / "missing.html"), "--json"])
    assert result.exit_code == 1
    assert "cannot read" in result.output

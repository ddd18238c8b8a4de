"""`shelfwise fetch ASIN… [--marketplace] [--org] [--json]` on the embedded database."""

import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shelfwise.cli import app
from shelfwise.platform.settings import get_settings


@pytest.fixture
def cli_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A SQLite data dir with the demo organization, found through the environment."""
    for name in list(os.environ):
        if name.startswith("SHELFWISE_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env file
    monkeypatch.setenv("SHELFWISE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SHELFWISE_LOG_LEVEL", "WARNING")
    monkeypatch.setenv("SHELFWISE_LOG_JSON", "false")
    monkeypatch.setenv("SHELFWISE_DEMO_MARKETPLACE", "true")
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["demo"])
        assert result.exit_code == 0, result.output
        yield tmp_path
    finally:
        get_settings.cache_clear()
        root.handlers[:] = handlers  # the CLI configures logging for its own process
        root.setLevel(level)


def test_fetch_prints_demo_items_as_json(cli_environment: Path) -> None:
    result = CliRunner().invoke(app, ["fetch", "b0bjqrxjzd,ZZZZZZZZZZ", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert (body["marketplace"], body["demo"]) == ("amazon.com", True)
    first, missing = body["items"]
    assert (first["asin"], first["title"], first["price"], first["deal_score"]) == (
        "B0BJQRXJZD",
        "Einhell Screwdriver Bit Set 100-Piece",
        "25.40",
        3.2,
    )
    assert missing == {
        "asin": "ZZZZZZZZZZ",
        "error": {"code": "not_found", "message": "Amazon has no item ZZZZZZZZZZ in amazon.com."},
    }


def test_fetch_prints_a_line_per_asin(cli_environment: Path) -> None:
    result = CliRunner().invoke(app, ["fetch", "B0BJQRXJZD", "bad", "--marketplace", "amazon.com"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "B0BJQRXJZD  25.40 USD  deal 3.2  Einhell Screwdriver Bit Set 100-Piece  [demo]",
        "BAD  error invalid_asin: Not an ASIN: an ASIN is 10 letters and digits.",
    ]


def test_fetch_refuses_a_bad_marketplace(cli_environment: Path) -> None:
    result = CliRunner().invoke(app, ["fetch", "B0BJQRXJZD", "--marketplace", "ebay.com"])
    assert result.exit_code == 1
    assert "is not an Amazon marketplace" in result.output

"""Browser-test harness: the real app served by uvicorn on 127.0.0.1, Debian's chromium driven
by Playwright (never `playwright install`: its browser download fails on this network)."""

import dataclasses
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from shelfwise.app import create_app
from shelfwise.platform.context import AppContext

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags chromium keeps dialling Google's hosts, which this
# closed network refuses; --no-sandbox because the tests may run as root.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def live_server(context: AppContext) -> Iterator[str]:
    """The app on a free loopback port, sharing the session's test database, with the embedded
    worker on so jobs started from a page really run and report progress. Per module: the
    worker must be gone before other tests, which expect their jobs to stay queued."""
    import uvicorn

    settings = context.settings.model_copy(
        update={
            "embedded_worker": True,
            "relay_interval": timedelta(milliseconds=100),
            # ASIN fetches answer from the demo marketplace (in-process), never from Amazon.
            "demo_marketplace": True,
        }
    )
    app = create_app(settings, dataclasses.replace(context, settings=settings))
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail("/usr/bin/chromium is missing: scripts/test.sh installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, live_server: str) -> Iterator[Any]:
    browser_context = browser.new_context(base_url=live_server, viewport=DESKTOP)
    browser_context.set_default_timeout(10_000)
    opened = browser_context.new_page()
    opened.on("dialog", lambda dialog: dialog.accept())  # confirm() of destructive forms
    yield opened
    browser_context.close()


def screenshot(page: Any, name: str) -> None:
    """The page as it is now, at desktop and at phone width (README, Dashboard)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)

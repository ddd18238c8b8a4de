"""What the fake Amazon web server can answer: saved pages, challenges, failures and tricks."""

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

PAGES = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "amazon_pages"
CAPTCHA_FILE = "captcha_com_2026_button.html"
ERROR_503_FILE = "error503_es_2025_mobile.html"
SIGNIN_FILE = "signin_redirect_in_2026.html"
ERROR_SHELL_FILE = "1982181281_com_2025_errorstate.html"
HTML = {"content-type": "text/html;charset=UTF-8"}


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: dict(HTML))
    stall_seconds: float = 0.0  # wait this long before answering (a slow or hung server)
    reset: bool = False  # close the connection without answering


@cache
def manifest() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((PAGES / "manifest.json").read_text(encoding="utf-8"))
    return loaded


@cache
def saved(file: str) -> bytes:
    return (PAGES / file).read_bytes()


def product_files() -> dict[str, str]:
    """ASIN to the newest saved product page of it (the manifest lists older captures first)."""
    files: dict[str, str] = {}
    for entry in manifest()["pages"]:
        if entry.get("asin") and entry["page_type"].startswith("product_detail"):
            files[entry["asin"]] = entry["file"]
    return files


def page(file: str) -> Answer:
    return Answer(200, saved(file))


def captcha() -> Answer:
    """Amazon's robot check: a 200, so only its form tells it apart."""
    return Answer(200, saved(CAPTCHA_FILE))


def signin() -> Answer:
    return Answer(200, saved(SIGNIN_FILE))


def error_shell() -> Answer:
    """The HTTP-200 "Sorry, something went wrong" page: a retry, not an empty product."""
    return Answer(200, saved(ERROR_SHELL_FILE))


def unavailable(retry_after: str | None = None) -> Answer:
    headers = dict(HTML) | ({"retry-after": retry_after} if retry_after else {})
    return Answer(503, saved(ERROR_503_FILE), headers)


def stall(seconds: float) -> Answer:
    return Answer(200, b"<html></html>", stall_seconds=seconds)


def redirect(location: str, status: int = 302) -> Answer:
    return Answer(status, b"", {"location": location})


def oversize(size: int) -> Answer:
    return Answer(200, b"<html>" + b" " * size + b"</html>")


def truncated(file: str, keep: int) -> Answer:
    """The first `keep` bytes of a saved page, delivered whole: HTML cut short upstream."""
    return Answer(200, saved(file)[:keep])


def reset() -> Answer:
    return Answer(0, reset=True)


def robots(text: str) -> Answer:
    return Answer(200, text.encode("utf-8"), {"content-type": "text/plain"})


def not_found() -> Answer:
    return Answer(404, b"<html><body>Sorry! We couldn't find that page.</body></html>")

"""Entry point: one Amazon page in, one typed result out; never raises on bad input."""

import re

from shelfwise.integrations.amazon_pages import identity, media, prices, ranks, reviews, stock
from shelfwise.integrations.amazon_pages.detect import detect_page_type
from shelfwise.integrations.amazon_pages.document import Document
from shelfwise.integrations.amazon_pages.page import PageType, ProductPage

_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([\w-]+)""", re.IGNORECASE)


def parse_page(document: bytes | str, url: str | None = None) -> ProductPage:
    """Parse a saved or fetched page; `url` supplies the marketplace when the page lacks one."""
    data = _utf8(document)
    try:
        return _parse(data, url)
    except (UnicodeDecodeError, SystemError):
        # lexbor keeps bytes that are not UTF-8 as they are, and selectolax then refuses to
        # decode the attribute or text holding them (text() even fails with a SystemError that
        # wraps the UnicodeDecodeError). Such a page is parsed again as a browser shows it, with
        # U+FFFD for the bad bytes; checking every page up front would cost a decode of the
        # whole page, 0.65 ms (more than all the fields together).
        return _parse(data.decode("utf-8", "replace").encode("utf-8"), url)


def _parse(data: bytes, url: str | None) -> ProductPage:
    tree = Document(data)
    page_type = detect_page_type(tree)
    canonical = identity.canonical_url(tree)
    marketplace = identity.marketplace(data, canonical, url)
    page = ProductPage(
        page_type=page_type,
        asin=identity.asin(tree, canonical, url),
        marketplace=marketplace.domain if marketplace else None,
    )
    if page_type is not PageType.PRODUCT:
        return page
    page.title = identity.title(tree)
    page.brand = identity.brand(tree)
    page.price = prices.featured_price(tree, marketplace)
    page.list_price = prices.list_price(tree, marketplace)
    page.is_deal = prices.is_deal(tree)
    page.rating = reviews.rating(tree)
    page.review_count = reviews.review_count(tree)
    page.availability = stock.availability(tree)
    page.in_stock = stock.in_stock(page.availability, page.price, tree)
    page.bsr = ranks.best_seller_ranks(tree)
    gallery = media.gallery(data)
    page.main_image = media.main_image(tree, gallery)
    page.images = gallery or ([page.main_image] if page.main_image else [])
    page.bullets = identity.bullets(tree)
    return page


def _utf8(document: bytes | str) -> bytes:
    """The document as UTF-8 bytes, the form lexbor parses without a second decode."""
    if isinstance(document, str):
        return document.encode("utf-8", "surrogatepass")
    declared = _CHARSET.search(document[:4096])
    charset = declared.group(1).decode("ascii").lower() if declared else "utf-8"
    if charset in {"utf-8", "utf8"}:
        return document
    try:
        return document.decode(charset, "replace").encode("utf-8")
    except LookupError:  # an unknown charset name: read it as UTF-8, lexbor replaces bad bytes
        return document

"""Availability as the page shows it, and whether the product can be bought now."""

import re

from shelfwise.integrations.amazon_pages.document import Document
from shelfwise.integrations.amazon_pages.page import Money
from shelfwise.integrations.amazon_pages.text import visible_text

_UNAVAILABLE = re.compile(
    r"currently unavailable|out of stock|no disponible|nicht verfügbar|derzeit nicht|"
    r"actuellement indisponible|non disponibile|niet beschikbaar|在庫切れ|現在お取り扱いできません",
    re.IGNORECASE,
)


def availability(document: Document) -> str | None:
    """The first availability block's text; an empty block means the page shows none."""
    node = document.by_id("availability")
    if node is not None:
        return visible_text(node) or None
    return document.first_text((("outOfStock", ".a-color-price"), ("outOfStock", None)))


def in_stock(text: str | None, price: Money | None, document: Document) -> bool | None:
    """False when the page says unavailable, True when it sells or says available, else None."""
    if document.by_id("outOfStock") is not None or (text and _UNAVAILABLE.search(text)):
        return False
    if text or price is not None:
        return True
    return None

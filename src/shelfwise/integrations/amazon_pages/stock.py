"""Availability as the page shows it, and whether the product can be bought now."""

import re

from selectolax.lexbor import LexborHTMLParser

from shelfwise.integrations.amazon_pages.page import Money
from shelfwise.integrations.amazon_pages.text import first_text, visible_text

_UNAVAILABLE = re.compile(
    r"currently unavailable|out of stock|no disponible|nicht verfügbar|derzeit nicht|"
    r"actuellement indisponible|non disponibile|niet beschikbaar|在庫切れ|現在お取り扱いできません",
    re.IGNORECASE,
)


def availability(tree: LexborHTMLParser) -> str | None:
    """The first availability block's text; an empty block means the page shows none."""
    node = tree.css_first("#availability")
    if node is not None:
        return visible_text(node) or None
    return first_text(tree, ("#outOfStock .a-color-price", "#outOfStock"))


def in_stock(text: str | None, price: Money | None, tree: LexborHTMLParser) -> bool | None:
    if tree.css_first("#outOfStock") is not None or (text and _UNAVAILABLE.search(text)):
        return False
    if text or price is not None:
        return True
    return None

"""The featured offer's price and list price, and whether the page shows a deal."""

from decimal import Decimal

from price_parser import Price

from shelfwise.integrations.amazon_pages.document import Anchor, Document
from shelfwise.integrations.amazon_pages.marketplaces import Marketplace
from shelfwise.integrations.amazon_pages.page import Money
from shelfwise.integrations.amazon_pages.text import visible_text

# The featured (buy-box) offer, newest layout first. Every anchor is the buy box or the core
# price widget: the page's other amounts belong to carousels and other offers.
_FEATURED: tuple[Anchor, ...] = (
    ("corePriceDisplay_desktop_feature_div", ".priceToPay .a-offscreen"),
    ("corePrice_desktop", ".apexPriceToPay .a-offscreen"),
    # Struck-through amounts in the price widget are list prices, never the price to pay.
    ("corePrice_feature_div", '.a-price:not([data-a-strike="true"]) .a-offscreen'),
    ("priceblock_dealprice", None),
    ("priceblock_saleprice", None),
    ("priceblock_ourprice", None),
    ("buybox", ".kindle-price .a-color-price"),
    ("kindle-price", None),
    ("newBuyBoxPrice", None),
    ("price_inside_buybox", None),
    ("priceblock_pospromoprice", None),
    ("buyNewSection", ".offer-price"),  # books, 2015-2020
    ("newOfferAccordionRow", ".header-price"),
    ("actualPriceValue", None),  # before 2014
)
# A used offer is the featured one only when the buy box offers nothing new: a hidden new
# price ("add to cart to see") must stay hidden, not be replaced by the used one.
_NEW_OFFER = (
    "buyNewSection",
    "newAccordionRow",
    "newAccordionRow_0",
    "priceNotAvailable_accordion_head",
)
_USED: tuple[Anchor, ...] = (
    ("usedBuySection", ".a-color-price"),
    ("usedBuySection", ".offer-price"),
)
_LIST: tuple[Anchor, ...] = (
    ("corePriceDisplay_desktop_feature_div", ".basisPrice .a-offscreen"),
    ("corePrice_desktop", 'span[data-a-strike="true"] .a-offscreen'),
    ("apex_desktop", 'span[data-a-strike="true"] .a-offscreen'),
    ("corePrice_feature_div", 'span[data-a-strike="true"] .a-offscreen'),
    ("price", ".priceBlockStrikePriceString"),
    ("price", ".a-text-strike"),
    ("buybox", ".print-list-price .a-text-strike"),
    ("listPrice", None),
)
_IMPLAUSIBLE = Decimal(10) ** 12
_DEAL = ("dealBadge_feature_div", "dealBadgeSupportingText", "deal_availability")
_DEAL_WORDS = ("deal", "oferta", "angebot", "offre", "offerta", "aanbieding", "セール")


def featured_price(document: Document, marketplace: Marketplace | None) -> Money | None:
    text = document.first_text(_FEATURED)
    if text is None and all(document.by_id(identifier) is None for identifier in _NEW_OFFER):
        text = document.first_text(_USED)
    return money(text, marketplace) if text else None


def list_price(document: Document, marketplace: Marketplace | None) -> Money | None:
    text = document.first_text(_LIST)
    return money(text, marketplace) if text else None


def is_deal(document: Document) -> bool:
    if document.by_id("priceblock_dealprice") is not None:
        return True
    for identifier in _DEAL:
        node = document.by_id(identifier)
        text = visible_text(node).lower() if node is not None else ""
        if any(word in text for word in _DEAL_WORDS):
            return True
    return False


def money(text: str, marketplace: Marketplace | None) -> Money | None:
    """An amount as written on the marketplace; the currency is the marketplace's own."""
    separator = marketplace.decimal_separator if marketplace else None
    parsed = Price.fromstring(text, decimal_separator=separator)
    # No Amazon price reaches a trillion; larger "amounts" are noise (and would overflow quantize).
    if parsed.amount is None or not 0 < parsed.amount < _IMPLAUSIBLE:
        return None
    currency: str | None = _currency_from_symbol(parsed.currency)
    digits = 2
    if marketplace is not None:
        currency, digits = marketplace.currency, marketplace.minor_digits
    if currency is None:
        return None
    exponent = Decimal(1).scaleb(-digits)
    return Money(parsed.amount.quantize(exponent), currency)


_SYMBOLS = {
    "$": "USD",
    "US$": "USD",
    "£": "GBP",
    "€": "EUR",
    "EUR": "EUR",
    "₹": "INR",
    "¥": "JPY",
    "￥": "JPY",
    "R$": "BRL",
    "MX$": "MXN",
}


def _currency_from_symbol(symbol: str | None) -> str | None:
    return _SYMBOLS.get(symbol.strip()) if symbol else None

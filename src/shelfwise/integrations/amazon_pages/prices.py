"""The featured offer's price and list price, and whether the page shows a deal."""

from decimal import Decimal

from price_parser import Price
from selectolax.lexbor import LexborHTMLParser

from shelfwise.integrations.amazon_pages.marketplaces import Marketplace
from shelfwise.integrations.amazon_pages.page import Money
from shelfwise.integrations.amazon_pages.text import first_text, visible_text

# The featured (buy-box) offer, newest layout first. Every selector is anchored in the buy box
# or the core price widget: the page's other amounts belong to carousels and other offers.
_FEATURED = (
    "#corePrice_feature_div .a-offscreen",
    "#corePriceDisplay_desktop_feature_div .priceToPay .a-offscreen",
    "#corePrice_desktop .apexPriceToPay .a-offscreen",
    "#priceblock_dealprice",
    "#priceblock_saleprice",
    "#priceblock_ourprice",
    "#buybox .kindle-price .a-color-price",
    "#kindle-price",
    "#newBuyBoxPrice",
    "#price_inside_buybox",
)
# A used offer is the featured one only when the buy box offers nothing new: a hidden new
# price ("add to cart to see") must stay hidden, not be replaced by the used one.
_NEW_OFFER = (
    "#buyNewSection, #newAccordionRow, #newAccordionRow_0, #priceNotAvailable_accordion_head"
)
_USED = ("#usedBuySection .a-color-price", "#usedBuySection .offer-price")
_LIST = (
    "#corePriceDisplay_desktop_feature_div .basisPrice .a-offscreen",
    '#corePrice_desktop span[data-a-strike="true"] .a-offscreen',
    '#apex_desktop span[data-a-strike="true"] .a-offscreen',
    "#price .priceBlockStrikePriceString",
    "#price .a-text-strike",
    "#buybox .print-list-price .a-text-strike",
    "#listPrice",
)
_DEAL = (
    "#dealBadge_feature_div",
    "#dealBadgeSupportingText",
    "#priceblock_dealprice",
    "#deal_availability",
)

_DEAL_WORDS = (
    "deal",
    "oferta",
    "angebot",
    "offre",
    "offerta",
    "aanbieding",
    "セール",
    "タイムセール",
)


def featured_price(tree: LexborHTMLParser, marketplace: Marketplace | None) -> Money | None:
    text = first_text(tree, _FEATURED)
    if text is None and tree.css_first(_NEW_OFFER) is None:
        text = first_text(tree, _USED)
    return money(text, marketplace) if text else None


def list_price(tree: LexborHTMLParser, marketplace: Marketplace | None) -> Money | None:
    text = first_text(tree, _LIST)
    return money(text, marketplace) if text else None


def is_deal(tree: LexborHTMLParser) -> bool:
    for selector in _DEAL:
        for node in tree.css(selector):
            text = visible_text(node).lower()
            if selector == "#priceblock_dealprice" or any(word in text for word in _DEAL_WORDS):
                return True
    return False


def money(text: str, marketplace: Marketplace | None) -> Money | None:
    """An amount as written on the marketplace; the currency is the marketplace's own."""
    separator = marketplace.decimal_separator if marketplace else None
    parsed = Price.fromstring(text, decimal_separator=separator)
    if parsed.amount is None or parsed.amount <= 0:
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

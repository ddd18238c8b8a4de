"""Marketplaces Shelfwise knows: domain name, platform, currency and Amazon marketplace id."""

from dataclasses import dataclass

from shelfwise.catalog.models import Platform

ZERO_DECIMAL_CURRENCIES = frozenset({"JPY"})  # of the marketplaces' currencies below


@dataclass(frozen=True)
class Marketplace:
    code: str  # the storefront's domain, e.g. amazon.co.uk
    platform: Platform
    currency: str
    amazon_marketplace_id: str | None = None
    region: str | None = None  # SP-API region: na, eu, fe

    @property
    def minor_digits(self) -> int:
        """Digits after the decimal point of the currency's amounts (ISO 4217)."""
        return 0 if self.currency in ZERO_DECIMAL_CURRENCIES else 2


_AMAZON = (
    ("amazon.com", "USD", "ATVPDKIKX0DER", "na"),
    ("amazon.ca", "CAD", "A2EUQ1WTGCTBG2", "na"),
    ("amazon.com.mx", "MXN", "A1AM78C64UM0Y8", "na"),
    ("amazon.com.br", "BRL", "A2Q3Y263D00KWC", "na"),
    ("amazon.co.uk", "GBP", "A1F83G8C2ARO7P", "eu"),
    ("amazon.de", "EUR", "A1PA6795UKMFR9", "eu"),
    ("amazon.fr", "EUR", "A13V1IB3VIYZZH", "eu"),
    ("amazon.it", "EUR", "APJ6JRA9NG5V4", "eu"),
    ("amazon.es", "EUR", "A1RKKUPIHCS9HS", "eu"),
    ("amazon.nl", "EUR", "A1805IZSGTT6HS", "eu"),
    ("amazon.com.be", "EUR", "AMEN7PMS3EDWL", "eu"),
    ("amazon.se", "SEK", "A2NODRKZP88ZB9", "eu"),
    ("amazon.pl", "PLN", "A1C3SOZRARQ6R3", "eu"),
    ("amazon.com.tr", "TRY", "A33AVAJ2PDY3EV", "eu"),
    ("amazon.ae", "AED", "A2VIGQ35RCS4UG", "eu"),
    ("amazon.sa", "SAR", "A17E79C6D8DWNP", "eu"),
    ("amazon.eg", "EGP", "ARBP9OOSHTCHU", "eu"),
    ("amazon.in", "INR", "A21TJRUUN4KGV", "eu"),
    ("amazon.co.jp", "JPY", "A1VC38T7YXB528", "fe"),
    ("amazon.com.au", "AUD", "A39IBJ37TRP1C6", "fe"),
    ("amazon.sg", "SGD", "A19VAU5U5O7RUS", "fe"),
)
_OTHERS = (
    ("ebay.com", Platform.EBAY, "USD"),
    ("ebay.co.uk", Platform.EBAY, "GBP"),
    ("ebay.de", Platform.EBAY, "EUR"),
    ("kaufland.de", Platform.KAUFLAND, "EUR"),
    ("kaufland.cz", Platform.KAUFLAND, "CZK"),
    ("kaufland.sk", Platform.KAUFLAND, "EUR"),
    ("kaufland.pl", Platform.KAUFLAND, "PLN"),
    ("kaufland.at", Platform.KAUFLAND, "EUR"),
    ("demo", Platform.DEMO, "USD"),
)

MARKETPLACES: dict[str, Marketplace] = {
    code: Marketplace(code, Platform.AMAZON, currency, marketplace_id, region)
    for code, currency, marketplace_id, region in _AMAZON
} | {code: Marketplace(code, platform, currency) for code, platform, currency in _OTHERS}


def marketplace(code: str) -> Marketplace | None:
    return MARKETPLACES.get(code.strip().lower())

"""Amazon retail sites: domain, marketplace id, currency and how prices are written there."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Marketplace:
    domain: str
    marketplace_id: str
    currency: str
    decimal_separator: str  # "$" on amazon.com.mx is pesos: currency comes from here, not symbols
    minor_digits: int = 2


MARKETPLACES: tuple[Marketplace, ...] = (
    Marketplace("amazon.com", "ATVPDKIKX0DER", "USD", "."),
    Marketplace("amazon.ca", "A2EUQ1WTGCTBG2", "CAD", "."),
    Marketplace("amazon.com.mx", "A1AM78C64UM0Y8", "MXN", "."),
    Marketplace("amazon.com.br", "A2Q3Y263D00KWC", "BRL", ","),
    Marketplace("amazon.co.uk", "A1F83G8C2ARO7P", "GBP", "."),
    Marketplace("amazon.de", "A1PA6795UKMFR9", "EUR", ","),
    Marketplace("amazon.fr", "A13V1IB3VIYZZH", "EUR", ","),
    Marketplace("amazon.it", "APJ6JRA9NG5V4", "EUR", ","),
    Marketplace("amazon.es", "A1RKKUPIHCS9HS", "EUR", ","),
    Marketplace("amazon.nl", "A1805IZSGTT6HS", "EUR", ","),
    Marketplace("amazon.com.be", "AMEN7PMS3EDWL", "EUR", ","),
    Marketplace("amazon.se", "A2NODRKZP88ZB9", "SEK", ","),
    Marketplace("amazon.pl", "A1C3SOZRARQ6R3", "PLN", ","),
    Marketplace("amazon.com.tr", "A33AVAJ2PDY3EV", "TRY", ","),
    Marketplace("amazon.ae", "A2VIGQ35RCS4UG", "AED", "."),
    Marketplace("amazon.sa", "A17E79C6D8DWNP", "SAR", "."),
    Marketplace("amazon.eg", "ARBP9OOSHTCHU", "EGP", "."),
    Marketplace("amazon.in", "A21TJRUUN4KGV", "INR", "."),
    Marketplace("amazon.co.jp", "A1VC38T7YXB528", "JPY", ".", minor_digits=0),
    Marketplace("amazon.sg", "A19VAU5U5O7RUS", "SGD", "."),
    Marketplace("amazon.com.au", "A39IBJ37TRP1C6", "AUD", "."),
)
BY_DOMAIN = {marketplace.domain: marketplace for marketplace in MARKETPLACES}
BY_ID = {marketplace.marketplace_id: marketplace for marketplace in MARKETPLACES}


def from_host(host: str) -> Marketplace | None:
    """The marketplace of a host such as www.amazon.co.uk or opfcaptcha.amazon.com."""
    host = host.lower().rstrip(".")
    index = host.find("amazon.")
    return BY_DOMAIN.get(host[index:]) if index >= 0 else None

"""What an offers source gives the market domain, whatever the vendor: the offers on one item at
one moment, and the lanes (operations with their own quota) that fetch them.

A source has several lanes because vendors meter operations separately: SP-API's single and
batch pricing operations each have a usage plan, so a sweep at the quota ceiling keeps every
lane busy at once. A lane fetches by SKU (the seller's own listings) or by ASIN (any item).
"""

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol


class Fulfillment(enum.StrEnum):
    AMAZON = "amazon"
    MERCHANT = "merchant"


@dataclass(frozen=True, slots=True)
class Offer:
    seller_id: str
    price: Decimal
    shipping: Decimal
    currency: str
    condition: str  # new, used, collectible, refurbished, club
    sub_condition: str
    fulfillment: Fulfillment
    is_buy_box_winner: bool
    is_mine: bool
    is_prime: bool = False
    seller_rating: int | None = None  # percent positive feedback
    seller_feedback_count: int | None = None

    @property
    def landed_price(self) -> Decimal:
        return self.price + self.shipping


@dataclass(frozen=True, slots=True)
class ItemOffers:
    """The offers on one item in one marketplace and condition, as observed."""

    asin: str
    sku: str | None  # set when fetched through the seller's listing
    condition: str
    offers: tuple[Offer, ...]
    total_offer_count: int  # the vendor's count; it can exceed the offers listed
    buy_box_price: Decimal | None
    lowest_price: Decimal | None  # landed (price + shipping)
    currency: str | None


@dataclass(frozen=True, slots=True)
class Fetched:
    """One requested key's outcome: its offers, or why there are none (e.g. no such ASIN)."""

    key: str
    offers: ItemOffers | None
    error: str | None = None


class KeyKind(enum.StrEnum):
    SKU = "sku"
    ASIN = "asin"


class OfferLane(Protocol):
    """One separately metered way of fetching offers; `fetch` blocks on the lane's quota."""

    name: str
    key_kind: KeyKind
    batch_size: int
    calls_per_hour: float  # the quota ceiling of the lane (sustained rate x 3600)
    burst: int

    def fetch(self, keys: Sequence[str]) -> list[Fetched]: ...


class OffersSource(Protocol):
    def offer_lanes(self) -> list[OfferLane]: ...

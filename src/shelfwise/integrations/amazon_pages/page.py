"""The result of parsing one Amazon page."""

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any


class PageType(StrEnum):
    PRODUCT = "product"
    CAPTCHA = "captcha"
    ERROR = "error"  # error shells, 503 pages, truncated or unparseable documents: retry
    SIGNIN = "signin"


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def to_json(self) -> dict[str, str]:
        return {"amount": str(self.amount), "currency": self.currency}


@dataclass(frozen=True, slots=True)
class BestSellerRank:
    rank: int
    category: str


@dataclass(slots=True)
class ProductPage:
    page_type: PageType
    asin: str | None = None
    marketplace: str | None = None
    title: str | None = None
    brand: str | None = None
    price: Money | None = None
    list_price: Money | None = None
    rating: float | None = None
    review_count: int | None = None
    availability: str | None = None
    in_stock: bool | None = None
    bsr: list[BestSellerRank] = field(default_factory=list)
    main_image: str | None = None
    images: list[str] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    is_deal: bool = False

    def to_json(self) -> dict[str, Any]:
        """The page as the JSON object `shelfwise parse-page` prints."""
        return {
            "page_type": self.page_type.value,
            "asin": self.asin,
            "marketplace": self.marketplace,
            "title": self.title,
            "brand": self.brand,
            "price": self.price.to_json() if self.price else None,
            "list_price": self.list_price.to_json() if self.list_price else None,
            "rating": self.rating,
            "review_count": self.review_count,
            "availability": self.availability,
            "in_stock": self.in_stock,
            "bsr": [{"rank": item.rank, "category": item.category} for item in self.bsr],
            "main_image": self.main_image,
            "images": list(self.images),
            "bullets": list(self.bullets),
            "is_deal": self.is_deal,
        }

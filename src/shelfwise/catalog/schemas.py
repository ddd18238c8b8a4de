"""Request and response bodies of the catalog API."""

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    StringConstraints,
    TypeAdapter,
    field_serializer,
)

from shelfwise.catalog.identifiers import (
    is_valid_asin,
    is_valid_gtin,
    normalize_asin,
    normalize_gtin,
)
from shelfwise.catalog.marketplaces import marketplace as find_marketplace
from shelfwise.catalog.models import ConnectionStatus, ListingStatus, Platform

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
Description = Annotated[str, StringConstraints(max_length=20_000)]
Bullet = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


def _gtin(value: str) -> str:
    value = normalize_gtin(value)
    if not is_valid_gtin(value):
        raise ValueError(
            "not a valid GTIN/EAN/UPC (8, 12, 13 or 14 digits with a correct check digit)"
        )
    return value


def _asin(value: str) -> str:
    value = normalize_asin(value)
    if not is_valid_asin(value):
        raise ValueError("not a valid ASIN (B0 + 8 letters or digits, or an ISBN-10)")
    return value


def _marketplace(value: str) -> str:
    found = find_marketplace(value)
    if found is None:
        raise ValueError("unknown marketplace (e.g. amazon.com, amazon.co.uk, amazon.de)")
    return found.code


_HTTP_URL: TypeAdapter[HttpUrl] = TypeAdapter(HttpUrl)


def _url(value: str) -> str:
    return str(_HTTP_URL.validate_python(value))


def _attributes(value: dict[str, Any]) -> dict[str, Any]:
    for key in value:
        if not key.strip() or len(key) > 100:
            raise ValueError("attribute names must be 1 to 100 characters")
    return value


Gtin = Annotated[str, AfterValidator(_gtin)]
Asin = Annotated[str, AfterValidator(_asin)]
MarketplaceCode = Annotated[str, AfterValidator(_marketplace)]
ImageUrl = Annotated[str, StringConstraints(max_length=2048), AfterValidator(_url)]
Attributes = Annotated[dict[str, Any], AfterValidator(_attributes)]
Images = Annotated[list[ImageUrl], Field(max_length=50)]
Bullets = Annotated[list[Bullet], Field(max_length=10)]


class StrictBody(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Money(BaseModel):
    """An amount with its ISO 4217 currency; amounts travel as decimal strings."""

    model_config = ConfigDict(extra="forbid")

    amount: Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]
    currency: Currency

    @field_serializer("amount")
    def _amount_as_string(self, amount: Decimal) -> str:
        return f"{amount:.2f}"


class ProductFields(StrictBody):
    title: Title
    brand: Text | None = None
    gtin: Gtin | None = None
    asin: Asin | None = None
    category: Text | None = None
    description: Description | None = None
    images: Images = []
    attributes: Attributes = {}
    cost: Money | None = None
    source_updated_at: AwareDatetime | None = None


class ProductCreate(ProductFields):
    source_platform: Annotated[
        str,
        StringConstraints(
            strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[a-z0-9_.-]+$"
        ),
    ]
    source_id: Text


class ProductUpdate(StrictBody):
    title: Title | None = None
    brand: Text | None = None
    gtin: Gtin | None = None
    asin: Asin | None = None
    category: Text | None = None
    description: Description | None = None
    images: Images | None = None
    attributes: Attributes | None = None
    cost: Money | None = None
    source_updated_at: AwareDatetime | None = None


class ProductOut(BaseModel):
    id: uuid.UUID
    source_platform: str
    source_id: str
    title: str
    brand: str | None
    gtin: str | None
    asin: str | None
    category: str | None
    description: str | None
    images: list[str]
    attributes: dict[str, Any]
    cost: Money | None
    source_updated_at: datetime | None
    created_at: datetime
    updated_at: datetime


class ProductPage(BaseModel):
    items: list[ProductOut]
    next_cursor: str | None


class MarketplaceAccountCreate(StrictBody):
    name: Text
    platform: Platform
    marketplace: MarketplaceCode
    seller_id: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] = ""
    credential_id: uuid.UUID | None = None


class MarketplaceAccountUpdate(StrictBody):
    name: Text | None = None
    is_active: bool | None = None
    credential_id: uuid.UUID | None = None


class MarketplaceAccountOut(BaseModel):
    id: uuid.UUID
    name: str
    platform: Platform
    marketplace: str
    seller_id: str
    region: str | None
    credential_id: uuid.UUID | None
    is_active: bool
    connection_status: ConnectionStatus = Field(
        description="Whether the marketplace honoured the account's authorization at the last call"
    )
    connection_error: str | None = Field(description="Why it is disconnected, and the fix")
    connection_checked_at: datetime | None
    created_at: datetime
    updated_at: datetime


class ListingContent(StrictBody):
    title: Title
    bullets: Bullets = []
    description: Description | None = None
    images: Images = []
    attributes: Attributes = {}


class ListingCreate(ListingContent):
    product_id: uuid.UUID
    marketplace_account_id: uuid.UUID
    sku: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    asin: Asin | None = None
    price: Money | None = None
    quantity: Annotated[int, Field(ge=0, le=10_000_000)] | None = None


class ListingUpdate(StrictBody):
    title: Title | None = None
    bullets: Bullets | None = None
    description: Description | None = None
    images: Images | None = None
    attributes: Attributes | None = None
    asin: Asin | None = None
    price: Money | None = None
    quantity: Annotated[int, Field(ge=0, le=10_000_000)] | None = None
    note: Annotated[str, StringConstraints(max_length=500)] | None = Field(
        default=None, description="Why the content changed; kept on the new content version."
    )


class ListingStatusChange(StrictBody):
    status: ListingStatus


class ListingRevert(StrictBody):
    version: Annotated[int, Field(ge=1)]
    note: Annotated[str, StringConstraints(max_length=500)] | None = None


class ListingOut(BaseModel):
    id: uuid.UUID
    product_id: uuid.UUID
    marketplace_account_id: uuid.UUID
    marketplace: str
    sku: str
    asin: str | None
    title: str
    bullets: list[str]
    description: str | None
    images: list[str]
    attributes: dict[str, Any]
    price: Money | None
    quantity: int | None
    status: ListingStatus
    quality_score: int | None
    content_version: int
    created_at: datetime
    updated_at: datetime


class ListingPage(BaseModel):
    items: list[ListingOut]
    next_cursor: str | None


class ContentVersionOut(BaseModel):
    version: int
    title: str
    bullets: list[str]
    description: str | None
    images: list[str]
    attributes: dict[str, Any]
    origin: str
    note: str | None
    created_by: str | None
    created_at: datetime


class DiffSegment(BaseModel):
    op: str  # "equal" | "insert" | "delete"
    text: str


class FieldDiff(BaseModel):
    field: str
    changed: bool
    segments: list[DiffSegment]


class ContentDiff(BaseModel):
    from_version: int
    to_version: int
    fields: list[FieldDiff]


class CatalogSummary(BaseModel):
    products: int
    listings: int
    listings_by_status: dict[str, int]
    listings_by_marketplace: dict[str, int]
    average_quality_score: float | None
    brands: int
    products_without_listings: int

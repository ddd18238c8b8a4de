"""Catalog API: products, marketplace accounts, listings, content versions and the summary."""

import uuid
from collections.abc import Iterator, Mapping
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Path, Query, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from shelfwise.accounts.auth import Admin, Analyst, Context, DbSession, Viewer
from shelfwise.catalog import export_rows, service
from shelfwise.catalog.export_rows import ExportFormat
from shelfwise.catalog.models import (
    Listing,
    ListingContentVersion,
    ListingStatus,
    MarketplaceAccount,
    Product,
)
from shelfwise.catalog.repository import (
    ListingFilter,
    ListingRepository,
    MarketplaceAccountRepository,
    ProductFilter,
    ProductRepository,
)
from shelfwise.catalog.schemas import (
    CatalogSummary,
    ContentDiff,
    ContentVersionOut,
    ListingCreate,
    ListingOut,
    ListingPage,
    ListingRevert,
    ListingStatusChange,
    ListingUpdate,
    MarketplaceAccountCreate,
    MarketplaceAccountOut,
    MarketplaceAccountUpdate,
    Money,
    ProductCreate,
    ProductOut,
    ProductPage,
    ProductUpdate,
)
from shelfwise.operations.json_body import JsonRoute
from shelfwise.operations.query import QueryModel
from shelfwise.platform.pagination import clamp_limit
from shelfwise.platform.types import utcnow

router = APIRouter(prefix="/api", tags=["catalog"], route_class=JsonRoute)

Limit = Annotated[int | None, Query(ge=1, description="Page size (clamped to the server maximum)")]
Cursor = Annotated[str | None, Query(description="next_cursor of the previous page")]
Search = Annotated[str | None, Query(max_length=200, description="Text in title or identifiers")]
Format = Annotated[ExportFormat, Query(alias="format", description="File format")]
EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The file, streamed",
        "content": {export_format.media_type: {} for export_format in ExportFormat},
    }
}


def _money(amount: object, currency: str | None) -> Money | None:
    if amount is None or currency is None:
        return None
    return Money.model_validate({"amount": amount, "currency": currency})


def product_out(product: Product) -> ProductOut:
    return ProductOut(
        id=product.id,
        source_platform=product.source_platform,
        source_id=product.source_id,
        title=product.title,
        brand=product.brand,
        gtin=product.gtin,
        asin=product.asin,
        category=product.category,
        description=product.description,
        images=product.images,
        attributes=product.attributes,
        cost=_money(product.cost_amount, product.cost_currency),
        source_updated_at=product.source_updated_at,
        created_at=product.created_at,
        updated_at=product.updated_at,
    )


def product_json(product: Mapping[Any, Any]) -> dict[str, Any]:
    """A product row as the dict ProductOut serializes to, for orjson: the list's fast path,
    which builds no pydantic models yet gives byte-identical JSON."""
    amount, currency = product["cost_amount"], product["cost_currency"]
    return {
        "id": product["id"],
        "source_platform": product["source_platform"],
        "source_id": product["source_id"],
        "title": product["title"],
        "brand": product["brand"],
        "gtin": product["gtin"],
        "asin": product["asin"],
        "category": product["category"],
        "description": product["description"],
        "images": product["images"],
        "attributes": product["attributes"],
        "cost": None
        if amount is None or currency is None
        else {"amount": f"{amount:.2f}", "currency": currency},
        "source_updated_at": product["source_updated_at"],
        "created_at": product["created_at"],
        "updated_at": product["updated_at"],
    }


def page_response(page: dict[str, Any], model: type[BaseModel]) -> Response:
    """`page` as JSON without validating it again; pydantic (via `model`) only for what orjson
    cannot write the same way (integers beyond 64 bits in free-form attributes)."""
    try:
        body = orjson.dumps(page, option=orjson.OPT_UTC_Z)
    except TypeError:
        body = model.model_validate(page).model_dump_json().encode()
    return Response(body, media_type="application/json")


def json_page_response(items: list[str], next_cursor: str | None) -> Response:
    """A page whose items are already JSON texts (see platform/sqljson.py)."""
    body = b'{"items":[' + ",".join(items).encode() + b'],"next_cursor":'
    return Response(body + orjson.dumps(next_cursor) + b"}", media_type="application/json")


def download(name: str, chunks: Iterator[bytes], export_format: ExportFormat) -> Response:
    """A streamed file download named after `name` and today's UTC date."""
    filename = f"{name}-{utcnow():%Y-%m-%d}.{export_format.value}"
    return StreamingResponse(
        chunks,
        media_type=export_format.media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def listing_out(listing: Listing) -> ListingOut:
    return ListingOut(
        id=listing.id,
        product_id=listing.product_id,
        marketplace_account_id=listing.marketplace_account_id,
        marketplace=listing.marketplace,
        sku=listing.sku,
        asin=listing.asin,
        title=listing.title,
        bullets=listing.bullets,
        description=listing.description,
        images=listing.images,
        attributes=listing.attributes,
        price=_money(listing.price_amount, listing.price_currency),
        quantity=listing.quantity,
        status=listing.status,
        quality_score=listing.quality_score,
        content_version=listing.content_version,
        created_at=listing.created_at,
        updated_at=listing.updated_at,
    )


def account_out(account: MarketplaceAccount) -> MarketplaceAccountOut:
    return MarketplaceAccountOut.model_validate(account, from_attributes=True)


def version_out(version: ListingContentVersion) -> ContentVersionOut:
    return ContentVersionOut.model_validate(version, from_attributes=True)


# products
class ProductListQuery(BaseModel):
    """The product list's query parameters (validated as one model: see operations/query.py)."""

    q: str | None = Field(None, max_length=200, description="Text in title or identifiers")
    brand: str | None = None
    source_platform: str | None = None
    marketplace: str | None = None
    status: ListingStatus | None = Field(None, description="Products with a listing in it")
    sort: str = Field("-updated_at", description="created_at, updated_at, title, brand; -desc")
    cursor: str | None = Field(None, description="next_cursor of the previous page")
    limit: int | None = Field(None, ge=1, description="Page size (clamped to the server maximum)")


PRODUCT_LIST_QUERY = QueryModel(ProductListQuery)


@router.get(
    "/products",
    response_model=ProductPage,
    summary="List products",
    openapi_extra=PRODUCT_LIST_QUERY.openapi,
)
def list_products(
    principal: Viewer,
    context: Context,
    session: DbSession,
    query: Annotated[ProductListQuery, Depends(PRODUCT_LIST_QUERY)],
) -> Response:
    settings = context.settings
    size = clamp_limit(query.limit, settings.default_page_size, settings.max_page_size)
    filters = ProductFilter(
        q=query.q,
        brand=query.brand,
        source_platform=query.source_platform,
        marketplace=query.marketplace,
        status=query.status,
    )
    repository = ProductRepository(session, principal.organization_id)
    if repository.renders_json:
        texts, next_cursor = repository.page_json(filters, query.sort, query.cursor, size)
        return json_page_response(texts, next_cursor)
    rows, next_cursor = repository.page(filters, query.sort, query.cursor, size)
    items = [product_json(row._mapping) for row in rows]
    return page_response({"items": items, "next_cursor": next_cursor}, ProductPage)


@router.post("/products", response_model=ProductOut, status_code=201, summary="Create a product")
def create_product(body: ProductCreate, principal: Analyst, session: DbSession) -> ProductOut:
    return product_out(service.product.create(session, principal, body))


@router.get("/products/stats/summary", response_model=CatalogSummary, summary="Catalog totals")
def catalog_summary(principal: Viewer, session: DbSession) -> CatalogSummary:
    products = ProductRepository(session, principal.organization_id)
    listings = ListingRepository(session, principal.organization_id)
    return CatalogSummary(
        products=products.count(),
        listings=listings.count(),
        listings_by_status=listings.count_by(Listing.status),
        listings_by_marketplace=listings.count_by(Listing.marketplace),
        average_quality_score=listings.average_score(),
        brands=products.count_brands(),
        products_without_listings=products.count_without_listings(),
    )


@router.get(
    "/products/export",
    response_class=StreamingResponse,
    responses=EXPORT_RESPONSES,
    summary="Download the filtered products as CSV or XLSX (formulas neutralised)",
)
async def export_products(  # async: only builds the lazy body, which queries in worker threads
    principal: Viewer,
    context: Context,
    q: Search = None,
    brand: str | None = None,
    source_platform: str | None = None,
    marketplace: str | None = None,
    status: ListingStatus | None = None,
    sort: str = "-updated_at",
    export_format: Format = ExportFormat.CSV,
) -> Response:
    filters = ProductFilter(
        q=q, brand=brand, source_platform=source_platform, marketplace=marketplace, status=status
    )
    rows = export_rows.product_rows(context.database, principal.organization_id, filters, sort)
    chunks = export_rows.file_chunks(rows, export_rows.PRODUCT_COLUMNS, export_format, "Products")
    return download("products", chunks, export_format)


@router.get("/products/{product_id}", response_model=ProductOut, summary="Read a product")
def read_product(product_id: uuid.UUID, principal: Viewer, session: DbSession) -> ProductOut:
    return product_out(service.product.get(session, principal, product_id))


@router.patch("/products/{product_id}", response_model=ProductOut, summary="Change a product")
def update_product(
    product_id: uuid.UUID, body: ProductUpdate, principal: Analyst, session: DbSession
) -> ProductOut:
    return product_out(service.product.update(session, principal, product_id, body))


@router.delete(
    "/products/{product_id}", status_code=204, summary="Delete a product and its listings"
)
def delete_product(product_id: uuid.UUID, principal: Analyst, session: DbSession) -> Response:
    service.product.delete(session, principal, product_id)
    return Response(status_code=204)


# marketplace accounts
@router.get(
    "/marketplace-accounts",
    response_model=list[MarketplaceAccountOut],
    summary="List marketplace accounts",
)
def list_accounts(principal: Viewer, session: DbSession) -> list[MarketplaceAccountOut]:
    return [
        account_out(a)
        for a in MarketplaceAccountRepository(session, principal.organization_id).all()
    ]


@router.post(
    "/marketplace-accounts",
    response_model=MarketplaceAccountOut,
    status_code=201,
    summary="Add a marketplace account",
)
def create_account(
    body: MarketplaceAccountCreate, principal: Admin, session: DbSession
) -> MarketplaceAccountOut:
    return account_out(service.marketplace_account.create(session, principal, body))


@router.get(
    "/marketplace-accounts/{account_id}",
    response_model=MarketplaceAccountOut,
    summary="Read a marketplace account",
)
def read_account(
    account_id: uuid.UUID, principal: Viewer, session: DbSession
) -> MarketplaceAccountOut:
    return account_out(service.marketplace_account.get(session, principal, account_id))


@router.patch(
    "/marketplace-accounts/{account_id}",
    response_model=MarketplaceAccountOut,
    summary="Change a marketplace account",
)
def update_account(
    account_id: uuid.UUID, body: MarketplaceAccountUpdate, principal: Admin, session: DbSession
) -> MarketplaceAccountOut:
    return account_out(service.marketplace_account.update(session, principal, account_id, body))


@router.delete(
    "/marketplace-accounts/{account_id}",
    status_code=204,
    summary="Remove an account and its listings",
)
def delete_account(account_id: uuid.UUID, principal: Admin, session: DbSession) -> Response:
    service.marketplace_account.delete(session, principal, account_id)
    return Response(status_code=204)


# listings
@router.get("/listings", response_model=ListingPage, summary="List listings")
def list_listings(
    principal: Viewer,
    context: Context,
    session: DbSession,
    q: Search = None,
    status: Annotated[list[ListingStatus] | None, Query()] = None,
    marketplace: str | None = None,
    marketplace_account_id: uuid.UUID | None = None,
    product_id: uuid.UUID | None = None,
    brand: str | None = None,
    score_min: Annotated[int | None, Query(ge=0, le=100)] = None,
    score_max: Annotated[int | None, Query(ge=0, le=100)] = None,
    sort: str = "-updated_at",
    cursor: Cursor = None,
    limit: Limit = None,
) -> ListingPage:
    size = clamp_limit(limit, context.settings.default_page_size, context.settings.max_page_size)
    filters = ListingFilter(
        q=q,
        status=tuple(status or ()),
        marketplace=marketplace,
        marketplace_account_id=marketplace_account_id,
        product_id=product_id,
        brand=brand,
        score_min=score_min,
        score_max=score_max,
    )
    items, next_cursor = ListingRepository(session, principal.organization_id).page(
        filters, sort, cursor, size
    )
    return ListingPage(items=[listing_out(item) for item in items], next_cursor=next_cursor)


@router.post("/listings", response_model=ListingOut, status_code=201, summary="Create a listing")
def create_listing(body: ListingCreate, principal: Analyst, session: DbSession) -> ListingOut:
    return listing_out(service.listing.create(session, principal, body))


@router.get(
    "/listings/export",
    response_class=StreamingResponse,
    responses=EXPORT_RESPONSES,
    summary="Download the filtered listings as CSV or XLSX (formulas neutralised)",
)
async def export_listings(  # async: only builds the lazy body, which queries in worker threads
    principal: Viewer,
    context: Context,
    q: Search = None,
    status: Annotated[list[ListingStatus] | None, Query()] = None,
    marketplace: str | None = None,
    marketplace_account_id: uuid.UUID | None = None,
    product_id: uuid.UUID | None = None,
    brand: str | None = None,
    score_min: Annotated[int | None, Query(ge=0, le=100)] = None,
    score_max: Annotated[int | None, Query(ge=0, le=100)] = None,
    sort: str = "-updated_at",
    export_format: Format = ExportFormat.CSV,
) -> Response:
    filters = ListingFilter(
        q=q,
        status=tuple(status or ()),
        marketplace=marketplace,
        marketplace_account_id=marketplace_account_id,
        product_id=product_id,
        brand=brand,
        score_min=score_min,
        score_max=score_max,
    )
    rows = export_rows.listing_rows(context.database, principal.organization_id, filters, sort)
    chunks = export_rows.file_chunks(rows, export_rows.LISTING_COLUMNS, export_format, "Listings")
    return download("listings", chunks, export_format)


@router.get("/listings/{listing_id}", response_model=ListingOut, summary="Read a listing")
def read_listing(listing_id: uuid.UUID, principal: Viewer, session: DbSession) -> ListingOut:
    return listing_out(service.listing.get(session, principal, listing_id))


@router.patch(
    "/listings/{listing_id}",
    response_model=ListingOut,
    summary="Change a listing (content changes add a version)",
)
def update_listing(
    listing_id: uuid.UUID, body: ListingUpdate, principal: Analyst, session: DbSession
) -> ListingOut:
    return listing_out(service.listing.update(session, principal, listing_id, body))


@router.delete("/listings/{listing_id}", status_code=204, summary="Delete a listing")
def delete_listing(listing_id: uuid.UUID, principal: Analyst, session: DbSession) -> Response:
    service.listing.delete(session, principal, listing_id)
    return Response(status_code=204)


@router.post(
    "/listings/{listing_id}/status",
    response_model=ListingOut,
    summary="Move a listing through its lifecycle",
)
def change_listing_status(
    listing_id: uuid.UUID, body: ListingStatusChange, principal: Analyst, session: DbSession
) -> ListingOut:
    return listing_out(service.listing.change_status(session, principal, listing_id, body.status))


@router.get(
    "/listings/{listing_id}/versions",
    response_model=list[ContentVersionOut],
    summary="Content versions, newest first",
)
def list_versions(
    listing_id: uuid.UUID, principal: Viewer, session: DbSession
) -> list[ContentVersionOut]:
    return [version_out(v) for v in service.listing.versions(session, principal, listing_id)]


@router.get(
    "/listings/{listing_id}/versions/{version}",
    response_model=ContentVersionOut,
    summary="One content version",
)
def read_version(
    listing_id: uuid.UUID,
    version: Annotated[int, Path(ge=1)],
    principal: Viewer,
    session: DbSession,
) -> ContentVersionOut:
    return version_out(service.listing.version(session, principal, listing_id, version))


@router.get(
    "/listings/{listing_id}/diff",
    response_model=ContentDiff,
    summary="Word-level diff of two versions",
)
def diff_versions(
    listing_id: uuid.UUID,
    principal: Viewer,
    session: DbSession,
    from_version: Annotated[int, Query(alias="from", ge=1)],
    to_version: Annotated[int, Query(alias="to", ge=1)],
) -> ContentDiff:
    return service.listing.diff(session, principal, listing_id, from_version, to_version)


@router.post(
    "/listings/{listing_id}/revert",
    response_model=ListingOut,
    summary="Restore an earlier version as a new one",
)
def revert_listing(
    listing_id: uuid.UUID, body: ListingRevert, principal: Analyst, session: DbSession
) -> ListingOut:
    return listing_out(
        service.listing.revert(session, principal, listing_id, body.version, body.note)
    )

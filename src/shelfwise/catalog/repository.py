"""Catalog queries, all scoped to one organization through TenantRepository."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, Select, func, literal, or_, select, tuple_

from shelfwise.catalog.models import (
    Listing,
    ListingContentVersion,
    ListingStatus,
    MarketplaceAccount,
    Product,
)
from shelfwise.platform.keyset import (
    SortKey,
    load_datetime,
    load_decimal,
    load_int,
    load_text,
    paginate,
    parse_sort,
    split_page,
    split_row_page,
)
from shelfwise.platform.repository import TenantRepository
from shelfwise.platform.sqljson import json_row_text, money, utc_timestamp

PRODUCT_SORTS = {
    "created_at": SortKey(Product.created_at, load_datetime),
    "updated_at": SortKey(Product.updated_at, load_datetime),
    "title": SortKey(Product.title, load_text),
    "brand": SortKey(func.coalesce(Product.brand, literal("")), load_text),
}

# A product as plain column values for read-only pages: no identity map, no change tracking,
# which cost more than the query itself on a 50-item page.
PRODUCT_COLUMNS = [column for column in Product.__table__.c if column.key != "organization_id"]

# The same product as the API's JSON (ProductOut's fields, in its order), written by PostgreSQL.
PRODUCT_JSON = json_row_text(
    {
        "id": Product.id,
        "source_platform": Product.source_platform,
        "source_id": Product.source_id,
        "title": Product.title,
        "brand": Product.brand,
        "gtin": Product.gtin,
        "asin": Product.asin,
        "category": Product.category,
        "description": Product.description,
        "images": Product.images,
        "attributes": Product.attributes,
        "cost": money(Product.cost_amount, Product.cost_currency),
        "source_updated_at": utc_timestamp(Product.source_updated_at),
        "created_at": utc_timestamp(Product.created_at),
        "updated_at": utc_timestamp(Product.updated_at),
    }
)

LISTING_SORTS = {
    "created_at": SortKey(Listing.created_at, load_datetime),
    "updated_at": SortKey(Listing.updated_at, load_datetime),
    "title": SortKey(Listing.title, load_text),
    "sku": SortKey(Listing.sku, load_text),
    # Listings without a price or score sort before all others.
    "price": SortKey(func.coalesce(Listing.price_amount, literal(-1)), load_decimal),
    "score": SortKey(func.coalesce(Listing.quality_score, literal(-1)), load_int),
}


def like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass(frozen=True)
class ProductFilter:
    q: str | None = None
    brand: str | None = None
    source_platform: str | None = None
    marketplace: str | None = None
    status: ListingStatus | None = None


@dataclass(frozen=True)
class ListingFilter:
    q: str | None = None
    status: tuple[ListingStatus, ...] = ()
    marketplace: str | None = None
    marketplace_account_id: uuid.UUID | None = None
    product_id: uuid.UUID | None = None
    brand: str | None = None
    score_min: int | None = None
    score_max: int | None = None


class MarketplaceAccountRepository(TenantRepository[MarketplaceAccount]):
    model = MarketplaceAccount

    def all(self) -> list[MarketplaceAccount]:
        statement = self.select().order_by(MarketplaceAccount.created_at, MarketplaceAccount.id)
        return list(self.session.scalars(statement))

    def lock(self, account_id: uuid.UUID) -> bool:
        """Hold the account's row until the transaction ends (whether it exists)."""
        statement = self.scoped(select(MarketplaceAccount.id)).where(
            MarketplaceAccount.id == account_id
        )
        return self.session.scalar(statement.with_for_update()) is not None


class ProductRepository(TenantRepository[Product]):
    model = Product

    def by_source(self, source_platform: str, source_id: str) -> Product | None:
        return self.session.scalar(
            self.select().where(
                Product.source_platform == source_platform, Product.source_id == source_id
            )
        )

    def by_source_keys(self, keys: Sequence[tuple[str, str]]) -> list[Product]:
        """The products with these (source platform, source id) keys (a few hundred at most)."""
        if not keys:
            return []
        wanted = tuple_(Product.source_platform, Product.source_id).in_(keys)
        return list(self.session.scalars(self.select().where(wanted)))

    @property
    def renders_json(self) -> bool:
        """Whether the database writes the API's JSON itself (`page_json`): PostgreSQL."""
        return self.session.get_bind().dialect.name == "postgresql"

    def page(
        self, filters: ProductFilter, sort: str, cursor: str | None, limit: int
    ) -> tuple[Sequence[Row[Any]], str | None]:
        """One page of products as read-only rows with the columns of `Product`."""
        return self._page(select(*PRODUCT_COLUMNS), filters, sort, cursor, limit)

    def page_json(
        self, filters: ProductFilter, sort: str, cursor: str | None, limit: int
    ) -> tuple[list[str], str | None]:
        """Like `page`, each product as the API's JSON text, written by PostgreSQL."""
        rows, next_cursor = self._page(
            select(PRODUCT_JSON, Product.id), filters, sort, cursor, limit
        )
        return [row[0] for row in rows], next_cursor

    def _page(
        self,
        statement: Select[*tuple[Any, ...]],
        filters: ProductFilter,
        sort: str,
        cursor: str | None,
        limit: int,
    ) -> tuple[Sequence[Row[Any]], str | None]:
        statement = self.scoped(statement, Product)
        if filters.q:
            pattern = like_pattern(filters.q)
            statement = statement.where(
                or_(
                    Product.title.ilike(pattern, escape="\\"),
                    Product.source_id.ilike(pattern, escape="\\"),
                    Product.brand.ilike(pattern, escape="\\"),
                    Product.gtin == filters.q.strip(),
                    Product.asin == filters.q.strip().upper(),
                )
            )
        if filters.brand:
            statement = statement.where(Product.brand == filters.brand)
        if filters.source_platform:
            statement = statement.where(Product.source_platform == filters.source_platform)
        if filters.marketplace or filters.status:
            listed = self.scoped(select(Listing.product_id), Listing)
            if filters.marketplace:
                listed = listed.where(Listing.marketplace == filters.marketplace)
            if filters.status:
                listed = listed.where(Listing.status == filters.status)
            statement = statement.where(Product.id.in_(listed))
        key, descending = parse_sort(sort, PRODUCT_SORTS)
        page = paginate(statement, Product.id, key, descending, cursor, limit)
        # Plain rows through the Core connection: the ORM's row loading cost more than the
        # query on the API's busiest route, and these rows are only read.
        return split_row_page(self.session.connection().execute(page).all(), limit)

    def count(self) -> int:
        return int(self.session.scalar(self.scoped(select(func.count()).select_from(Product))) or 0)

    def count_brands(self) -> int:
        statement = self.scoped(select(func.count(func.distinct(Product.brand))), Product)
        return int(self.session.scalar(statement) or 0)

    def count_without_listings(self) -> int:
        listed = self.scoped(select(Listing.product_id), Listing)
        statement = self.scoped(
            select(func.count()).select_from(Product).where(Product.id.not_in(listed)), Product
        )
        return int(self.session.scalar(statement) or 0)


class ListingRepository(TenantRepository[Listing]):
    model = Listing

    def fields_by_sku(
        self, account_id: uuid.UUID, columns: Sequence[Any]
    ) -> dict[str, tuple[Any, ...]]:
        """SKU -> the values of `columns` for every listing of the account (a sync compares
        them before and after it writes)."""
        statement = self.scoped(select(Listing.sku, *columns)).where(
            Listing.marketplace_account_id == account_id
        )
        return {row[0]: tuple(row[1:]) for row in self.session.execute(statement)}

    def by_skus(self, account_id: uuid.UUID, skus: Sequence[str]) -> list[Listing]:
        """The account's listings with these SKUs (a page of a vendor's answer at most)."""
        if not skus:
            return []
        statement = self.select().where(
            Listing.marketplace_account_id == account_id, Listing.sku.in_(skus)
        )
        return list(self.session.scalars(statement))

    def page(
        self, filters: ListingFilter, sort: str, cursor: str | None, limit: int
    ) -> tuple[list[Listing], str | None]:
        statement = self.select()
        if filters.q:
            pattern = like_pattern(filters.q)
            statement = statement.where(
                or_(
                    Listing.title.ilike(pattern, escape="\\"),
                    Listing.sku.ilike(pattern, escape="\\"),
                    Listing.asin == filters.q.strip().upper(),
                )
            )
        if filters.status:
            statement = statement.where(Listing.status.in_(filters.status))
        if filters.marketplace:
            statement = statement.where(Listing.marketplace == filters.marketplace)
        if filters.marketplace_account_id:
            statement = statement.where(
                Listing.marketplace_account_id == filters.marketplace_account_id
            )
        if filters.product_id:
            statement = statement.where(Listing.product_id == filters.product_id)
        if filters.brand:
            branded = self.scoped(select(Product.id).where(Product.brand == filters.brand), Product)
            statement = statement.where(Listing.product_id.in_(branded))
        if filters.score_min is not None:
            statement = statement.where(Listing.quality_score >= filters.score_min)
        if filters.score_max is not None:
            statement = statement.where(Listing.quality_score <= filters.score_max)
        key, descending = parse_sort(sort, LISTING_SORTS)
        rows = self.session.execute(paginate(statement, Listing.id, key, descending, cursor, limit))
        return split_page(list(rows), limit)

    def count(self) -> int:
        return int(self.session.scalar(self.scoped(select(func.count()).select_from(Listing))) or 0)

    def count_by(self, column: Any) -> dict[str, int]:
        statement = self.scoped(select(column, func.count()).group_by(column), Listing)
        return {
            str(getattr(value, "value", value)): int(count)
            for value, count in self.session.execute(statement)
        }

    def average_score(self) -> float | None:
        value = self.session.scalar(self.scoped(select(func.avg(Listing.quality_score)), Listing))
        return round(float(value), 1) if value is not None else None


class ContentVersionRepository(TenantRepository[ListingContentVersion]):
    model = ListingContentVersion

    def of_listing(self, listing_id: uuid.UUID) -> list[ListingContentVersion]:
        statement = (
            self.select()
            .where(ListingContentVersion.listing_id == listing_id)
            .order_by(ListingContentVersion.version.desc())
        )
        return list(self.session.scalars(statement))

    def one(self, listing_id: uuid.UUID, version: int) -> ListingContentVersion | None:
        return self.session.scalar(
            self.select().where(
                ListingContentVersion.listing_id == listing_id,
                ListingContentVersion.version == version,
            )
        )

"""The bulk write path of listing imports: one upsert per batch into one marketplace account,
keyed on the SKU, with the content versions it implies.

A source rarely knows everything about a listing (an inventory report has prices, no titles), so
a field the incoming row leaves None keeps its stored value, and attributes are merged key by key:
importing prices must not blank an optimised title. A new listing takes what its row lacks from
its product (title, description, images, ASIN; the SKU is the title of last resort) and gets
content version 1; an update that changes content (title, description, images, attributes)
gets the next version. Prices and quantities are not content: changing them adds no version.

PostgreSQL: the rows are copied into a session-local staging table, the account's listings with
these SKUs are locked in SKU order (so the merge reads current values for what it keeps, and
concurrent importers cannot deadlock), and one statement merges them (`INSERT … ON CONFLICT DO
UPDATE … WHERE` something differs, in SKU order) and writes the content versions of the rows it
created or changed from its RETURNING. SQLite: write transactions hold the database lock, so the
existing listings are read once, merged in Python and written with executemany.

Nothing here commits, makes ORM objects, audits or emits events: the import job does that.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from sqlalchemy import (
    Boolean,
    Column,
    Integer,
    MetaData,
    Numeric,
    Table,
    Text,
    Uuid,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.engine import Connection
from sqlalchemy.schema import CreateTable

from shelfwise.catalog.bulk import CONTENT_COLUMNS as PRODUCT_CONTENT_COLUMNS
from shelfwise.catalog.models import (
    Listing,
    ListingContentVersion,
    ListingStatus,
    MarketplaceAccount,
    Product,
)
from shelfwise.platform.ids import new_id
from shelfwise.platform.repository import TenantRepository
from shelfwise.platform.types import utcnow

LISTINGS = cast(Table, Listing.__table__)
VERSIONS = cast(Table, ListingContentVersion.__table__)
# What an import writes: kept from the stored listing where the row says nothing.
MERGED_COLUMNS = (
    "asin",
    "title",
    "description",
    "images",
    "attributes",
    "price_amount",
    "price_currency",
    "quantity",
)
# Content (a change adds a version); bullets too, though no import writes them.
CONTENT_COLUMNS = ("title", "description", "images", "attributes")
# What a new listing takes from its product when its row lacks it.
FROM_PRODUCT = ("asin", "title", "description", "images")
CENTS = Decimal("0.01")
IMPORT_ORIGIN = "import"
# SKUs per SELECT … IN on SQLite, far below its 32,766 variables.
SQLITE_KEYS_PER_QUERY = 2000

ProductKey = tuple[str, str]


@dataclass(frozen=True, slots=True)
class ListingRow:
    """One incoming listing; None means "the source does not say": the stored value stays."""

    sku: str
    asin: str | None = None
    title: str | None = None
    description: str | None = None
    images: list[str] | None = None
    price_amount: Decimal | None = None
    price_currency: str | None = None  # ignored without a price
    quantity: int | None = None
    attributes: dict[str, Any] = field(default_factory=dict)  # merged into the stored ones
    # The marketplace's own status text ("Active", "Inactive", "Incomplete"), kept as the
    # attribute `marketplace_status`: the listing's `status` is Shelfwise's lifecycle.
    marketplace_status: str | None = None

    def incoming(self) -> dict[str, Any]:
        """The merged columns as this row sets them (None: keep), the price in cents."""
        attributes = dict(self.attributes)
        if self.marketplace_status is not None:
            attributes["marketplace_status"] = self.marketplace_status
        price = self.price_amount
        return {
            "asin": self.asin,
            "title": self.title,
            "description": self.description,
            "images": self.images,
            "attributes": attributes,
            "price_amount": price.quantize(CENTS, ROUND_HALF_UP) if price is not None else None,
            "price_currency": self.price_currency if price is not None else None,
            "quantity": self.quantity,
        }


@dataclass(frozen=True, slots=True)
class ListingUpsertCounts:
    created: int
    updated: int
    unchanged: int
    versions: int  # content versions written: one per created listing and per content change
    created_skus: frozenset[str]
    updated_skus: frozenset[str]


def _check_batch(rows: Sequence[tuple[uuid.UUID, ListingRow]]) -> None:
    skus = {row.sku for _, row in rows}
    if len(skus) != len(rows):
        raise ValueError("rows repeat a SKU; keep one row per SKU")


# The PostgreSQL staging table: temporary (private to the connection, never WAL-logged); its rows
# go at commit, and those of an earlier call in the same transaction before each copy.
STAGING = Table(
    "listing_upsert_staging",
    MetaData(),
    Column("id", Uuid, nullable=False),
    Column("version_id", Uuid, nullable=False),
    Column("product_id", Uuid, nullable=False),
    Column("sku", Text, nullable=False),
    Column("asin", Text),
    Column("title", Text),
    Column("description", Text),
    Column("images", JSONB),
    Column("attributes", JSONB, nullable=False),
    Column("price_amount", Numeric(14, 2)),
    Column("price_currency", Text),
    Column("quantity", Integer),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DELETE ROWS",
)
# The staging columns' types for binary COPY, in column order.
STAGING_TYPES = [*["uuid"] * 3, *["text"] * 4, "jsonb", "jsonb", "numeric", "text", "int4"]
COPY_STAGING = (
    f"COPY {STAGING.name} ({', '.join(STAGING.columns.keys())}) FROM STDIN (FORMAT BINARY)"
)


class ListingUpserts(TenantRepository[Listing]):
    """Creates or refreshes one organization's listings of one account from import batches."""

    model = Listing

    def upsert(
        self,
        account: MarketplaceAccount,
        rows: Sequence[tuple[uuid.UUID, ListingRow]],
        *,
        created_by: str | None = None,
        note: str | None = None,
    ) -> ListingUpsertCounts:
        """Write `rows` ((product id, row), one per SKU) in the caller's transaction and count
        what happened. An existing listing keeps its product and its status."""
        _check_batch(rows)
        if not rows:
            return ListingUpsertCounts(0, 0, 0, 0, frozenset(), frozenset())
        self.session.flush()  # listings the caller added through the ORM must be seen
        connection = self.session.connection()
        version = _VersionFields(created_by, note, utcnow())
        if connection.dialect.name == "postgresql":
            return self._upsert_postgresql(connection, account, rows, version)
        return self._upsert_sqlite(connection, account, rows, version)

    # PostgreSQL

    def _upsert_postgresql(
        self,
        connection: Connection,
        account: MarketplaceAccount,
        rows: Sequence[tuple[uuid.UUID, ListingRow]],
        version: "_VersionFields",
    ) -> ListingUpsertCounts:
        connection.execute(CreateTable(STAGING, if_not_exists=True))
        connection.execute(delete(STAGING))
        driver_connection: Any = connection.connection.driver_connection  # psycopg's, for COPY
        with driver_connection.cursor() as cursor, cursor.copy(COPY_STAGING) as copy:
            copy.set_types(STAGING_TYPES)
            for product_id, row in rows:
                values = row.incoming()
                copy.write_row(
                    (new_id(), new_id(), product_id, row.sku, *(values[n] for n in MERGED_COLUMNS))
                )
        locked = (
            self.scoped(select(Listing.id))
            .where(
                Listing.marketplace_account_id == account.id,
                Listing.sku.in_(select(STAGING.c.sku)),
            )
            .order_by(Listing.sku)
            .with_for_update()
        )
        connection.execute(locked).all()
        written = connection.execute(self._merge_statement(account, version)).all()
        created = frozenset(row.sku for row in written if row.inserted)
        return ListingUpsertCounts(
            created=len(created),
            updated=len(written) - len(created),
            unchanged=len(rows) - len(written),
            versions=sum(1 for row in written if row.versioned),
            created_skus=created,
            updated_skus=frozenset(row.sku for row in written if not row.inserted),
        )

    def _merge_statement(self, account: MarketplaceAccount, version: "_VersionFields") -> Any:
        staged = STAGING.c
        stored = (
            self.scoped(
                select(Listing.sku, *(getattr(Listing, name) for name in MERGED_COLUMNS))
            ).where(Listing.marketplace_account_id == account.id)
        ).subquery("stored")
        product = self.scoped(
            select(Product.id, *(getattr(Product, name) for name in FROM_PRODUCT)), Product
        ).subquery("product")
        is_new = stored.c.sku.is_(None)

        def kept(name: str) -> Any:
            return func.coalesce(staged[name], stored.c[name])

        def kept_or_from_product(name: str, *last_resort: Any) -> Any:
            fresh = func.coalesce(staged[name], product.c[name], *last_resort)
            return case((is_new, fresh), else_=kept(name))

        merged = {
            "asin": kept_or_from_product("asin"),
            "title": kept_or_from_product("title", staged.sku),
            "description": kept_or_from_product("description"),
            "images": kept_or_from_product("images"),
            "attributes": case(
                (is_new, staged.attributes),
                else_=stored.c.attributes.op("||", return_type=JSONB)(staged.attributes),
            ),
            "price_amount": kept("price_amount"),
            "price_currency": kept("price_currency"),
            "quantity": kept("quantity"),
        }
        now = literal(version.created_at, LISTINGS.c.created_at.type)
        columns = {
            "id": staged.id,
            "organization_id": literal(self.organization_id, Uuid()),
            "product_id": staged.product_id,
            "marketplace_account_id": literal(account.id, Uuid()),
            "marketplace": literal(account.marketplace, LISTINGS.c.marketplace.type),
            "sku": staged.sku,
            **merged,
            "bullets": literal([], LISTINGS.c.bullets.type),
            "status": literal(ListingStatus.IMPORTED, LISTINGS.c.status.type),
            "content_version": literal(1, Integer()),
            "created_at": now,
            "updated_at": now,
        }
        # All writers take the row locks in SKU order, so concurrent batches cannot deadlock.
        incoming = (
            select(*(value.label(name) for name, value in columns.items()))
            .select_from(
                STAGING.outerjoin(stored, stored.c.sku == staged.sku).outerjoin(
                    product, product.c.id == staged.product_id
                )
            )
            .order_by(staged.sku)
        )
        statement = postgresql_insert(LISTINGS).from_select(list(columns), incoming)
        excluded = statement.excluded
        target = LISTINGS.c
        content_differs = or_(
            *(target[name].is_distinct_from(excluded[name]) for name in CONTENT_COLUMNS)
        )
        written = (
            statement.on_conflict_do_update(
                index_elements=["organization_id", "marketplace_account_id", "sku"],
                set_={
                    **{name: excluded[name] for name in MERGED_COLUMNS},
                    "content_version": case(
                        (content_differs, target.content_version + 1),
                        else_=target.content_version,
                    ),
                    "updated_at": version.created_at,
                },
                where=or_(
                    *(target[name].is_distinct_from(excluded[name]) for name in MERGED_COLUMNS)
                ),
            )
            .returning(
                target.id,
                target.sku,
                target.content_version,
                *(target[name] for name in ("bullets", *CONTENT_COLUMNS)),
                literal_column("xmax = 0", Boolean).label("inserted"),
            )
            .cte("written")
        )
        # A version for each listing written at a content version it has no snapshot of yet:
        # created ones (1) and content changes (n + 1); a price change keeps its version.
        snapshots = (
            postgresql_insert(VERSIONS)
            .from_select(
                [
                    "id",
                    "organization_id",
                    "listing_id",
                    "version",
                    "bullets",
                    *CONTENT_COLUMNS,
                    "origin",
                    "note",
                    "created_by",
                    "created_at",
                ],
                select(
                    staged.version_id,
                    literal(self.organization_id, Uuid()),
                    written.c.id,
                    written.c.content_version,
                    written.c.bullets,
                    *(written.c[name] for name in CONTENT_COLUMNS),
                    literal(IMPORT_ORIGIN, VERSIONS.c.origin.type),
                    literal(version.note, VERSIONS.c.note.type),
                    literal(version.created_by, VERSIONS.c.created_by.type),
                    literal(version.created_at, VERSIONS.c.created_at.type),
                ).select_from(written.join(STAGING, staged.sku == written.c.sku)),
            )
            .on_conflict_do_nothing(index_elements=["organization_id", "listing_id", "version"])
            .returning(VERSIONS.c.listing_id)
            .cte("snapshots")
        )
        return select(
            written.c.sku,
            written.c.inserted,
            written.c.id.in_(select(snapshots.c.listing_id)).label("versioned"),
        )

    # SQLite

    def _upsert_sqlite(
        self,
        connection: Connection,
        account: MarketplaceAccount,
        rows: Sequence[tuple[uuid.UUID, ListingRow]],
        version: "_VersionFields",
    ) -> ListingUpsertCounts:
        existing = self._stored_listings(connection, account.id, [row.sku for _, row in rows])
        fresh_products = [product_id for product_id, row in rows if row.sku not in existing]
        products = self._products(connection, fresh_products)
        now = version.created_at
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        snapshots: list[dict[str, Any]] = []
        updated: list[str] = []
        for product_id, row in rows:
            incoming = row.incoming()
            stored = existing.get(row.sku)
            if stored is None:
                values = _new_listing(row, incoming, products.get(product_id, {}))
                listing_id = new_id()
                inserts.append(
                    values
                    | {
                        "id": listing_id,
                        "organization_id": self.organization_id,
                        "product_id": product_id,
                        "marketplace_account_id": account.id,
                        "marketplace": account.marketplace,
                        "sku": row.sku,
                        "bullets": [],
                        "status": ListingStatus.IMPORTED,
                        "content_version": 1,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                snapshots.append(version.snapshot(self.organization_id, listing_id, 1, values, []))
                continue
            values = _kept(incoming, stored)
            if all(values[name] == stored[name] for name in MERGED_COLUMNS):
                continue
            content_version = stored["content_version"]
            if any(values[name] != stored[name] for name in CONTENT_COLUMNS):
                content_version += 1
                snapshots.append(
                    version.snapshot(
                        self.organization_id,
                        stored["id"],
                        content_version,
                        values,
                        stored["bullets"],
                    )
                )
            updated.append(row.sku)
            updates.append(
                {f"new_{name}": values[name] for name in MERGED_COLUMNS}
                | {
                    "new_content_version": content_version,
                    "new_updated_at": now,
                    "listing_id": stored["id"],
                }
            )
        if inserts:
            connection.execute(insert(LISTINGS), inserts)
        if updates:
            changes: dict[str, Any] = {
                name: bindparam(f"new_{name}")
                for name in (*MERGED_COLUMNS, "content_version", "updated_at")
            }
            statement = update(LISTINGS).where(LISTINGS.c.id == bindparam("listing_id"))
            connection.execute(statement.values(changes), updates)
        if snapshots:
            connection.execute(insert(VERSIONS), snapshots)
        return ListingUpsertCounts(
            created=len(inserts),
            updated=len(updates),
            unchanged=len(rows) - len(inserts) - len(updates),
            versions=len(snapshots),
            created_skus=frozenset(row["sku"] for row in inserts),
            updated_skus=frozenset(updated),
        )

    def _stored_listings(
        self, connection: Connection, account_id: uuid.UUID, skus: list[str]
    ) -> dict[str, dict[str, Any]]:
        """The account's listings with these SKUs: what a merge reads, by SKU."""
        names = ("id", "sku", "content_version", "bullets", *MERGED_COLUMNS)
        columns = [getattr(Listing, name) for name in names]
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(skus), SQLITE_KEYS_PER_QUERY):
            chunk = skus[start : start + SQLITE_KEYS_PER_QUERY]
            statement = self.scoped(select(*columns)).where(
                Listing.marketplace_account_id == account_id, Listing.sku.in_(chunk)
            )
            for values in connection.execute(statement):
                found[values.sku] = dict(zip(names, values, strict=True))
        return found

    def _products(
        self, connection: Connection, product_ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, dict[str, Any]]:
        """What new listings take from their products, by product id."""
        columns = [Product.id, *(getattr(Product, name) for name in FROM_PRODUCT)]
        found: dict[uuid.UUID, dict[str, Any]] = {}
        for start in range(0, len(product_ids), SQLITE_KEYS_PER_QUERY):
            chunk = product_ids[start : start + SQLITE_KEYS_PER_QUERY]
            statement = self.scoped(select(*columns), Product).where(Product.id.in_(chunk))
            for product_id, *values in connection.execute(statement):
                found[product_id] = dict(zip(FROM_PRODUCT, values, strict=True))
        return found


def _kept(incoming: dict[str, Any], stored: dict[str, Any]) -> dict[str, Any]:
    values = {
        name: stored[name] if incoming[name] is None else incoming[name] for name in MERGED_COLUMNS
    }
    values["attributes"] = {**(stored["attributes"] or {}), **incoming["attributes"]}
    return values


def _new_listing(
    row: ListingRow, incoming: dict[str, Any], product: dict[str, Any]
) -> dict[str, Any]:
    values = dict(incoming)
    for name in FROM_PRODUCT:
        if values[name] is None:
            values[name] = product.get(name)
    values["title"] = values["title"] or row.sku
    values["images"] = values["images"] if values["images"] is not None else []
    return values


@dataclass(frozen=True, slots=True)
class _VersionFields:
    """What every content version an import writes shares."""

    created_by: str | None
    note: str | None
    created_at: datetime

    def snapshot(
        self,
        organization_id: uuid.UUID,
        listing_id: uuid.UUID,
        version: int,
        values: dict[str, Any],
        bullets: list[str],
    ) -> dict[str, Any]:
        return {
            "id": new_id(),
            "organization_id": organization_id,
            "listing_id": listing_id,
            "version": version,
            "bullets": bullets,
            **{name: values[name] for name in CONTENT_COLUMNS},
            "origin": IMPORT_ORIGIN,
            "note": self.note,
            "created_by": self.created_by,
            "created_at": self.created_at,
        }


class StoredProducts(TenantRepository[Product]):
    """Products looked up by (source platform, source id) for an import that updates only some
    of their fields: read under a row lock, so what it keeps is current when it writes. One
    batch at a time (a few thousand keys: one query each)."""

    model = Product

    def locked(
        self, keys: Sequence[ProductKey]
    ) -> dict[ProductKey, tuple[uuid.UUID, dict[str, Any]]]:
        """Id and content (bulk.CONTENT_COLUMNS) of the existing ones, locked in key order
        (the order of every bulk writer, so none deadlocks) until the transaction ends."""
        if not keys:
            return {}
        names = PRODUCT_CONTENT_COLUMNS
        columns: list[Any] = [Product.source_platform, Product.source_id, Product.id]
        columns += [getattr(Product, name) for name in names]
        statement = (
            self.scoped(select(*columns))
            .where(tuple_(Product.source_platform, Product.source_id).in_(list(keys)))
            .order_by(Product.source_platform, Product.source_id)
            .with_for_update()
        )
        return {
            (source_platform, source_id): (product_id, dict(zip(names, values, strict=True)))
            for source_platform, source_id, product_id, *values in self.session.execute(statement)
        }

    def ids(self, keys: Sequence[ProductKey]) -> dict[ProductKey, uuid.UUID]:
        if not keys:
            return {}
        columns: list[Any] = [Product.source_platform, Product.source_id, Product.id]
        statement = self.scoped(select(*columns)).where(
            tuple_(Product.source_platform, Product.source_id).in_(list(keys))
        )
        return {
            (source_platform, source_id): product_id
            for source_platform, source_id, product_id in self.session.execute(statement)
        }

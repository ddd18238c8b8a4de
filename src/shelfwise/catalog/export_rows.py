"""What a catalog export holds: its columns, one row per product or listing, read page by page.

Each page is read in a short read-only transaction of its own: a streamed body runs after the
request's session is closed, and a transaction per page (rather than one per download) keeps no
pooled connection while a slow client reads. Rows keep their Decimal and datetime values so an
XLSX gets real numbers and dates; the writers in export.py neutralise formulas in text.
"""

import enum
import json
import tempfile
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, BinaryIO, cast

from sqlalchemy.orm import Session

from shelfwise.catalog.export import Cell, export_csv, write_xlsx
from shelfwise.catalog.models import Listing
from shelfwise.catalog.repository import (
    LISTING_SORTS,
    PRODUCT_SORTS,
    ListingFilter,
    ListingRepository,
    ProductFilter,
    ProductRepository,
)
from shelfwise.platform.db import Database
from shelfwise.platform.keyset import parse_sort

EXPORT_PAGE_SIZE = 1_000
XLSX_CHUNK_BYTES = 65_536
XLSX_SPOOL_BYTES = 8 * 1024 * 1024  # larger workbooks move from memory to a temporary file

PRODUCT_COLUMNS = (
    "id",
    "source_platform",
    "source_id",
    "title",
    "brand",
    "gtin",
    "asin",
    "category",
    "description",
    "images",
    "attributes",
    "cost_amount",
    "cost_currency",
    "source_updated_at",
    "created_at",
    "updated_at",
)
LISTING_COLUMNS = (
    "id",
    "product_id",
    "marketplace_account_id",
    "marketplace",
    "sku",
    "asin",
    "title",
    "bullets",
    "description",
    "images",
    "attributes",
    "price_amount",
    "price_currency",
    "quantity",
    "status",
    "quality_score",
    "content_version",
    "created_at",
    "updated_at",
)

ExportRow = dict[str, Cell]
# Reads one page for (session, cursor) and returns its export rows and the next cursor.
PageReader = Callable[[Session, str | None], tuple[list[ExportRow], str | None]]


class ExportFormat(enum.StrEnum):
    CSV = "csv"
    XLSX = "xlsx"

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self]


MEDIA_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def json_text(value: Any) -> str:
    """Compact JSON that keeps non-ASCII text readable in a spreadsheet cell."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def product_row(product: Mapping[Any, Any]) -> ExportRow:
    """A product's columns (a row of ProductRepository.page) as export cells."""
    return {
        "id": str(product["id"]),
        "source_platform": product["source_platform"],
        "source_id": product["source_id"],
        "title": product["title"],
        "brand": product["brand"],
        "gtin": product["gtin"],
        "asin": product["asin"],
        "category": product["category"],
        "description": product["description"],
        "images": " ".join(product["images"] or ()),
        "attributes": json_text(product["attributes"] or {}),
        "cost_amount": product["cost_amount"],
        "cost_currency": product["cost_currency"],
        "source_updated_at": product["source_updated_at"],
        "created_at": product["created_at"],
        "updated_at": product["updated_at"],
    }


def listing_row(listing: Listing) -> ExportRow:
    # Bullets are free text that may hold any separator, so they go out as a JSON list.
    return {
        "id": str(listing.id),
        "product_id": str(listing.product_id),
        "marketplace_account_id": str(listing.marketplace_account_id),
        "marketplace": listing.marketplace,
        "sku": listing.sku,
        "asin": listing.asin,
        "title": listing.title,
        "bullets": json_text(listing.bullets or []),
        "description": listing.description,
        "images": " ".join(listing.images or ()),
        "attributes": json_text(listing.attributes or {}),
        "price_amount": listing.price_amount,
        "price_currency": listing.price_currency,
        "quantity": listing.quantity,
        "status": listing.status.value,
        "quality_score": listing.quality_score,
        "content_version": listing.content_version,
        "created_at": listing.created_at,
        "updated_at": listing.updated_at,
    }


def product_rows(
    database: Database,
    organization_id: uuid.UUID,
    filters: ProductFilter,
    sort: str,
    page_size: int = EXPORT_PAGE_SIZE,
) -> Iterator[ExportRow]:
    """The organization's matching products in `sort` order, read lazily page by page."""
    parse_sort(sort, PRODUCT_SORTS)  # an unknown sort is a 422 before any byte is streamed

    def read_page(session: Session, cursor: str | None) -> tuple[list[ExportRow], str | None]:
        rows, next_cursor = ProductRepository(session, organization_id).page(
            filters, sort, cursor, page_size
        )
        return [product_row(row._mapping) for row in rows], next_cursor

    return _pages(database, organization_id, read_page)


def listing_rows(
    database: Database,
    organization_id: uuid.UUID,
    filters: ListingFilter,
    sort: str,
    page_size: int = EXPORT_PAGE_SIZE,
) -> Iterator[ExportRow]:
    """The organization's matching listings in `sort` order, read lazily page by page."""
    parse_sort(sort, LISTING_SORTS)  # an unknown sort is a 422 before any byte is streamed

    def read_page(session: Session, cursor: str | None) -> tuple[list[ExportRow], str | None]:
        listings, next_cursor = ListingRepository(session, organization_id).page(
            filters, sort, cursor, page_size
        )
        return [listing_row(listing) for listing in listings], next_cursor

    return _pages(database, organization_id, read_page)


def _pages(
    database: Database, organization_id: uuid.UUID, read_page: PageReader
) -> Iterator[ExportRow]:
    cursor: str | None = None
    while True:
        with database.unit_of_work(organization_id=organization_id, write=False) as session:
            rows, cursor = read_page(session, cursor)
        yield from rows
        if cursor is None:
            return


def file_chunks(
    rows: Iterator[ExportRow],
    columns: Sequence[str],
    export_format: ExportFormat,
    sheet_title: str,
) -> Iterator[bytes]:
    """The export file's bytes in chunks."""
    if export_format is ExportFormat.XLSX:
        return _xlsx_chunks(rows, columns, sheet_title)
    return export_csv(rows, columns)


def _xlsx_chunks(
    rows: Iterator[ExportRow], columns: Sequence[str], sheet_title: str
) -> Iterator[bytes]:
    # The workbook is written on the first next() (a zip is complete only at its end), then read
    # back in chunks. Starlette runs each next() of a sync body in a worker thread, so neither
    # the queries nor openpyxl block the event loop.
    with tempfile.SpooledTemporaryFile(max_size=XLSX_SPOOL_BYTES) as file:
        write_xlsx(rows, columns, cast(BinaryIO, file), sheet_title=sheet_title)
        file.seek(0)
        while chunk := file.read(XLSX_CHUNK_BYTES):
            yield chunk

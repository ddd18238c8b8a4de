"""Amazon flat-file reports (tab-separated, unquoted) parsed into typed records.

Handles merchant listings (GET_MERCHANT_LISTINGS_ALL_DATA and the active-only
GET_MERCHANT_LISTINGS_DATA), open listings (GET_FLAT_FILE_OPEN_LISTINGS_DATA, "Inventory Report")
and FBA Manage Inventory (GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA / _ALL_). The report type comes
from the header; a column a variant lacks is None; a bad value makes its row a `RowProblem`.
"""

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, BinaryIO

from shelfwise.catalog.identifiers import is_valid_gtin
from shelfwise.ingest.csvfiles import CsvTable, read_csv
from shelfwise.ingest.records import FileError, Limits, RowProblem
from shelfwise.ingest.values import parse_asin, parse_bool, parse_datetime, parse_int


class ReportType(StrEnum):
    MERCHANT_LISTINGS_ALL = "GET_MERCHANT_LISTINGS_ALL_DATA"
    MERCHANT_LISTINGS = "GET_MERCHANT_LISTINGS_DATA"
    OPEN_LISTINGS = "GET_FLAT_FILE_OPEN_LISTINGS_DATA"
    FBA_MYI_INVENTORY = "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA"


class ProductIdType(StrEnum):
    """What `product-id` holds, from the report's `product-id-type` code."""

    ASIN = "1"
    ISBN = "2"
    UPC = "3"
    EAN = "4"


def _text(value: str) -> str | None:
    return value.strip() or None


def _amount(value: str) -> Decimal | None:
    """Amazon writes no digit groups; EU marketplaces write a decimal comma ("12,99")."""
    value = value.strip()
    if not value:
        return None
    if not re.fullmatch(r"\d{1,10}(?:[.,]\d{1,4})?", value):
        raise ValueError(f"{value[:60]!r} is not an amount")
    return Decimal(value.replace(",", "."))


def _product_id_type(value: str) -> ProductIdType | None:
    value = value.strip()
    if not value:
        return None
    try:
        return ProductIdType(value)
    except ValueError:
        raise ValueError(f"{value[:20]!r} is not 1 (ASIN), 2 (ISBN), 3 (UPC) or 4 (EAN)") from None


def _of(column: str, parse: Callable[[str], Any], *, is_required: bool = False) -> dict[str, Any]:
    """Field metadata: the report column (casefolded) and its parser."""
    return {"column": column, "parse": parse, "required": is_required}


@dataclass(frozen=True, slots=True)
class MerchantListing:
    """A row of a merchant listings report (all or active)."""

    line: int
    seller_sku: str = field(default="", metadata=_of("seller-sku", _text, is_required=True))
    asin: str | None = field(default=None, metadata=_of("asin1", parse_asin))
    item_name: str | None = field(default=None, metadata=_of("item-name", _text))
    item_description: str | None = field(default=None, metadata=_of("item-description", _text))
    listing_id: str | None = field(default=None, metadata=_of("listing-id", _text))
    price: Decimal | None = field(default=None, metadata=_of("price", _amount))
    quantity: int | None = field(default=None, metadata=_of("quantity", parse_int))
    open_date: datetime | None = field(default=None, metadata=_of("open-date", parse_datetime))
    image_url: str | None = field(default=None, metadata=_of("image-url", _text))
    item_condition: str | None = field(default=None, metadata=_of("item-condition", _text))
    product_id: str | None = field(default=None, metadata=_of("product-id", _text))
    product_id_type: ProductIdType | None = field(
        default=None, metadata=_of("product-id-type", _product_id_type)
    )
    fulfillment_channel: str | None = field(
        default=None, metadata=_of("fulfillment-channel", _text)
    )
    pending_quantity: int | None = field(default=None, metadata=_of("pending-quantity", parse_int))
    business_price: Decimal | None = field(default=None, metadata=_of("business price", _amount))
    merchant_shipping_group: str | None = field(
        default=None, metadata=_of("merchant-shipping-group", _text)
    )
    status: str | None = field(default=None, metadata=_of("status", _text))

    @property
    def gtin(self) -> str | None:
        """`product-id` when it is a valid UPC or EAN."""
        if self.product_id_type in (ProductIdType.UPC, ProductIdType.EAN) and self.product_id:
            return self.product_id if is_valid_gtin(self.product_id) else None
        return None


@dataclass(frozen=True, slots=True)
class OpenListing:
    """A row of the open listings ("Inventory") report."""

    line: int
    sku: str = field(default="", metadata=_of("sku", _text, is_required=True))
    asin: str | None = field(default=None, metadata=_of("asin", parse_asin))
    price: Decimal | None = field(default=None, metadata=_of("price", _amount))
    quantity: int | None = field(default=None, metadata=_of("quantity", parse_int))
    business_price: Decimal | None = field(default=None, metadata=_of("business price", _amount))
    product_tax_code: str | None = field(default=None, metadata=_of("producttaxcode", _text))


@dataclass(frozen=True, slots=True)
class FbaInventoryItem:
    """A row of the FBA Manage Inventory report (quantities in units)."""

    line: int
    sku: str = field(default="", metadata=_of("sku", _text, is_required=True))
    fnsku: str | None = field(default=None, metadata=_of("fnsku", _text))
    asin: str | None = field(default=None, metadata=_of("asin", parse_asin))
    product_name: str | None = field(default=None, metadata=_of("product-name", _text))
    condition: str | None = field(default=None, metadata=_of("condition", _text))
    your_price: Decimal | None = field(default=None, metadata=_of("your-price", _amount))
    mfn_listing_exists: bool | None = field(
        default=None, metadata=_of("mfn-listing-exists", parse_bool)
    )
    mfn_fulfillable_quantity: int | None = field(
        default=None, metadata=_of("mfn-fulfillable-quantity", parse_int)
    )
    afn_listing_exists: bool | None = field(
        default=None, metadata=_of("afn-listing-exists", parse_bool)
    )
    afn_warehouse_quantity: int | None = field(
        default=None, metadata=_of("afn-warehouse-quantity", parse_int)
    )
    afn_fulfillable_quantity: int | None = field(
        default=None, metadata=_of("afn-fulfillable-quantity", parse_int)
    )
    afn_unsellable_quantity: int | None = field(
        default=None, metadata=_of("afn-unsellable-quantity", parse_int)
    )
    afn_reserved_quantity: int | None = field(
        default=None, metadata=_of("afn-reserved-quantity", parse_int)
    )
    afn_total_quantity: int | None = field(
        default=None, metadata=_of("afn-total-quantity", parse_int)
    )
    per_unit_volume: Decimal | None = field(default=None, metadata=_of("per-unit-volume", _amount))
    afn_inbound_working_quantity: int | None = field(
        default=None, metadata=_of("afn-inbound-working-quantity", parse_int)
    )
    afn_inbound_shipped_quantity: int | None = field(
        default=None, metadata=_of("afn-inbound-shipped-quantity", parse_int)
    )
    afn_inbound_receiving_quantity: int | None = field(
        default=None, metadata=_of("afn-inbound-receiving-quantity", parse_int)
    )
    afn_researching_quantity: int | None = field(
        default=None, metadata=_of("afn-researching-quantity", parse_int)
    )
    afn_reserved_future_supply: int | None = field(
        default=None, metadata=_of("afn-reserved-future-supply", parse_int)
    )
    afn_future_supply_buyable: int | None = field(
        default=None, metadata=_of("afn-future-supply-buyable", parse_int)
    )


ReportRow = MerchantListing | OpenListing | FbaInventoryItem
_ROW_TYPES: dict[ReportType, type[ReportRow]] = {
    ReportType.MERCHANT_LISTINGS_ALL: MerchantListing,
    ReportType.MERCHANT_LISTINGS: MerchantListing,
    ReportType.OPEN_LISTINGS: OpenListing,
    ReportType.FBA_MYI_INVENTORY: FbaInventoryItem,
}


def detect_report_type(headers: Iterable[str]) -> ReportType:
    """The report a header belongs to (merchant listings without `status` are the active ones)."""
    names = {header.strip().casefold() for header in headers}
    if "seller-sku" in names and names & {"item-name", "asin1"}:
        if "status" in names:
            return ReportType.MERCHANT_LISTINGS_ALL
        return ReportType.MERCHANT_LISTINGS
    if {"sku", "fnsku", "asin", "afn-fulfillable-quantity"} <= names:
        return ReportType.FBA_MYI_INVENTORY
    if {"sku", "asin", "price", "quantity"} <= names:
        return ReportType.OPEN_LISTINGS
    raise FileError(
        "not an Amazon listings or inventory report: expected seller-sku with item-name or asin1,"
        " sku/asin/price/quantity, or sku/fnsku/asin/afn-fulfillable-quantity in the header",
        line=1,
    )


class FlatFileReport:
    """A report's type and columns, and one pass over its typed rows (`for row in report`)."""

    def __init__(self, table: CsvTable) -> None:
        self.table = table
        self.report_type = detect_report_type(table.headers)
        self.row_type = _ROW_TYPES[self.report_type]
        actual = {header.casefold(): header for header in table.headers}
        self._columns = [
            (spec.name, actual.get(spec.metadata["column"]), spec.metadata)
            for spec in fields(self.row_type)
            if spec.metadata
        ]

    @property
    def headers(self) -> tuple[str, ...]:
        return self.table.headers

    def __iter__(self) -> Iterator[ReportRow | RowProblem]:
        for item in self.table:
            if isinstance(item, RowProblem):
                yield item
                continue
            values: dict[str, Any] = {"line": item.line}
            problem = None
            for name, header, spec in self._columns:
                raw = item.values[header] if header is not None else ""
                if spec["required"] and not raw.strip():
                    problem = f"{spec['column']} is empty"
                    break
                try:
                    values[name] = spec["parse"](raw) if header is not None else None
                except ValueError as error:
                    problem = f"{spec['column']}: {error}"
                    break
            yield RowProblem(item.line, problem) if problem else self.row_type(**values)

    def close(self) -> None:
        self.table.close()

    def __enter__(self) -> "FlatFileReport":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def read_report(
    binary: BinaryIO, *, encoding: str | None = None, limits: Limits | None = None
) -> FlatFileReport:
    """Open a downloaded report: encoding detected (the US ones are Windows-1252), type detected."""
    table = read_csv(binary, encoding=encoding, delimiter="\t", quoting="none", limits=limits)
    try:
        return FlatFileReport(table)
    except BaseException:
        table.close()
        raise

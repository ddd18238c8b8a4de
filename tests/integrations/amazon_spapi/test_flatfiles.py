"""Amazon flat-file reports: real Seller Central downloads and synthetic malformed rows."""

import io
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from shelfwise.ingest.records import FileError, RowProblem
from shelfwise.integrations.amazon_spapi.flatfiles import (
    FbaInventoryItem,
    FlatFileReport,
    MerchantListing,
    OpenListing,
    ProductIdType,
    ReportRow,
    ReportType,
    detect_report_type,
    read_report,
)

PDT = timezone(timedelta(hours=-7))
PST = timezone(timedelta(hours=-8))


def rows_of(path: Path) -> tuple[FlatFileReport, dict[int, ReportRow]]:
    with path.open("rb") as upload, read_report(upload) as report:
        items = list(report)
    assert [item for item in items if isinstance(item, RowProblem)] == []
    return report, {item.line: item for item in items if not isinstance(item, RowProblem)}


# Row counts: manifest.json's, plus the unterminated last line it missed in two files (see
# tests/ingest/test_csvfiles.py::test_manifest_row_counts_miss_only_an_unterminated_last_line).
@pytest.mark.parametrize(
    ("name", "report_type", "row_type", "count"),
    [
        pytest.param(
            "amazon_us_Active+Listings+Report+07-02-2021.txt",
            ReportType.MERCHANT_LISTINGS,
            MerchantListing,
            1787,
            id="active-listings",
        ),
        pytest.param(
            "amazon_us_All+Listings+Report+07-12-2021.txt",
            ReportType.MERCHANT_LISTINGS,  # trimmed to 4 columns: no status column left
            MerchantListing,
            2164,
            id="all-listings-trimmed",
        ),
        pytest.param(
            "amazon_us_Inventory+Report+07-12-2021.txt",
            ReportType.OPEN_LISTINGS,
            OpenListing,
            1804,
            id="inventory-2021",
        ),
        pytest.param(
            "amazon_us_Inventory+Report+09-13-2018.txt",
            ReportType.OPEN_LISTINGS,
            OpenListing,
            122,
            id="inventory-2018",
        ),
        pytest.param(
            "amazon_us_fba_myi_inventory_395604018820.txt",
            ReportType.FBA_MYI_INVENTORY,
            FbaInventoryItem,
            701,
            id="fba-myi",
        ),
    ],
)
def test_real_report_type_and_rows(
    shared_data: Path, name: str, report_type: ReportType, row_type: type, count: int
) -> None:
    report, rows = rows_of(shared_data / "reports" / name)

    assert report.report_type == report_type
    assert len(rows) == count
    assert all(type(row) is row_type for row in rows.values())
    assert sorted(rows) == list(range(2, count + 2))


def test_active_listings_rows(shared_data: Path) -> None:
    path = shared_data / "reports" / "amazon_us_Active+Listings+Report+07-02-2021.txt"
    report, rows = rows_of(path)

    assert report.table.encoding == "cp1252"
    assert rows[2] == MerchantListing(
        line=2,
        seller_sku="04-O4VC-1VDM",
        asin="B00XD03VF0",
        item_name=(
            "Nutricost L-Carnitine Powder [100G] 3 Pack - 300 Grams - 1 Gram per Serving;"
            " 100 Servings Per Bottle - L-Carnitine Tartrate"
        ),
        item_description=(
            "L- Carnitine is the subject of many studies due to the fact that it is believed to be"
            " important in the production of energy and the oxidation of fatty acids."
        ),
        listing_id="0508PZY1OM2",
        price=Decimal("28.95"),
        quantity=148,
        open_date=datetime(2015, 5, 8, 11, 3, 5, tzinfo=PDT),
        image_url=None,
        item_condition="11",
        product_id="632963054044",
        product_id_type=ProductIdType.UPC,
        fulfillment_channel="DEFAULT",
        pending_quantity=0,
        business_price=None,
        merchant_shipping_group="Small Items and free basic shipping",
        status=None,
    )
    assert rows[2].gtin == "632963054044"  # type: ignore[union-attr]
    ellipsis = rows[24]
    assert isinstance(ellipsis, MerchantListing)
    assert ellipsis.item_name is not None and ellipsis.item_name.endswith("5G Per Serving …")
    registered = rows[1533]
    assert isinstance(registered, MerchantListing)
    assert registered.item_name == "Nutricost Creapure® Creatine Monohydrate 500 Grams"
    assert registered.open_date == datetime(2017, 2, 21, 13, 4, 41, tzinfo=PST)
    assert registered.open_date == datetime(2017, 2, 21, 21, 4, 41, tzinfo=UTC)


def test_active_listings_fba_rows_and_asin_product_ids(shared_data: Path) -> None:
    _, rows = rows_of(shared_data / "reports" / "amazon_us_Active+Listings+Report+07-02-2021.txt")
    fba = rows[1603]
    by_asin = rows[1604]

    assert isinstance(fba, MerchantListing) and isinstance(by_asin, MerchantListing)
    assert (fba.seller_sku, fba.price, fba.quantity, fba.pending_quantity) == (
        "NTC-CREAPURE1KG",
        Decimal("27.95"),
        None,
        None,
    )
    assert fba.fulfillment_channel == "AMAZON_NA"
    assert (by_asin.product_id, by_asin.product_id_type, by_asin.gtin) == (
        "B06WVKGGJB",
        ProductIdType.ASIN,
        None,
    )


def test_all_listings_keeps_quotes_and_lacks_other_columns(shared_data: Path) -> None:
    _, rows = rows_of(shared_data / "reports" / "amazon_us_All+Listings+Report+07-12-2021.txt")
    row = rows[150]

    assert isinstance(row, MerchantListing)
    assert (row.seller_sku, row.asin) == ("NC-ACV-01", "B01A698E20")
    assert row.item_description is not None
    assert 'includes "The mother" in every capsule' in row.item_description
    assert (row.price, row.quantity, row.listing_id, row.open_date) == (None, None, None, None)


def test_open_listings_rows(shared_data: Path) -> None:
    _, rows_2021 = rows_of(shared_data / "reports" / "amazon_us_Inventory+Report+07-12-2021.txt")
    _, rows_2018 = rows_of(shared_data / "reports" / "amazon_us_Inventory+Report+09-13-2018.txt")

    assert rows_2021[2] == OpenListing(
        line=2, sku="04-O4VC-1VDM", asin="B00XD03VF0", price=Decimal("28.95"), quantity=120
    )
    assert rows_2018[2] == OpenListing(
        line=2,
        sku="BAMBOOHOODEDTOWELSEPT2018111",
        asin="B079LW2KMZ",
        price=Decimal("80.13"),
        quantity=20,
    )
    # The last line of the 2018 file has no newline after it; it is still a row.
    assert rows_2018[123] == OpenListing(
        line=123, sku="TURNTABLE050520181052", asin="B00AFH6CSW", price=Decimal("65.87"), quantity=0
    )


def test_fba_inventory_rows(shared_data: Path) -> None:
    report, rows = rows_of(shared_data / "reports" / "amazon_us_fba_myi_inventory_395604018820.txt")

    assert report.table.encoding == "cp1252"
    assert rows[122] == FbaInventoryItem(
        line=122,
        sku="NC-CDP60CAP",
        fnsku="B07HPB3ZYR",
        asin="B07HPB3ZYR",
        product_name=(
            "Nutricost CDP Choline (Citicoline) 300mg, 60 Vegetarian Capsules - Non-GMO,"
            " Vegetarian Friendly, Gluten Free …"
        ),
        condition="New",
        your_price=Decimal("16.95"),
        mfn_listing_exists=False,
        mfn_fulfillable_quantity=None,
        afn_listing_exists=True,
        afn_warehouse_quantity=587,
        afn_fulfillable_quantity=547,
        afn_unsellable_quantity=0,
        afn_reserved_quantity=40,
        afn_total_quantity=603,
        per_unit_volume=Decimal("0.01"),
        afn_inbound_working_quantity=0,
        afn_inbound_shipped_quantity=0,
        afn_inbound_receiving_quantity=16,
        afn_researching_quantity=0,
        afn_reserved_future_supply=0,
        afn_future_supply_buyable=0,
    )
    registered = rows[489]
    assert isinstance(registered, FbaInventoryItem)
    assert registered.product_name == "Nutricost Creapure® Creatine Monohydrate 1KG"
    assert (registered.afn_unsellable_quantity, registered.afn_researching_quantity) == (6, 4)
    merchant_fulfilled = rows[232]
    assert isinstance(merchant_fulfilled, FbaInventoryItem)
    assert (merchant_fulfilled.mfn_listing_exists, merchant_fulfilled.mfn_fulfillable_quantity) == (
        True,
        42,
    )


# --- synthetic reports ------------------------------------------------------------------------

ALL_DATA_HEADER = (
    "item-name\titem-description\tlisting-id\tseller-sku\tprice\tquantity\topen-date\t"
    "product-id-type\tasin1\tproduct-id\tfulfillment-channel\tstatus\n"
)


def report_items(text: str, encoding: str = "utf-8") -> tuple[ReportType, list[object]]:
    with read_report(io.BytesIO(text.encode(encoding))) as report:
        return report.report_type, list(report)


def test_all_listings_with_status_and_a_decimal_comma() -> None:
    report_type, items = report_items(
        ALL_DATA_HEADER
        + "Bohrer\t\t0101X\tB-1\t12,99\t5\t2024-05-08 11:03:05 CEST\t4\tB00XD03VF0\t4006381333931"
        "\tDEFAULT\tActive\n"
    )

    assert report_type == ReportType.MERCHANT_LISTINGS_ALL
    assert items == [
        MerchantListing(
            line=2,
            seller_sku="B-1",
            asin="B00XD03VF0",
            item_name="Bohrer",
            listing_id="0101X",
            price=Decimal("12.99"),
            quantity=5,
            open_date=datetime(2024, 5, 8, 9, 3, 5, tzinfo=UTC),
            product_id="4006381333931",
            product_id_type=ProductIdType.EAN,
            fulfillment_channel="DEFAULT",
            status="Active",
        )
    ]


def test_bad_values_are_row_problems_and_the_rest_goes_on() -> None:
    good = "Saw\t\t02\tS-2\t9.50\t1\t\t\tB00XD03VF0\t\t\tActive\n"
    _, items = report_items(
        ALL_DATA_HEADER
        + "Drill\t\t01\tD-1\t12.99 USD\t5\t\t\t\t\t\tActive\n"
        + good
        + "Drill\t\t03\tD-3\t1\tmany\t\t\t\t\t\tActive\n"
        + "Drill\t\t04\t \t1\t1\t\t\t\t\t\tActive\n"
        + "Drill\t\t05\tD-5\t1\t1\t\t\tB00XD03VF\t\t\tActive\n"
        + "Drill\t\t06\tD-6\t1\t1\t\t7\t\t\t\tActive\n"
        + "Drill\t\t07\tD-7\t1\t1\tyesterday\t\t\t\t\tActive\n"
        + "Drill\t\t08\tD-8\t1\n"
    )

    assert items[1] == MerchantListing(
        line=3, seller_sku="S-2", asin="B00XD03VF0", item_name="Saw", listing_id="02",
        price=Decimal("9.50"), quantity=1, status="Active",
    )  # fmt: skip
    assert [item for item in items if isinstance(item, RowProblem)] == [
        RowProblem(2, "price: '12.99 USD' is not an amount"),
        RowProblem(4, "quantity: 'many' is not a number (this file uses a decimal point)"),
        RowProblem(5, "seller-sku is empty"),
        RowProblem(
            6, "asin1: 'B00XD03VF' is not a valid ASIN (B0 + 8 letters or digits, or an ISBN-10)"
        ),
        RowProblem(7, "product-id-type: '7' is not 1 (ASIN), 2 (ISBN), 3 (UPC) or 4 (EAN)"),
        RowProblem(
            8,
            "open-date: 'yesterday' is not a date and time (unknown format; write e.g."
            " 2024-05-08 11:03:05 or 2024-05-08T11:03:05Z)",
        ),
        RowProblem(9, "expected 12 fields, found 5"),
    ]


def test_quotes_are_plain_characters_in_reports() -> None:
    _, items = report_items('sku\tasin\tprice\tquantity\n"A1\tB00XD03VF0\t1.00\t2\n')

    assert items == [
        OpenListing(line=2, sku='"A1', asin="B00XD03VF0", price=Decimal("1.00"), quantity=2)
    ]


def test_cp1252_report_bytes() -> None:
    _, items = report_items(
        "sku\tfnsku\tasin\tproduct-name\tafn-fulfillable-quantity\n"
        "S1\tX1\tB00XD03VF0\tCreapure® …\t3\n",
        encoding="cp1252",
    )

    assert items == [
        FbaInventoryItem(
            line=2,
            sku="S1",
            fnsku="X1",
            asin="B00XD03VF0",
            product_name="Creapure® …",
            afn_fulfillable_quantity=3,
        )
    ]


MERCHANT = ReportType.MERCHANT_LISTINGS


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        pytest.param(["seller-sku", "asin1", "item-name", "item-description"], MERCHANT, id="cut"),
        pytest.param(
            ["item-name", "seller-sku", "Status"], ReportType.MERCHANT_LISTINGS_ALL, id="all"
        ),
        pytest.param(["sku", "asin", "price", "quantity"], ReportType.OPEN_LISTINGS, id="open"),
        pytest.param(["SKU", "ASIN", "Price", "Quantity"], ReportType.OPEN_LISTINGS, id="case"),
        pytest.param(
            ["sku", "fnsku", "asin", "afn-fulfillable-quantity", "price", "quantity"],
            ReportType.FBA_MYI_INVENTORY,
            id="fba",
        ),
    ],
)
def test_detect_report_type(headers: list[str], expected: ReportType) -> None:
    assert detect_report_type(headers) == expected


def test_unknown_report_is_a_file_error() -> None:
    with pytest.raises(FileError) as caught:
        report_items('"data/hora","id de liquidação","tipo"\n"1","2","3"\n')

    assert str(caught.value) == (
        "not an Amazon listings or inventory report: expected seller-sku with item-name or asin1,"
        " sku/asin/price/quantity, or sku/fnsku/asin/afn-fulfillable-quantity in the header"
    )

"""Catalog exports over HTTP: streamed CSV and XLSX, filtered, paged, scoped and formula-safe."""

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from openpyxl import load_workbook

from shelfwise.accounts.models import Role
from shelfwise.catalog.export_rows import (
    EXPORT_PAGE_SIZE,
    LISTING_COLUMNS,
    PRODUCT_COLUMNS,
)
from shelfwise.catalog.models import Product
from shelfwise.platform.context import AppContext
from tests.factories import (
    Tenant,
    add_member,
    create_account,
    create_listing,
    create_product,
    create_user,
    login,
    unique,
)

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULAS = ['=HYPERLINK("http://x","y")', "+1", "@SUM(A1)", "\t=1", "-2+3"]


def export(client: TestClient, tenant: Tenant, path: str, **params: Any) -> Response:
    response = client.get(path, params=params, headers=tenant.headers)
    assert response.status_code == 200, response.text
    return response


def csv_rows(response: Response) -> list[dict[str, str]]:
    assert response.content.startswith("\ufeff".encode())  # BOM: Excel reads it as UTF-8
    reader = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"), newline=""))
    return list(reader)


def xlsx_rows(response: Response) -> list[dict[str, Any]]:
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    header, *rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(header, row, strict=True)) for row in rows]


def insert_products(context: AppContext, tenant: Tenant, products: list[dict[str, Any]]) -> None:
    """Products straight into the table: text the API would strip, costs it would refuse, and
    thousands of rows at once."""
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        session.add_all(
            Product(
                organization_id=tenant.organization_id,
                source_platform="manual",
                source_id=unique("SRC"),
                images=[],
                attributes={},
                **product,
            )
            for product in products
        )


def test_product_csv_round_trips_every_column(client: TestClient, tenant: Tenant) -> None:
    product = create_product(
        client,
        tenant,
        title='Bosch Akku-Bohrschrauber, 18 V \u2013 "Professional"\nmit Koffer',
        brand="Bosch",
        gtin="4006381333931",
        asin="B07PGL2ZSL",
        category="Power Tools > Drills",
        description="Line one\r\nline two; ümlaut 🙂",
        images=["https://images.example.com/a.jpg", "https://images.example.com/b.jpg"],
        attributes={"voltage": 18, "nested": {"zähne": [24, 2.5]}, "exact": 2**70},
        cost={"amount": "41.5", "currency": "EUR"},
        source_updated_at="2024-05-01T10:30:00+02:00",
    )

    response = export(client, tenant, "/api/products/export")

    assert response.headers["content-type"] == CSV_TYPE
    assert re.fullmatch(
        r'attachment; filename="products-\d{4}-\d{2}-\d{2}\.csv"',
        response.headers["content-disposition"],
    )
    assert response.content.decode("utf-8-sig").splitlines()[0] == ",".join(PRODUCT_COLUMNS)
    [row] = csv_rows(response)
    # Compact JSON; PostgreSQL's JSONB orders keys its own way, so compare it parsed.
    assert " " not in row["attributes"]
    assert '"zähne":[24,2.5]' in row["attributes"]
    assert json.loads(row.pop("attributes")) == product["attributes"]
    assert row == {
        "id": product["id"],
        "source_platform": "manual",
        "source_id": product["source_id"],
        "title": product["title"],
        "brand": "Bosch",
        "gtin": "4006381333931",
        "asin": "B07PGL2ZSL",
        "category": "Power Tools > Drills",
        "description": "Line one\r\nline two; ümlaut 🙂",
        "images": "https://images.example.com/a.jpg https://images.example.com/b.jpg",
        "cost_amount": "41.50",
        "cost_currency": "EUR",
        "source_updated_at": "2024-05-01T08:30:00+00:00",
        "created_at": datetime.fromisoformat(product["created_at"]).isoformat(),
        "updated_at": datetime.fromisoformat(product["updated_at"]).isoformat(),
    }


def test_product_xlsx_keeps_numbers_and_dates_typed(client: TestClient, tenant: Tenant) -> None:
    product = create_product(
        client,
        tenant,
        cost={"amount": "41.5", "currency": "EUR"},
        source_updated_at="2024-05-01T10:30:00+02:00",
    )

    response = export(client, tenant, "/api/products/export", format="xlsx")

    assert response.headers["content-type"] == XLSX_TYPE
    assert re.fullmatch(
        r'attachment; filename="products-\d{4}-\d{2}-\d{2}\.xlsx"',
        response.headers["content-disposition"],
    )
    [row] = xlsx_rows(response)
    assert list(row) == list(PRODUCT_COLUMNS)
    assert row["id"] == product["id"]
    assert row["cost_amount"] == 41.5
    assert row["source_updated_at"] == datetime(2024, 5, 1, 8, 30)  # UTC, as Excel has no zones
    assert row["attributes"] == "{}"
    assert row["images"] is None  # no images: an empty cell


@pytest.mark.parametrize("title", FORMULAS, ids=["hyperlink", "plus", "at", "tab", "minus"])
def test_formula_titles_are_neutralised_in_csv_and_xlsx(
    context: AppContext, client: TestClient, tenant: Tenant, title: str
) -> None:
    insert_products(
        context,
        tenant,
        [
            {
                "title": title,
                "brand": "=1+1",
                "cost_amount": Decimal("-12.50"),
                "cost_currency": "EUR",
            }
        ],
    )

    [csv_row] = csv_rows(export(client, tenant, "/api/products/export", format="csv"))
    [xlsx_row] = xlsx_rows(export(client, tenant, "/api/products/export", format="xlsx"))

    assert (csv_row["title"], csv_row["brand"]) == ("'" + title, "'=1+1")
    assert (xlsx_row["title"], xlsx_row["brand"]) == ("'" + title, "'=1+1")
    assert isinstance(xlsx_row["title"], str)
    # Only text is neutralised: a negative amount stays a number.
    assert csv_row["cost_amount"] == "-12.50"
    assert xlsx_row["cost_amount"] == -12.5
    assert isinstance(xlsx_row["cost_amount"], int | float)


def test_formula_text_in_listings_is_neutralised(client: TestClient, tenant: Tenant) -> None:
    create_listing(client, tenant, sku="=cmd|' /C calc'!A0", title="@SUM(A1)")

    [csv_row] = csv_rows(export(client, tenant, "/api/listings/export"))
    [xlsx_row] = xlsx_rows(export(client, tenant, "/api/listings/export", format="xlsx"))

    for row in (csv_row, xlsx_row):
        assert (row["sku"], row["title"]) == ("'=cmd|' /C calc'!A0", "'@SUM(A1)")


def test_product_filters_apply(client: TestClient, tenant: Tenant) -> None:
    drill = create_product(client, tenant, title="Cordless drill", brand="Bosch")
    create_product(client, tenant, title="Cordless saw", brand="Makita")
    create_product(client, tenant, title="Hammer", brand="Bosch", source_platform="shopify")
    listed = create_product(client, tenant, title="Listed hammer", brand="Stanley")
    create_listing(
        client,
        tenant,
        product_id=listed["id"],
        marketplace_account_id=create_account(client, tenant, marketplace="amazon.de")["id"],
    )

    def titles(**params: Any) -> list[str]:
        rows = csv_rows(export(client, tenant, "/api/products/export", **params))
        return [row["title"] for row in rows]

    assert titles(brand="Bosch", source_platform="manual") == ["Cordless drill"]
    assert titles(q="cordless", sort="title") == ["Cordless drill", "Cordless saw"]
    assert titles(q="cordless", sort="-title") == ["Cordless saw", "Cordless drill"]
    assert titles(marketplace="amazon.de") == ["Listed hammer"]
    assert titles(status="imported") == ["Listed hammer"]
    assert titles(status="published") == []
    assert titles(q=drill["source_id"]) == ["Cordless drill"]


def test_listing_export_round_trips_and_filters(client: TestClient, tenant: Tenant) -> None:
    account = create_account(client, tenant)
    product = create_product(client, tenant, brand="Bosch")
    listing = create_listing(
        client,
        tenant,
        product_id=product["id"],
        marketplace_account_id=account["id"],
        bullets=["Two batteries, 2.0 Ah", 'Fast "charger"'],
        images=["https://images.example.com/a.jpg"],
        attributes={"colour": "blue"},
    )
    other = create_listing(
        client, tenant, title="Other listing", marketplace_account_id=account["id"]
    )

    response = export(client, tenant, "/api/listings/export", brand="Bosch")
    [row] = csv_rows(response)
    [typed] = xlsx_rows(
        export(client, tenant, "/api/listings/export", brand="Bosch", format="xlsx")
    )

    assert re.fullmatch(
        r'attachment; filename="listings-\d{4}-\d{2}-\d{2}\.csv"',
        response.headers["content-disposition"],
    )
    assert list(row) == list(LISTING_COLUMNS)
    assert row == {
        "id": listing["id"],
        "product_id": product["id"],
        "marketplace_account_id": account["id"],
        "marketplace": "amazon.co.uk",
        "sku": listing["sku"],
        "asin": "",
        "title": listing["title"],
        "bullets": '["Two batteries, 2.0 Ah","Fast \\"charger\\""]',
        "description": "",
        "images": "https://images.example.com/a.jpg",
        "attributes": '{"colour":"blue"}',
        "price_amount": "89.99",
        "price_currency": "GBP",
        "quantity": "12",
        "status": "imported",
        "quality_score": "",  # not scored yet
        "content_version": "1",
        "created_at": datetime.fromisoformat(listing["created_at"]).isoformat(),
        "updated_at": datetime.fromisoformat(listing["updated_at"]).isoformat(),
    }
    assert json.loads(row["bullets"]) == ["Two batteries, 2.0 Ah", 'Fast "charger"']
    assert (typed["price_amount"], typed["quantity"], typed["content_version"]) == (89.99, 12, 1)
    assert typed["status"] == "imported"
    assert isinstance(typed["created_at"], datetime)

    def skus(**params: Any) -> list[str]:
        rows = csv_rows(export(client, tenant, "/api/listings/export", **params))
        return sorted(row["sku"] for row in rows)

    assert len(skus()) == 2
    assert skus(q="other") == [other["sku"]]
    assert skus(status=["published", "failed"]) == []
    assert skus(status=["imported"], product_id=product["id"]) == [listing["sku"]]
    assert skus(marketplace="amazon.de") == []
    assert skus(score_min=0) == []  # unscored listings have no score to compare


def test_more_rows_than_a_page_each_appear_once_in_order(
    context: AppContext, client: TestClient, tenant: Tenant
) -> None:
    count = EXPORT_PAGE_SIZE * 2 + 500
    insert_products(context, tenant, [{"title": f"Item {number:05d}"} for number in range(count)])

    rows = csv_rows(export(client, tenant, "/api/products/export", sort="title"))

    assert [row["title"] for row in rows] == [f"Item {number:05d}" for number in range(count)]
    assert len({row["id"] for row in rows}) == count


def test_paging_by_update_time_sees_every_row_once(
    context: AppContext, client: TestClient, tenant: Tenant
) -> None:
    # Equal timestamps across a page boundary: the id tie-breaker must carry the cursor.
    moment = datetime(2024, 1, 1, tzinfo=UTC)
    count = EXPORT_PAGE_SIZE + 10
    insert_products(
        context,
        tenant,
        [
            {"title": f"Item {number}", "updated_at": moment + timedelta(seconds=number % 3)}
            for number in range(count)
        ],
    )

    rows = xlsx_rows(export(client, tenant, "/api/products/export", format="xlsx"))

    assert len(rows) == count
    assert len({row["id"] for row in rows}) == count


def test_another_organizations_rows_never_appear(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    mine = create_listing(client, tenant, title="Mine")
    create_listing(client, other_tenant, title="Theirs")

    products = csv_rows(export(client, tenant, "/api/products/export"))
    listings = xlsx_rows(export(client, tenant, "/api/listings/export", format="xlsx"))

    assert [row["id"] for row in products] == [mine["product_id"]]
    assert [row["id"] for row in listings] == [mine["id"]]


def test_a_viewer_can_export(context: AppContext, client: TestClient, tenant: Tenant) -> None:
    product = create_product(client, tenant)
    email = f"{unique('viewer')}@example.com"
    create_user(context, email)
    add_member(context, tenant.organization_id, email, Role.VIEWER)
    headers = {"Authorization": f"Bearer {login(client, email)['access_token']}"}

    for path in ("/api/products/export", "/api/listings/export"):
        response = client.get(path, params={"format": "xlsx"}, headers=headers)
        assert response.status_code == 200, response.text
    response = client.get("/api/products/export", headers=headers)
    assert [row["id"] for row in csv_rows(response)] == [product["id"]]


@pytest.mark.parametrize("path", ["/api/products/export", "/api/listings/export"])
def test_an_export_needs_a_token(client: TestClient, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("path", ["/api/products/export", "/api/listings/export"])
@pytest.mark.parametrize(
    ("params", "field"),
    [
        pytest.param({"format": "pdf"}, "query.format", id="unknown-format"),
        pytest.param({"format": "CSV"}, "query.format", id="format-is-case-sensitive"),
        pytest.param({"sort": "-colour"}, "query.sort", id="unknown-sort"),
        pytest.param({"q": "x" * 201}, "query.q", id="search-too-long"),
    ],
)
def test_bad_parameters_are_a_problem_before_any_file(
    client: TestClient, tenant: Tenant, path: str, params: dict[str, str], field: str
) -> None:
    response = client.get(path, params=params, headers=tenant.headers)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert "content-disposition" not in response.headers

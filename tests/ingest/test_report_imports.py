"""Amazon report imports end to end on real Seller Central downloads: exact counts, re-imports
that change nothing, price and title changes (content versions), reports that carry different
columns, dry runs, row errors, resuming, tenancy and refused files."""

import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shelfwise.catalog.models import Listing, ListingContentVersion, Product
from shelfwise.catalog.repository import (
    ContentVersionRepository,
    ListingRepository,
    ProductRepository,
)
from shelfwise.ingest import reports
from shelfwise.ingest.records import RowProblem
from shelfwise.integrations.amazon_spapi.flatfiles import read_report
from shelfwise.jobs.models import Job, JobStatus
from shelfwise.jobs.runtime import JobRunner
from shelfwise.platform.context import AppContext
from tests.factories import Tenant, create_account

ACTIVE = "amazon_us_Active+Listings+Report+07-02-2021.txt"
ALL = "amazon_us_All+Listings+Report+07-12-2021.txt"
INVENTORY = "amazon_us_Inventory+Report+07-12-2021.txt"
INVENTORY_2018 = "amazon_us_Inventory+Report+09-13-2018.txt"
FBA = "amazon_us_fba_myi_inventory_395604018820.txt"

# manifest.json's row counts, plus the unterminated last line it missed in two files.
REPORTS = [
    pytest.param(ACTIVE, 1787, "GET_MERCHANT_LISTINGS_DATA", id="active-listings"),
    pytest.param(ALL, 2164, "GET_MERCHANT_LISTINGS_DATA", id="all-listings-trimmed"),
    pytest.param(INVENTORY, 1804, "GET_FLAT_FILE_OPEN_LISTINGS_DATA", id="inventory-2021"),
    pytest.param(INVENTORY_2018, 121 + 1, "GET_FLAT_FILE_OPEN_LISTINGS_DATA", id="inventory-2018"),
    pytest.param(FBA, 700 + 1, "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA", id="fba-inventory"),
]


def amazon_account(client: TestClient, tenant: Tenant) -> str:
    account_id: str = create_account(client, tenant, marketplace="amazon.com")["id"]
    return account_id


def upload(
    client: TestClient,
    tenant: Tenant,
    content: bytes,
    account_id: str,
    filename: str = "report.txt",
    **form: str,
) -> Any:
    return client.post(
        "/api/import/amazon-report",
        headers=tenant.headers,
        files={"file": (filename, content, "text/tab-separated-values")},
        data={"marketplace_account_id": account_id, **form},
    )


def run_job(context: AppContext, job_id: str) -> Job:
    JobRunner(context.database, context.settings).execute(job_id)
    with context.database.unit_of_work(write=False) as session:
        job = session.get(Job, uuid.UUID(job_id))
        assert job is not None
        return job


def imported(
    client: TestClient,
    context: AppContext,
    tenant: Tenant,
    content: bytes,
    account_id: str,
    **form: str,
) -> dict[str, Any]:
    response = upload(client, tenant, content, account_id, **form)
    assert response.status_code == 202, response.text
    run_job(context, response.json()["job_id"])
    found = client.get(f"/api/import/job/{response.json()['id']}", headers=tenant.headers)
    assert found.status_code == 200, found.text
    run: dict[str, Any] = found.json()
    return run


def counts(run: dict[str, Any]) -> tuple[int, int, int, int, int]:
    found = run["counts"]
    return (
        found["created"],
        found["updated"],
        found["unchanged"],
        found["duplicates"],
        found["rejected"],
    )


def listings(context: AppContext, tenant: Tenant) -> dict[str, Listing]:
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        found = session.scalars(ListingRepository(session, tenant.organization_id).select())
        return {listing.sku: listing for listing in found}


def products(context: AppContext, tenant: Tenant) -> dict[str, Product]:
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        found = session.scalars(ProductRepository(session, tenant.organization_id).select())
        return {product.source_id: product for product in found}


def versions(
    context: AppContext, tenant: Tenant, listing_id: uuid.UUID
) -> list[ListingContentVersion]:
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        return ContentVersionRepository(session, tenant.organization_id).of_listing(listing_id)


def version_count(context: AppContext, tenant: Tenant) -> int:
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        statement = ContentVersionRepository(session, tenant.organization_id).select()
        return len(list(session.scalars(statement)))


def skus_of(path: Path) -> list[str]:
    """The SKUs of a report in file order, read by the flat-file parser (the test's oracle)."""
    with path.open("rb") as binary, read_report(binary) as report:
        rows = [row for row in report if not isinstance(row, RowProblem)]
    return [getattr(row, "seller_sku", None) or getattr(row, "sku", "") for row in rows]


def with_cell(content: bytes, line: int, column: str, value: bytes) -> bytes:
    """`content` with one cell replaced (line 1 is the header; the reports are unquoted TSV)."""
    lines = content.split(b"\n")
    header = lines[0].decode("utf-8-sig").rstrip("\r").split("\t")
    cells = lines[line - 1].split(b"\t")
    cells[header.index(column)] = value
    lines[line - 1] = b"\t".join(cells)
    return b"\n".join(lines)


def first_rows(content: bytes, count: int) -> bytes:
    return b"\n".join(content.split(b"\n")[: count + 1]) + b"\n"


@pytest.mark.parametrize(("name", "rows", "report_type"), REPORTS)
def test_each_real_report_imports_exactly_and_again_changes_nothing(
    client: TestClient,
    context: AppContext,
    tenant: Tenant,
    shared_data: Path,
    name: str,
    rows: int,
    report_type: str,
) -> None:
    path = shared_data / "reports" / name
    content = path.read_bytes()
    account_id = amazon_account(client, tenant)

    run = imported(client, context, tenant, content, account_id, filename=name)

    assert run["status"] == "succeeded", run
    assert run["format"] == "amazon_report"
    assert run["marketplace_account_id"] == account_id
    assert (run["counts"]["rows_total"], run["counts"]["rows_read"]) == (rows, rows)
    assert counts(run) == (rows, 0, 0, 0, 0)
    assert run["progress"]["percent"] == 100.0
    skus = skus_of(path)
    assert len(set(skus)) == rows
    stored = listings(context, tenant)
    assert set(stored) == set(skus)
    assert {listing.marketplace for listing in stored.values()} == {"amazon.com"}
    assert {listing.content_version for listing in stored.values()} == {1}
    assert version_count(context, tenant) == rows
    catalog = products(context, tenant)
    assert set(catalog) == set(skus)
    assert {product.source_platform for product in catalog.values()} == {"amazon"}
    assert all(stored[sku].product_id == catalog[sku].id for sku in skus)
    job = client.get(f"/api/jobs/{run['job_id']}", headers=tenant.headers).json()
    assert job["result"]["report_type"] == report_type

    again = imported(client, context, tenant, content, account_id, filename=name)

    assert counts(again) == (0, 0, rows, 0, 0)
    assert version_count(context, tenant) == rows
    assert {listing.updated_at for listing in listings(context, tenant).values()} == {
        listing.updated_at for listing in stored.values()
    }


def test_what_the_active_listings_report_says_lands_on_product_and_listing(
    client: TestClient, context: AppContext, tenant: Tenant, shared_data: Path
) -> None:
    content = first_rows((shared_data / "reports" / ACTIVE).read_bytes(), 5)
    account_id = amazon_account(client, tenant)

    imported(client, context, tenant, content, account_id)

    listing = listings(context, tenant)["04-O4VC-1VDM"]
    assert listing.asin == "B00XD03VF0"
    assert listing.title.startswith("Nutricost L-Carnitine Powder [100G] 3 Pack")
    assert listing.description is not None and listing.description.startswith("L- Carnitine")
    assert (listing.price_amount, listing.price_currency, listing.quantity) == (
        Decimal("28.95"),
        "USD",
        148,
    )
    assert (listing.status, listing.attributes) == ("imported", {})
    product = products(context, tenant)["04-O4VC-1VDM"]
    assert (product.title, product.asin, product.gtin) == (
        listing.title,
        "B00XD03VF0",
        "632963054044",  # product-id-type 3: a UPC
    )
    (first,) = versions(context, tenant, listing.id)
    assert (first.version, first.origin, first.title) == (1, "import", listing.title)
    assert first.created_by == f"user:{tenant.user_id}"


def test_a_price_change_updates_without_a_version_and_a_title_change_adds_one(
    client: TestClient, context: AppContext, tenant: Tenant, shared_data: Path
) -> None:
    original = first_rows((shared_data / "reports" / ACTIVE).read_bytes(), 40)
    account_id = amazon_account(client, tenant)
    imported(client, context, tenant, original, account_id)

    repriced = with_cell(original, 2, "price", b"31.50")
    run = imported(client, context, tenant, repriced, account_id)

    assert counts(run) == (0, 1, 39, 0, 0)
    listing = listings(context, tenant)["04-O4VC-1VDM"]
    assert (listing.price_amount, listing.content_version) == (Decimal("31.50"), 1)
    assert [found.version for found in versions(context, tenant, listing.id)] == [1]

    renamed = with_cell(repriced, 2, "item-name", b"Nutricost L-Carnitine 300 g \x96 3 Pack")
    run = imported(client, context, tenant, renamed, account_id)

    assert counts(run) == (0, 1, 39, 0, 0)
    listing = listings(context, tenant)["04-O4VC-1VDM"]
    title = "Nutricost L-Carnitine 300 g \u2013 3 Pack"  # 0x96 is an en dash in Windows-1252
    assert (listing.title, listing.content_version) == (title, 2)
    latest, first = versions(context, tenant, listing.id)
    assert (latest.version, latest.title, latest.origin) == (2, title, "import")
    assert first.title.startswith("Nutricost L-Carnitine Powder")
    assert products(context, tenant)["04-O4VC-1VDM"].title == title
    assert version_count(context, tenant) == 41


def test_a_report_keeps_what_it_does_not_carry(
    client: TestClient, context: AppContext, tenant: Tenant, shared_data: Path
) -> None:
    """The inventory report has prices and no names: imported after the listings report it
    prices the listings and blanks no title, description or version."""
    account_id = amazon_account(client, tenant)
    imported(client, context, tenant, (shared_data / "reports" / ALL).read_bytes(), account_id)
    named = listings(context, tenant)
    inventory = skus_of(shared_data / "reports" / INVENTORY)
    new = [sku for sku in inventory if sku not in named]

    run = imported(
        client, context, tenant, (shared_data / "reports" / INVENTORY).read_bytes(), account_id
    )

    assert counts(run) == (len(new), len(inventory) - len(new), 0, 0, 0)
    after = listings(context, tenant)
    listing = after["04-O4VC-1VDM"]
    assert listing.title == named["04-O4VC-1VDM"].title
    assert listing.description == named["04-O4VC-1VDM"].description
    assert (listing.price_amount, listing.quantity, listing.content_version) == (
        Decimal("28.95"),
        120,
        1,
    )
    assert products(context, tenant)["04-O4VC-1VDM"].title == listing.title
    assert version_count(context, tenant) == len(after)
    if new:  # a SKU only the inventory report knows is named by its SKU
        assert after[new[0]].title == new[0]


def test_a_dry_run_counts_but_writes_nothing(
    client: TestClient, context: AppContext, tenant: Tenant, shared_data: Path
) -> None:
    content = (shared_data / "reports" / INVENTORY_2018).read_bytes()
    account_id = amazon_account(client, tenant)

    run = imported(client, context, tenant, content, account_id, dry_run="true")

    assert run["dry_run"] is True
    assert counts(run) == (122, 0, 0, 0, 0)
    assert listings(context, tenant) == {}
    assert products(context, tenant) == {}
    assert version_count(context, tenant) == 0


def test_bad_rows_are_reported_with_line_and_reason_and_duplicates_counted(
    client: TestClient, context: AppContext, tenant: Tenant
) -> None:
    content = (
        b"seller-sku\tasin1\titem-name\tprice\tquantity\tstatus\n"
        b"R-1\tB00XD03VF0\tGood\t10.00\t3\tActive\n"
        b"R-2\tB00XD03VF0\tBad price\tten\t3\tActive\n"
        b"\tB00XD03VF0\tNo SKU\t1.00\t1\tActive\n"
        b"R-3\tnot-an-asin\tBad ASIN\t1.00\t1\tInactive\n"
        b"R-1\tB00XD03VF0\tGood, later\t11.00\t4\tInactive\n"
    )
    account_id = amazon_account(client, tenant)

    run = imported(client, context, tenant, content, account_id)

    assert counts(run) == (1, 0, 0, 1, 3)
    errors = client.get(f"/api/import/job/{run['id']}/errors", headers=tenant.headers).json()
    reasons = {item["row"]: item["message"] for item in errors["items"]}
    assert set(reasons) == {"line 3", "line 4", "line 5"}
    assert "price" in reasons["line 3"]
    assert "seller-sku is empty" in reasons["line 4"]
    assert "asin1" in reasons["line 5"]
    listing = listings(context, tenant)["R-1"]
    assert (listing.title, listing.price_amount, listing.quantity) == ("Good, later", 11, 4)
    assert listing.attributes["marketplace_status"] == "Inactive"
    assert listing.status == "imported"


class WorkerDied(BaseException):
    """Like a kill -9 between two batches: no handler runs, the job stays 'running'."""


def test_an_import_killed_between_batches_resumes_with_exact_counts(
    client: TestClient,
    context: AppContext,
    tenant: Tenant,
    shared_data: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(reports, "BATCH_ROWS", 50)
    account_id = amazon_account(client, tenant)
    response = upload(
        client, tenant, (shared_data / "reports" / INVENTORY_2018).read_bytes(), account_id
    )
    real_write = reports._write_batch
    calls = 0

    def dying_write(*args: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise WorkerDied
        real_write(*args)

    monkeypatch.setattr(reports, "_write_batch", dying_write)
    with pytest.raises(WorkerDied):
        run_job(context, response.json()["job_id"])
    assert len(listings(context, tenant)) == 50

    monkeypatch.setattr(reports, "_write_batch", real_write)
    with context.database.unit_of_work() as session:  # the lease ran out: hand it back
        job = session.get(Job, uuid.UUID(response.json()["job_id"]))
        assert job is not None
        job.status = JobStatus.QUEUED
    run_job(context, response.json()["job_id"])

    run = client.get(f"/api/import/job/{response.json()['id']}", headers=tenant.headers).json()
    assert run["status"] == "succeeded"
    assert (run["counts"]["rows_read"], *counts(run)) == (122, 122, 0, 0, 0, 0)
    assert len(listings(context, tenant)) == 122
    assert version_count(context, tenant) == 122


def test_an_account_of_another_organization_is_not_found(
    client: TestClient,
    context: AppContext,
    tenant: Tenant,
    other_tenant: Tenant,
    shared_data: Path,
) -> None:
    foreign = amazon_account(client, other_tenant)
    content = (shared_data / "reports" / INVENTORY_2018).read_bytes()

    response = upload(client, tenant, content, foreign)

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    missing = upload(client, tenant, content, str(uuid.uuid4()))
    assert missing.status_code == 404
    for who in (tenant, other_tenant):
        assert client.get("/api/import/jobs", headers=who.headers).json()["items"] == []
    assert listings(context, other_tenant) == {}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(b"id,title,brand\r\nK-1,Drill,Bosch\r\n", "seller-sku", id="product-csv"),
        pytest.param(b"", "header", id="empty"),
        pytest.param(b"\x00\x01\x02binary\xff", "", id="binary"),
    ],
)
def test_a_file_that_is_no_report_is_refused_with_nothing_stored(
    client: TestClient, tenant: Tenant, content: bytes, expected: str
) -> None:
    account_id = amazon_account(client, tenant)

    response = upload(client, tenant, content, account_id)

    assert response.status_code == 422, response.text
    assert expected in response.json()["detail"]
    assert client.get("/api/import/jobs", headers=tenant.headers).json()["items"] == []


def test_a_report_goes_only_to_an_amazon_account(
    client: TestClient, tenant: Tenant, shared_data: Path
) -> None:
    ebay = create_account(client, tenant, platform="ebay", marketplace="ebay.com")["id"]
    content = (shared_data / "reports" / INVENTORY_2018).read_bytes()

    response = upload(client, tenant, content, ebay)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "marketplace_account_id"


def test_an_account_deleted_before_the_job_runs_fails_the_import(
    client: TestClient, context: AppContext, tenant: Tenant, shared_data: Path
) -> None:
    account_id = amazon_account(client, tenant)
    content = (shared_data / "reports" / INVENTORY_2018).read_bytes()
    response = upload(client, tenant, content, account_id)
    deleted = client.delete(f"/api/marketplace-accounts/{account_id}", headers=tenant.headers)
    assert deleted.status_code == 204

    job = run_job(context, response.json()["job_id"])

    assert job.status == JobStatus.FAILED
    run = client.get(f"/api/import/job/{response.json()['id']}", headers=tenant.headers).json()
    assert "no longer exists" in run["error"]
    assert products(context, tenant) == {}

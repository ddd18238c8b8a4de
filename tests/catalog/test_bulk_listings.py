"""The bulk listing upsert of imports: what a row leaves None is kept, attributes merge, new
listings start from their product, and content versions follow content (not prices)."""

import uuid
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shelfwise.catalog.bulk_listings import ListingRow, ListingUpsertCounts, ListingUpserts
from shelfwise.catalog.models import Listing, ListingContentVersion, ListingStatus
from shelfwise.catalog.repository import (
    ContentVersionRepository,
    ListingRepository,
    MarketplaceAccountRepository,
)
from shelfwise.platform.context import AppContext
from tests.factories import Tenant, create_account, create_listing, create_product


def upsert(
    context: AppContext, tenant: Tenant, account_id: str, rows: list[tuple[str, ListingRow]]
) -> ListingUpsertCounts:
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        account = MarketplaceAccountRepository(session, tenant.organization_id).get(
            uuid.UUID(account_id)
        )
        assert account is not None
        return ListingUpserts(session, tenant.organization_id).upsert(
            account,
            [(uuid.UUID(product_id), row) for product_id, row in rows],
            created_by="user:test",
            note="bulk test",
        )


def stored(context: AppContext, tenant: Tenant, sku: str) -> Listing:
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        repository = ListingRepository(session, tenant.organization_id)
        found = session.scalar(repository.select().where(Listing.sku == sku))
        assert found is not None
        return found


def history(context: AppContext, tenant: Tenant, listing_id: Any) -> list[ListingContentVersion]:
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        repository = ContentVersionRepository(session, tenant.organization_id)
        return repository.of_listing(uuid.UUID(str(listing_id)))


def counts(found: ListingUpsertCounts) -> tuple[int, int, int, int]:
    return (found.created, found.updated, found.unchanged, found.versions)


def test_a_new_listing_takes_what_its_row_lacks_from_its_product(
    client: TestClient, context: AppContext, tenant: Tenant
) -> None:
    account = create_account(client, tenant, marketplace="amazon.com")["id"]
    product = create_product(
        client,
        tenant,
        title="Product title",
        description="Product description",
        images=["https://images.example/p.jpg"],
        asin="B07PGL2ZSL",
    )["id"]
    bare = create_product(client, tenant, title="Unused")["id"]
    row = ListingRow(sku="N-1", price_amount=Decimal("9.999"), price_currency="USD", quantity=3)

    found = upsert(context, tenant, account, [(product, row), (bare, ListingRow(sku="N-2"))])

    assert counts(found) == (2, 0, 0, 2)
    assert found.created_skus == {"N-1", "N-2"}
    listing = stored(context, tenant, "N-1")
    assert (listing.title, listing.description, listing.asin) == (
        "Product title",
        "Product description",
        "B07PGL2ZSL",
    )
    assert listing.images == ["https://images.example/p.jpg"]
    assert (listing.price_amount, listing.price_currency, listing.quantity) == (
        Decimal("10.00"),  # cents, rounded half up as PostgreSQL's numeric does
        "USD",
        3,
    )
    assert (listing.status, listing.content_version, listing.marketplace) == (
        ListingStatus.IMPORTED,
        1,
        "amazon.com",
    )
    (first,) = history(context, tenant, listing.id)
    assert (first.version, first.origin, first.note, first.created_by) == (
        1,
        "import",
        "bulk test",
        "user:test",
    )
    assert stored(context, tenant, "N-2").title == "Unused"


def test_an_existing_listing_keeps_what_the_row_does_not_say(
    client: TestClient, context: AppContext, tenant: Tenant
) -> None:
    account = create_account(client, tenant, marketplace="amazon.com")["id"]
    made = create_listing(
        client,
        tenant,
        marketplace_account_id=account,
        sku="E-1",
        title="Optimised title",
        bullets=["One", "Two"],
        attributes={"colour": "blue", "marketplace_status": "Active"},
        price={"amount": "89.99", "currency": "USD"},
        quantity=12,
    )
    moved = client.post(
        f"/api/listings/{made['id']}/status", json={"status": "optimizing"}, headers=tenant.headers
    )
    assert moved.status_code == 200, moved.text
    other_product = create_product(client, tenant)["id"]

    repriced = ListingRow(sku="E-1", price_amount=Decimal("79.99"), price_currency="USD")
    found = upsert(context, tenant, account, [(other_product, repriced)])

    assert counts(found) == (0, 1, 0, 0)
    assert found.updated_skus == {"E-1"}
    listing = stored(context, tenant, "E-1")
    assert (listing.title, listing.bullets, listing.quantity) == (
        "Optimised title",
        ["One", "Two"],
        12,
    )
    assert (listing.price_amount, listing.content_version) == (Decimal("79.99"), 1)
    assert (listing.status, str(listing.product_id)) == (
        ListingStatus.OPTIMIZING,
        made["product_id"],
    )

    status = ListingRow(sku="E-1", marketplace_status="Inactive", attributes={"size": "L"})
    found = upsert(context, tenant, account, [(other_product, status)])

    assert counts(found) == (0, 1, 0, 1)
    listing = stored(context, tenant, "E-1")
    assert listing.attributes == {"colour": "blue", "marketplace_status": "Inactive", "size": "L"}
    latest, first = history(context, tenant, listing.id)
    assert (latest.version, latest.bullets, latest.title) == (2, ["One", "Two"], "Optimised title")
    assert (latest.origin, first.origin) == ("import", "create")

    again = upsert(context, tenant, account, [(other_product, status)])
    assert counts(again) == (0, 0, 1, 0)


def test_a_batch_repeating_a_sku_is_refused(
    client: TestClient, context: AppContext, tenant: Tenant
) -> None:
    account = create_account(client, tenant, marketplace="amazon.com")["id"]
    product = create_product(client, tenant)["id"]
    with pytest.raises(ValueError, match="repeat a SKU"):
        upsert(
            context, tenant, account, [(product, ListingRow("D-1")), (product, ListingRow("D-1"))]
        )

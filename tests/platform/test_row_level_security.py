"""Row-level security on PostgreSQL (A1): the application role sees only the tenant it is given."""

import re
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, func, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from shelfwise.analytics.models import InventoryLevel, Order, OrderItem
from shelfwise.bridge.repository import FetchedItemRepository
from shelfwise.catalog.models import Product
from shelfwise.market.models import (
    NotificationReceipt,
    OfferSnapshot,
    OfferTarget,
    RankSnapshot,
    SyncChange,
    SyncRun,
    WatchedAsin,
)
from shelfwise.platform.context import AppContext
from shelfwise.platform.registry import tenant_tables
from shelfwise.platform.settings import Settings
from shelfwise.platform.types import utcnow
from tests.factories import (
    Tenant,
    create_credential,
    create_listing,
    create_webhook_source,
    post_webhook,
    unique,
)

TENANT_PREDICATE = "NULLIF(current_setting('app.org_id', true), '')"


@pytest.fixture
def owner_engine(settings: Settings) -> Iterator[Engine]:
    """The tables' owner (a superuser in tests): sees every row, whatever the policies say."""
    if settings.is_sqlite:
        pytest.skip("row-level security is a PostgreSQL feature")
    engine = create_engine(settings.resolved_migration_url, poolclass=NullPool)
    yield engine
    engine.dispose()


def normalized(expression: str | None) -> str:
    """pg_policies deparses casts ('app.org_id'::text); drop them to compare with the source."""
    return re.sub(r"::\w+", "", expression or "")


def rows_of(engine: Engine, table: str, organization_id: uuid.UUID) -> int:
    with engine.connect() as connection:
        statement = text(f"SELECT count(*) FROM {table} WHERE organization_id = :org")
        return int(connection.execute(statement, {"org": organization_id}).scalar_one())


def test_a1_application_role_is_unprivileged_and_owns_nothing(
    settings: Settings, context: AppContext, owner_engine: Engine
) -> None:
    role = make_url(settings.resolved_database_url).username
    with context.database.engine.connect() as connection:
        assert connection.execute(text("SELECT current_user")).scalar_one() == role
    with owner_engine.connect() as connection:
        flags = connection.execute(
            text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :role"),
            {"role": role},
        ).one()
        owned = connection.execute(
            text(
                # Temporary tables (the bulk imports' COPY staging) are private to the
                # connection that made them and vanish with it: scratch space, not data.
                "SELECT c.relname FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
                "WHERE r.rolname = :role AND c.relpersistence <> 't'"
            ),
            {"role": role},
        ).all()
    assert tuple(flags) == (False, False)
    assert owned == []


def test_a1_every_tenant_table_forces_row_level_security_with_the_tenant_policy(
    owner_engine: Engine,
) -> None:
    names = [table.name for table in tenant_tables()]
    assert names, "the registry knows no tenant table"
    with owner_engine.connect() as connection:
        flags = {
            row.relname: (row.relrowsecurity, row.relforcerowsecurity)
            for row in connection.execute(
                text(
                    "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = 'public' AND c.relname = ANY(:names)"
                ),
                {"names": names},
            )
        }
        policies = connection.execute(
            text(
                "SELECT tablename, policyname, qual, with_check FROM pg_policies "
                "WHERE schemaname = 'public' AND tablename = ANY(:names)"
            ),
            {"names": names},
        ).all()
    assert flags == {name: (True, True) for name in names}
    assert {row.tablename for row in policies} == set(names)
    for row in policies:  # every policy, so no permissive one widens the tenant predicate
        assert TENANT_PREDICATE in normalized(row.qual), (row.tablename, row.policyname)
        assert TENANT_PREDICATE in normalized(row.with_check), (row.tablename, row.policyname)


def add_market_and_analytics_rows(
    context: AppContext, tenant: Tenant, account_id: uuid.UUID
) -> None:
    """A row in each table the syncs fill (written through the application's own role)."""
    now = utcnow()
    account = {"organization_id": tenant.organization_id, "marketplace_account_id": account_id}
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        run = SyncRun(**account, dataset="offers", trigger="manual", counts={})
        order = Order(
            **account, amazon_order_id=unique("114-"), ordered_at=now, last_updated_at=now,
            sales_channel="Amazon.com", item_count=1,
        )  # fmt: skip
        session.add_all(
            [
                run,
                order,
                WatchedAsin(**account, asin="B0RLS00001"),
                OfferTarget(**account, asin="B0RLS00001"),
                OfferSnapshot(**account, asin="B0RLS00001", source="test", condition="new",
                              offer_count=0),
                RankSnapshot(**account, asin="B0RLS00001", category_id="group:test",
                             category="Test", rank=1),
                NotificationReceipt(**account, notification_id=unique("n"),
                                    notification_type="ANY_OFFER_CHANGED", status="applied"),
                InventoryLevel(**account, sku=unique("SKU")),
            ]
        )  # fmt: skip
        session.flush()
        session.add_all(
            [
                SyncChange(organization_id=tenant.organization_id, sync_run_id=run.id,
                           item="B0RLS00001", field="test", old=None, new=1),
                OrderItem(organization_id=tenant.organization_id, order_id=order.id,
                          order_item_id="1", quantity_ordered=1),
            ]
        )  # fmt: skip


@pytest.mark.parametrize("write", [True, False], ids=["write-session", "read-session"])
def test_a1_without_a_tenant_every_tenant_table_looks_empty(
    client: TestClient,
    context: AppContext,
    owner_engine: Engine,
    tenant: Tenant,
    write: bool,
) -> None:
    listing = create_listing(client, tenant)  # products, accounts, listings, versions, audit_log
    scored = client.post(f"/api/listings/{listing['id']}/score", headers=tenant.headers)
    assert scored.status_code == 200  # listing_scores, listing_score_history
    add_market_and_analytics_rows(context, tenant, uuid.UUID(listing["marketplace_account_id"]))
    create_credential(client, tenant)  # credentials, organization_keys
    proposed = client.post(f"/api/ai/optimize/{listing['id']}", headers=tenant.headers)
    assert proposed.status_code == 201  # content_proposals
    delivery = post_webhook(client, create_webhook_source(client, tenant), b"{}")
    assert delivery.status_code == 202  # webhook_events
    keyed = client.post(
        "/api/marketplace-accounts",
        json={"name": "Keyed", "platform": "amazon", "marketplace": "amazon.de"},
        headers=tenant.headers | {"Idempotency-Key": unique("key")},
    )
    assert keyed.status_code == 201  # idempotency_keys
    imported = client.post(
        "/api/import/file",
        headers=tenant.headers,
        files={"file": ("p.csv", b"id,title\r\nR-1,Drill\r\n", "text/csv")},
        data={"save_mapping": "true"},
    )
    assert imported.status_code == 202  # import_runs, import_chunks, import_mappings
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        FetchedItemRepository(session, tenant.organization_id).keep(
            [
                {
                    "marketplace": "amazon.com", "asin": "B0BJQRXJZD", "source": "sp_api",
                    "is_demo": True, "item": {"asin": "B0BJQRXJZD"}, "fetched_at": utcnow(),
                }
            ]
        )  # fmt: skip
    tables = tenant_tables()
    present = {
        table.name: rows_of(owner_engine, table.name, tenant.organization_id) for table in tables
    }
    empty = sorted(name for name, count in present.items() if count == 0)
    assert empty == [], f"create a row in these tenant tables in this test's set-up: {empty}"

    with context.database.unit_of_work(write=write) as session:
        unscoped = {
            table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in tables
        }
    assert unscoped == {table.name: 0 for table in tables}

    with context.database.unit_of_work(
        organization_id=tenant.organization_id, write=write
    ) as session:
        scoped = {
            table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in tables
        }
    assert scoped == present


@pytest.mark.parametrize("change", ["insert", "update"])
def test_a1_with_check_refuses_rows_for_another_organization(
    client: TestClient,
    context: AppContext,
    owner_engine: Engine,
    tenant: Tenant,
    other_tenant: Tenant,
    change: str,
) -> None:
    product_id = uuid.UUID(create_listing(client, tenant)["product_id"])
    source_id = unique("RLS")
    with (
        pytest.raises(DBAPIError, match="violates row-level security policy"),
        context.database.unit_of_work(organization_id=tenant.organization_id) as session,
    ):
        if change == "insert":
            session.add(
                Product(
                    organization_id=other_tenant.organization_id,
                    source_platform="manual",
                    source_id=source_id,
                    title="Smuggled into another organization",
                )
            )
            session.flush()
        else:
            session.execute(
                update(Product)
                .where(Product.id == product_id)
                .values(organization_id=other_tenant.organization_id)
            )
    with owner_engine.connect() as connection:
        rows = connection.execute(
            text("SELECT organization_id FROM products WHERE id = :id OR source_id = :source_id"),
            {"id": product_id, "source_id": source_id},
        ).scalars()
        assert list(rows) == [tenant.organization_id]
    assert rows_of(owner_engine, "products", other_tenant.organization_id) == 0

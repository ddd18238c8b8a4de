"""The orders sync against the fake SP-API, on SQLite and PostgreSQL: the first sync, an
incremental one that logs what changed, paging, a revoked grant, and bad documents."""

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from shelfwise.analytics.models import Order, OrderItem
from shelfwise.analytics.sync import FIRST_SYNC, MARK, OVERLAP, SyncOutcome, sync_orders
from shelfwise.catalog.models import ConnectionStatus
from shelfwise.integrations.errors import AccountDisconnectedError
from shelfwise.market.models import SyncChange, SyncRun, SyncStatus
from shelfwise.platform.context import AppContext
from tests.analytics.conftest import Seller, account_row, ago, vendor_client
from tests.fakes.spapi.faults import REVOKED_GRANT
from tests.fakes.spapi.state import order, order_item
from tests.sellers import rows


def seed_orders(seller: Seller) -> None:
    state = seller.fake.state
    state.add_order(
        "A1FAKESELLER001",
        order(
            "111-0000001-0000001",
            ago(days=3),
            [order_item("10001", "KETTLE-1", "B000000001", Decimal("19.99"), 2, title="Kettle")],
            last_updated=ago(days=2),
            programs=("PRIME",),
        ),
    )
    state.add_order(
        "A1FAKESELLER001",
        order(
            "111-0000001-0000002",
            ago(days=2),
            [
                order_item("20001", "KETTLE-1", "B000000001", Decimal("19.99")),
                order_item("20002", "MUG-2", "B000000002", Decimal("4.50"), 3),
            ],
            last_updated=ago(days=1),
            fulfilled_by="AMAZON",
        ),
    )
    # Updated before the first sync's window: not fetched.
    state.add_order(
        "A1FAKESELLER001",
        order("111-0000001-0000000", ago(days=40), [], last_updated=ago(days=31)),
    )


def sync(context: AppContext, seller: Seller, tmp_path: Path, **options: Any) -> SyncOutcome:
    return sync_orders(
        context.database,
        seller.tenant.organization_id,
        seller.account_id,
        vendor_client(seller, tmp_path),
        trigger="manual",
        **options,
    )


def test_the_first_sync_stores_thirty_days_of_orders_with_their_items(
    context: AppContext, seller: Seller, tmp_path: Path
) -> None:
    seed_orders(seller)
    outcome = sync(context, seller, tmp_path)
    orders = rows(context, seller.tenant, select(Order).order_by(Order.amazon_order_id))
    assert [o.amazon_order_id for o in orders] == ["111-0000001-0000001", "111-0000001-0000002"]
    first, second = orders
    assert (first.status, first.fulfillment_channel, first.sales_channel) == (
        "UNSHIPPED",
        "MERCHANT",
        "AMAZON",
    )
    assert (first.total_amount, first.total_currency, first.item_count) == (
        Decimal("39.98"),
        "USD",
        2,
    )
    assert first.programs == ["PRIME"] and first.marketplace_id == "ATVPDKIKX0DER"
    assert second.total_amount == Decimal("33.49") and second.fulfillment_channel == "AMAZON"
    items = rows(context, seller.tenant, select(OrderItem).order_by(OrderItem.order_item_id))
    assert [
        (i.order_item_id, i.sku, i.asin, i.quantity_ordered, i.quantity_shipped, i.item_price)
        for i in items
    ] == [
        ("10001", "KETTLE-1", "B000000001", 2, 0, Decimal("19.99")),
        ("20001", "KETTLE-1", "B000000001", 1, 0, Decimal("19.99")),
        ("20002", "MUG-2", "B000000002", 3, 0, Decimal("4.50")),
    ]
    assert items[0].order_id == first.id and items[0].title == "Kettle"
    run = rows(context, seller.tenant, select(SyncRun))[0]
    assert (run.dataset, run.status) == ("orders", SyncStatus.SUCCEEDED)
    newest = datetime.fromisoformat(
        seller.fake.state.orders["A1FAKESELLER001"][1]["lastUpdatedTime"]
    )
    assert run.counts == {
        "seen": 2, "created": 2, "updated": 0, "unchanged": 0, "failed": 0,
        MARK: int(newest.timestamp()),
    }  # fmt: skip
    assert outcome.counts == run.counts
    assert rows(context, seller.tenant, select(SyncChange)) == []  # creations are counted
    assert account_row(context, seller).connection_status is ConnectionStatus.CONNECTED


def test_an_incremental_sync_asks_from_the_mark_and_logs_old_and_new_values(
    context: AppContext, seller: Seller, tmp_path: Path
) -> None:
    seed_orders(seller)
    sync(context, seller, tmp_path)
    stored = seller.fake.state.orders["A1FAKESELLER001"]
    # The second order ships one unit and loses an item; a new order arrives.
    changed = order(
        "111-0000001-0000002",
        stored[1]["createdTime"],
        [order_item("20001", "KETTLE-1", "B000000001", Decimal("19.99"), shipped=1)],
        last_updated=ago(minutes=1),
        status="SHIPPED",
        fulfilled_by="AMAZON",
    )
    stored[1] = changed
    seller.fake.state.add_order(
        "A1FAKESELLER001",
        order(
            "111-0000001-0000003",
            ago(hours=1),
            [order_item("30001", "MUG-2", "B000000002", Decimal("4.50"))],
        ),
    )
    outcome = sync(context, seller, tmp_path)
    counts = outcome.counts
    # The first order (updated two days ago, before the mark) is not asked for again.
    assert (counts["seen"], counts["created"], counts["updated"], counts["unchanged"]) == (
        2,
        1,
        1,
        0,
    )
    run_id = outcome.run_id
    changes = rows(
        context, seller.tenant, select(SyncChange).where(SyncChange.sync_run_id == run_id)
    )
    assert sorted((c.item, c.field, c.old, c.new) for c in changes) == [
        ("111-0000001-0000002", "item:20001.quantity_shipped", 0, 1),
        ("111-0000001-0000002", "item:20002", {
            "sku": "MUG-2", "quantity_ordered": 3, "quantity_shipped": 0,
            "item_price": {"amount": "4.50", "currency": "USD"}}, None),
        ("111-0000001-0000002", "item_count", 4, 1),
        ("111-0000001-0000002", "order_total", {"amount": "33.49", "currency": "USD"},
         {"amount": "19.99", "currency": "USD"}),
        ("111-0000001-0000002", "status", "UNSHIPPED", "SHIPPED"),
    ]  # fmt: skip
    order_row = rows(
        context, seller.tenant, select(Order).where(Order.amazon_order_id == "111-0000001-0000002")
    )[0]
    items = rows(
        context, seller.tenant, select(OrderItem).where(OrderItem.order_id == order_row.id)
    )
    assert [(i.order_item_id, i.quantity_shipped) for i in items] == [("20001", 1)]
    assert order_row.status == "SHIPPED" and order_row.total_amount == Decimal("19.99")

    # A third sync re-reads the overlap: the same orders, now unchanged, and nothing logged.
    third = sync(context, seller, tmp_path)
    counts = third.counts
    assert (counts["seen"], counts["updated"], counts["unchanged"]) == (1, 0, 1)
    assert (
        rows(
            context, seller.tenant, select(SyncChange).where(SyncChange.sync_run_id == third.run_id)
        )
        == []
    )


def test_the_window_starts_at_the_last_completed_run_less_the_overlap(
    context: AppContext, seller: Seller, tmp_path: Path
) -> None:
    asked: list[str] = []

    class Recording:
        def search_orders(self, **filters: Any) -> Iterator[list[dict[str, Any]]]:
            asked.append(str(filters["lastUpdatedAfter"]))
            assert filters["includedData"] == ["PROCEEDS", "FULFILLMENT"]  # no BUYER, RECIPIENT
            yield [
                order(
                    "111-0000009-0000001",
                    "2026-11-01T10:00:00Z",
                    [],
                    last_updated="2026-11-30T12:00:00Z",
                )
            ]

    now = datetime(2026, 12, 1, tzinfo=UTC)
    common = {"trigger": "manual", "now": lambda: now}
    database, organization_id = context.database, seller.tenant.organization_id
    sync_orders(database, organization_id, seller.account_id, Recording(), **common)
    sync_orders(database, organization_id, seller.account_id, Recording(), **common)
    first_since = now - FIRST_SYNC
    mark = datetime(2026, 11, 30, 12, tzinfo=UTC)
    assert asked == [
        first_since.strftime("%Y-%m-%dT%H:%M:%SZ"),
        (mark - OVERLAP).strftime("%Y-%m-%dT%H:%M:%SZ"),
    ]


def test_a_failed_run_does_not_move_the_mark(
    context: AppContext, seller: Seller, tmp_path: Path
) -> None:
    asked: list[str] = []

    class Failing:
        def search_orders(self, **filters: Any) -> Iterator[list[dict[str, Any]]]:
            asked.append(str(filters["lastUpdatedAfter"]))
            yield [
                order(
                    "111-0000009-0000002",
                    "2026-11-01T10:00:00Z",
                    [],
                    last_updated="2026-11-30T12:00:00Z",
                )
            ]
            raise RuntimeError("the connection broke")

    now = datetime(2026, 12, 1, tzinfo=UTC)
    database, organization_id = context.database, seller.tenant.organization_id
    for _ in range(2):
        with pytest.raises(RuntimeError):
            sync_orders(
                database,
                organization_id,
                seller.account_id,
                Failing(),
                trigger="manual",
                now=lambda: now,
            )
    assert asked == [(now - FIRST_SYNC).strftime("%Y-%m-%dT%H:%M:%SZ")] * 2
    runs = rows(context, seller.tenant, select(SyncRun))
    assert [(r.status, r.error) for r in runs] == [(SyncStatus.FAILED, "the connection broke")] * 2
    assert len(rows(context, seller.tenant, select(Order))) == 1  # the page before the break stays


def test_paging_reads_every_page(context: AppContext, seller: Seller, tmp_path: Path) -> None:
    for number in range(5):
        seller.fake.state.add_order(
            "A1FAKESELLER001",
            order(f"111-0000002-000000{number}", ago(hours=10 - number),
                  [order_item(f"4000{number}", "KETTLE-1", "B000000001", Decimal("19.99"))]),
        )  # fmt: skip
    pages: list[int] = []
    outcome = sync(context, seller, tmp_path, page_size=2, progress=lambda _s, n: pages.append(n))
    assert pages == [2, 2, 1]
    assert outcome.counts["created"] == 5
    assert len(rows(context, seller.tenant, select(Order))) == 5
    assert len(rows(context, seller.tenant, select(OrderItem))) == 5


def test_a_revoked_grant_disconnects_the_account_and_says_why(
    context: AppContext, seller: Seller, tmp_path: Path
) -> None:
    seed_orders(seller)
    client = vendor_client(seller, tmp_path)
    client.tokens.get_auth()  # connected once
    seller.fake.inject("searchOrders", REVOKED_GRANT)
    with pytest.raises(AccountDisconnectedError):
        sync_orders(
            context.database,
            seller.tenant.organization_id,
            seller.account_id,
            client,
            trigger="manual",
        )
    account = account_row(context, seller)
    assert account.connection_status is ConnectionStatus.DISCONNECTED
    assert account.connection_error is not None and "invalid_grant" in account.connection_error
    run = rows(context, seller.tenant, select(SyncRun))[0]
    assert run.status is SyncStatus.FAILED and run.error == account.connection_error
    assert rows(context, seller.tenant, select(Order)) == []


def test_the_mark_is_never_later_than_the_runs_start(context: AppContext, seller: Seller) -> None:
    class AheadOfUs:  # the vendor's clock runs an hour fast
        def search_orders(self, **filters: Any) -> Iterator[list[dict[str, Any]]]:
            yield [order("111-0000009-0000003", "2026-12-01T00:30:00Z", [],
                         last_updated="2026-12-01T01:00:00Z")]  # fmt: skip

    now = datetime(2026, 12, 1, tzinfo=UTC)
    outcome = sync_orders(
        context.database,
        seller.tenant.organization_id,
        seller.account_id,
        AheadOfUs(),
        trigger="manual",
        now=lambda: now,
    )
    assert outcome.counts[MARK] == int(now.timestamp())

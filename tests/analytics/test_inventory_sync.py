"""The FBA inventory sync against the fake SP-API, on SQLite and PostgreSQL: a full snapshot
over pages, quantity changes in the sync log, SKUs that disappear (and come back)."""

from pathlib import Path

from sqlalchemy import select

from shelfwise.analytics.models import InventoryLevel
from shelfwise.analytics.sync import SyncOutcome, sync_inventory
from shelfwise.market.models import SyncChange, SyncRun, SyncStatus
from shelfwise.platform.context import AppContext
from tests.analytics.conftest import SELLER, Seller, vendor_client
from tests.fakes.spapi.state import inventory_summary
from tests.sellers import rows


def sync(context: AppContext, seller: Seller, tmp_path: Path) -> SyncOutcome:
    return sync_inventory(
        context.database,
        seller.tenant.organization_id,
        seller.account_id,
        vendor_client(seller, tmp_path),
        trigger="manual",
    )


def changes_of(
    context: AppContext, seller: Seller, outcome: SyncOutcome
) -> list[tuple[object, ...]]:
    found = rows(
        context, seller.tenant, select(SyncChange).where(SyncChange.sync_run_id == outcome.run_id)
    )
    return sorted((c.item, c.field, c.old, c.new) for c in found)


def test_a_snapshot_stores_every_level_then_logs_changes_and_missing_skus(
    context: AppContext, seller: Seller, tmp_path: Path
) -> None:
    state = seller.fake.state
    state.add_inventory(
        SELLER,
        inventory_summary(
            "KETTLE-1", "B000000001", 5, inbound_shipped=4, inbound_receiving=1, reserved=2,
            unfulfillable=1, last_updated="2026-11-30T08:00:00Z",
        ),
    )  # fmt: skip
    state.add_inventory(SELLER, inventory_summary("MUG-2", "B000000002", 10))
    state.add_inventory(SELLER, inventory_summary("TOASTER-3", "B000000003", 0))
    first = sync(context, seller, tmp_path)
    assert first.counts == {
        "seen": 3, "created": 3, "updated": 0, "unchanged": 0, "failed": 0, "missing": 0,
    }  # fmt: skip
    levels = rows(context, seller.tenant, select(InventoryLevel).order_by(InventoryLevel.sku))
    kettle = levels[0]
    assert (kettle.sku, kettle.asin, kettle.fnsku, kettle.condition) == (
        "KETTLE-1",
        "B000000001",
        "X000000001",
        "NewItem",
    )
    quantities = (kettle.fulfillable, kettle.inbound, kettle.reserved, kettle.unfulfillable)
    assert quantities == (5, 5, 2, 1) and kettle.total == 13
    assert kettle.vendor_updated_at is not None and kettle.vendor_updated_at.isoformat() == (
        "2026-11-30T08:00:00+00:00"
    )
    assert [level.missing_since for level in levels] == [None, None, None]

    # Three mugs sell; the toaster is no longer in Amazon's answer.
    state.add_inventory(SELLER, inventory_summary("MUG-2", "B000000002", 7))
    del state.inventory[(SELLER, "TOASTER-3")]
    second = sync(context, seller, tmp_path)
    assert second.counts == {
        "seen": 2, "created": 0, "updated": 1, "unchanged": 1, "failed": 0, "missing": 1,
    }  # fmt: skip
    assert changes_of(context, seller, second) == [
        ("MUG-2", "fulfillable", 10, 7),
        ("MUG-2", "total", 10, 7),
        ("TOASTER-3", "reported", True, False),
    ]
    levels = rows(context, seller.tenant, select(InventoryLevel).order_by(InventoryLevel.sku))
    assert [level.sku for level in levels] == ["KETTLE-1", "MUG-2", "TOASTER-3"]  # kept
    toaster = levels[2]
    assert toaster.missing_since is not None and toaster.missing_since == levels[1].synced_at
    assert levels[1].fulfillable == 7

    # A third snapshot: still missing is not news; the toaster returning is.
    third = sync(context, seller, tmp_path)
    assert third.counts["missing"] == 0 and changes_of(context, seller, third) == []
    state.add_inventory(SELLER, inventory_summary("TOASTER-3", "B000000003", 2))
    fourth = sync(context, seller, tmp_path)
    assert changes_of(context, seller, fourth) == [
        ("TOASTER-3", "fulfillable", 0, 2),
        ("TOASTER-3", "reported", False, True),
        ("TOASTER-3", "total", 0, 2),
    ]
    toaster = rows(
        context, seller.tenant, select(InventoryLevel).where(InventoryLevel.sku == "TOASTER-3")
    )[0]
    assert toaster.missing_since is None
    runs = rows(context, seller.tenant, select(SyncRun))
    assert {(run.dataset, run.status) for run in runs} == {("inventory", SyncStatus.SUCCEEDED)}


def test_a_snapshot_over_several_pages_is_read_whole(
    context: AppContext, seller: Seller, tmp_path: Path
) -> None:
    for number in range(120):  # the API's page holds 50
        seller.fake.state.add_inventory(
            SELLER, inventory_summary(f"SKU-{number:03d}", f"B{number:09d}", number)
        )
    outcome = sync(context, seller, tmp_path)
    assert (outcome.counts["seen"], outcome.counts["created"]) == (120, 120)
    assert seller.fake.total("getInventorySummaries").accepted == 3
    levels = rows(context, seller.tenant, select(InventoryLevel).order_by(InventoryLevel.sku))
    assert [(level.sku, level.fulfillable) for level in levels[::59]] == [
        ("SKU-000", 0),
        ("SKU-059", 59),
        ("SKU-118", 118),
    ]

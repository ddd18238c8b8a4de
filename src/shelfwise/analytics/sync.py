"""Orders and FBA inventory sync of one account, each run logged as a sync run with its changes.

Orders are incremental: a run asks for the orders updated since the high-water mark of the last
run that read to the end, partial ones included (minus an overlap, as Amazon's lastUpdatedTime
can land late), or for the last 30 days the first time; it stores the newest lastUpdatedTime it
saw, never later than its own start, as its mark (in its counts, seconds since the epoch). An
order refused as malformed stays on the job's item errors; Amazon sends it again once it
changes. Inventory is a full snapshot: SKUs that Amazon no
longer reports are marked missing, not deleted. Each page is one transaction (a run stopped
half-way keeps what it stored and the next run starts from the previous mark again). A document
that breaks the model's rules is recorded as an item error and the rest stored; the run ends
`partial`. Creations are counted, not logged: the sync log holds what changed.
"""

import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.orm import Session

from shelfwise.analytics.documents import (
    BadDocument,
    ItemRow,
    LevelRow,
    OrderRow,
    parse_order,
    parse_summary,
)
from shelfwise.analytics.repository import InventoryRepository, OrderRepository, SyncMarkRepository
from shelfwise.integrations.errors import AccountDisconnectedError
from shelfwise.market.models import SyncStatus
from shelfwise.market.repository import SyncRunRepository
from shelfwise.market.service import finish_sync, record_connection, start_sync
from shelfwise.platform.db import Database
from shelfwise.platform.ids import new_id
from shelfwise.platform.types import utcnow

ORDERS = "orders"
INVENTORY = "inventory"
OVERLAP = timedelta(minutes=5)
FIRST_SYNC = timedelta(days=30)
PAGE_SIZE = 100  # searchOrders' maximum
# The order data sets the sync reads: never BUYER or RECIPIENT (no personal data is stored).
INCLUDED_DATA = ("PROCEEDS", "FULFILLMENT")
MARK = "high_water_mark"
QUANTITIES = ("fulfillable", "inbound", "reserved", "unfulfillable", "total")

ItemError = Callable[[Session, str, str, str | None], None]
Progress = Callable[[Session, int], None]


class OrdersSource(Protocol):
    def search_orders(self, **filters: Any) -> Iterator[list[dict[str, Any]]]: ...


class InventorySource(Protocol):
    def inventory_summaries(self) -> Iterator[list[dict[str, Any]]]: ...


@dataclass
class SyncCounts:
    seen: int = 0
    created: int = 0
    updated: int = 0  # stored values differ (the logged changes say which)
    unchanged: int = 0
    failed: int = 0  # documents refused, each an item error on the job
    missing: int | None = None  # inventory only: SKUs no longer reported

    def as_dict(self) -> dict[str, int]:
        return {name: value for name, value in asdict(self).items() if value is not None}


@dataclass(frozen=True)
class SyncOutcome:
    run_id: uuid.UUID
    counts: dict[str, int]


@dataclass
class _Run:
    """What every page of one run shares."""

    database: Database
    organization_id: uuid.UUID
    account_id: uuid.UUID
    run_id: uuid.UUID
    at: datetime
    item_error: ItemError | None
    progress: Progress | None
    counts: SyncCounts

    def refused(self, session: Session, bad: BadDocument) -> None:
        self.counts.failed += 1
        if self.item_error is not None:
            self.item_error(session, bad.item, bad.message, bad.field)

    def change(self, item: str, field: str, old: Any, new: Any) -> dict[str, Any]:
        return {
            "id": new_id(),
            "organization_id": self.organization_id,
            "sync_run_id": self.run_id,
            "item": item[:200],
            "field": field[:100],
            "old": old,
            "new": new,
            "changed_at": self.at,
        }


def sync_orders(
    database: Database,
    organization_id: uuid.UUID,
    account_id: uuid.UUID,
    source: OrdersSource,
    *,
    trigger: str,
    job_id: uuid.UUID | None = None,
    item_error: ItemError | None = None,
    progress: Progress | None = None,
    page_size: int = PAGE_SIZE,
    now: Callable[[], datetime] = utcnow,
) -> SyncOutcome:
    """Store the orders updated since the last completed run's mark (less OVERLAP)."""
    at = now()
    with database.unit_of_work(organization_id=organization_id) as session:
        previous = SyncMarkRepository(session, organization_id).last_completed(account_id, ORDERS)
        mark = _mark(previous.counts if previous else {})
        since = mark - OVERLAP if mark else at - FIRST_SYNC
        run_id = start_sync(session, organization_id, account_id, ORDERS, trigger, job_id).id
    run = _Run(
        database, organization_id, account_id, run_id, at, item_error, progress, SyncCounts()
    )

    def read() -> dict[str, int]:
        newest = mark or since
        pages = source.search_orders(
            lastUpdatedAfter=since.strftime("%Y-%m-%dT%H:%M:%SZ"),
            includedData=list(INCLUDED_DATA),
            maxResultsPerPage=page_size,
        )
        for number, documents in enumerate(pages, start=1):
            with database.unit_of_work(organization_id=organization_id) as session:
                newest = max(newest, _store_orders(session, run, documents, number) or newest)
        return {MARK: int(min(newest, at).timestamp())}  # a vendor clock ahead skips nothing

    return _execute(run, read)


def sync_inventory(
    database: Database,
    organization_id: uuid.UUID,
    account_id: uuid.UUID,
    source: InventorySource,
    *,
    trigger: str,
    job_id: uuid.UUID | None = None,
    item_error: ItemError | None = None,
    progress: Progress | None = None,
    now: Callable[[], datetime] = utcnow,
) -> SyncOutcome:
    """Store Amazon's full inventory snapshot; mark the SKUs it no longer holds as missing."""
    with database.unit_of_work(organization_id=organization_id) as session:
        run_id = start_sync(session, organization_id, account_id, INVENTORY, trigger, job_id).id
    run = _Run(
        database, organization_id, account_id, run_id, now(), item_error, progress, SyncCounts()
    )

    run.counts.missing = 0

    def read() -> dict[str, int]:
        reported: set[str] = set()
        for number, documents in enumerate(source.inventory_summaries(), start=1):
            with database.unit_of_work(organization_id=organization_id) as session:
                reported |= _store_levels(session, run, documents, number)
        # Only a snapshot read to its end says what is gone.
        with database.unit_of_work(organization_id=organization_id) as session:
            levels = InventoryRepository(session, organization_id)
            missing = sorted(levels.present_skus(account_id) - reported)
            levels.mark_missing(account_id, missing, run.at)
            SyncRunRepository(session, organization_id).add_changes(
                [run.change(sku, "reported", True, False) for sku in missing]
            )
        run.counts.missing = len(missing)
        return {}

    return _execute(run, read)


def _execute(run: _Run, read: Callable[[], dict[str, int]]) -> SyncOutcome:
    """Call `read` (it answers counts of its own) and finish the sync run however it ends."""
    database, organization_id = run.database, run.organization_id
    try:
        extra = read()
    except AccountDisconnectedError as disconnected:
        record_connection(database, organization_id, run.account_id, disconnected)
        finish_sync(
            database,
            organization_id,
            run.run_id,
            SyncStatus.FAILED,
            run.counts.as_dict(),
            disconnected.detail,
        )
        raise
    except Exception as error:  # finish the run as failed, and let the queue decide
        finish_sync(
            database,
            organization_id,
            run.run_id,
            SyncStatus.FAILED,
            run.counts.as_dict(),
            str(error),
        )
        raise
    record_connection(database, organization_id, run.account_id, None)
    counts = run.counts.as_dict() | extra
    status = SyncStatus.PARTIAL if run.counts.failed else SyncStatus.SUCCEEDED
    finish_sync(database, organization_id, run.run_id, status, counts)
    return SyncOutcome(run.run_id, counts)


def _store_orders(
    session: Session, run: _Run, documents: list[dict[str, Any]], number: int
) -> datetime | None:
    """Store one page of orders; the newest lastUpdatedTime among them."""
    parsed: dict[str, OrderRow] = {}
    for index, document in enumerate(documents, start=1):
        try:
            order = parse_order(document, f"page {number}, order {index}")
        except BadDocument as bad:
            run.refused(session, bad)
            continue
        kept = parsed.get(order.amazon_order_id)  # a batch is de-duplicated before its upsert
        if kept is None or order.last_updated_at >= kept.last_updated_at:
            parsed[order.amazon_order_id] = order
    orders = OrderRepository(session, run.organization_id)
    stored = orders.stored(run.account_id, list(parsed))
    written: list[OrderRow] = []
    changes: list[dict[str, Any]] = []
    for order in parsed.values():
        before = stored.get(order.amazon_order_id)
        if before is None:
            run.counts.created += 1
        elif before[1] == order:
            run.counts.unchanged += 1
            continue
        else:
            run.counts.updated += 1
            changes += [
                run.change(order.amazon_order_id, field, old, new)
                for field, old, new in order_changes(before[1], order)
            ]
        written.append(order)
    run.counts.seen += len(parsed)
    if written:
        # Rows locked in one order (by id) by every writer: two syncs of an account cannot
        # deadlock, and the order rows serialize the replacement of their items.
        written.sort(key=lambda order: order.amazon_order_id)
        ids = orders.upsert(run.account_id, written, run.at)
        orders.replace_items(
            [ids[order.amazon_order_id] for order in written if order.amazon_order_id in stored],
            [(ids[order.amazon_order_id], item) for order in written for item in order.items],
        )
    SyncRunRepository(session, run.organization_id).add_changes(changes)
    if run.progress is not None:
        run.progress(session, len(documents))
    return max((order.last_updated_at for order in parsed.values()), default=None)


def _store_levels(
    session: Session, run: _Run, documents: list[dict[str, Any]], number: int
) -> set[str]:
    """Store one page of inventory summaries; the SKUs it reported (refused ones included)."""
    parsed: dict[str, LevelRow] = {}
    reported: set[str] = set()
    for index, document in enumerate(documents, start=1):
        try:
            level = parse_summary(document, f"page {number}, summary {index}")
        except BadDocument as bad:
            reported.add(bad.item)  # Amazon still holds the SKU: not missing, just unreadable
            run.refused(session, bad)
            continue
        parsed[level.sku] = level
    reported |= parsed.keys()
    stored = InventoryRepository(session, run.organization_id).stored(run.account_id, list(parsed))
    changes: list[dict[str, Any]] = []
    for level in parsed.values():
        before = stored.get(level.sku)
        if before is None:
            run.counts.created += 1
            continue
        old, missing_since = before
        if missing_since is not None:
            changes.append(run.change(level.sku, "reported", False, True))
        if old == level and missing_since is None:
            run.counts.unchanged += 1
            continue
        run.counts.updated += 1
        changes += [
            run.change(level.sku, name, getattr(old, name), getattr(level, name))
            for name in QUANTITIES
            if getattr(old, name) != getattr(level, name)
        ]
    run.counts.seen += len(parsed)
    # Every reported level is written, unchanged ones too: synced_at says when it was confirmed.
    InventoryRepository(session, run.organization_id).upsert(
        run.account_id, sorted(parsed.values(), key=lambda level: level.sku), run.at
    )
    SyncRunRepository(session, run.organization_id).add_changes(changes)
    if run.progress is not None:
        run.progress(session, len(documents))
    return reported


def order_changes(old: OrderRow, new: OrderRow) -> list[tuple[str, Any, Any]]:
    """(field, old, new) of what a seller would call a change: status, totals, items."""
    changes: list[tuple[str, Any, Any]] = []
    for name in ("status", "fulfillment_channel", "item_count"):
        if getattr(old, name) != getattr(new, name):
            changes.append((name, getattr(old, name), getattr(new, name)))
    before, after = (
        _money(old.total_amount, old.total_currency),
        _money(new.total_amount, new.total_currency),
    )
    if before != after:
        changes.append(("order_total", before, after))
    if old.programs != new.programs:
        changes.append(("programs", list(old.programs), list(new.programs)))
    old_items = {item.order_item_id: item for item in old.items}
    new_items = {item.order_item_id: item for item in new.items}
    for item_id in sorted(old_items.keys() | new_items.keys()):
        was, now = old_items.get(item_id), new_items.get(item_id)
        if was is None or now is None:
            changes.append((f"item:{item_id}", _item(was), _item(now)))
            continue
        for name, old_value, new_value in (
            ("sku", was.sku, now.sku),
            ("quantity_ordered", was.quantity_ordered, now.quantity_ordered),
            ("quantity_shipped", was.quantity_shipped, now.quantity_shipped),
            ("item_price", _money(was.item_price, was.item_currency),
             _money(now.item_price, now.item_currency)),
        ):  # fmt: skip
            if old_value != new_value:
                changes.append((f"item:{item_id}.{name}", old_value, new_value))
    return changes


def _money(amount: Any, currency: str | None) -> dict[str, str] | None:
    if amount is None or currency is None:
        return None
    return {"amount": f"{amount:.2f}", "currency": currency}


def _item(item: ItemRow | None) -> dict[str, Any] | None:
    if item is None:
        return None
    return {
        "sku": item.sku,
        "quantity_ordered": item.quantity_ordered,
        "quantity_shipped": item.quantity_shipped,
        "item_price": _money(item.item_price, item.item_currency),
    }


def _mark(counts: dict[str, int]) -> datetime | None:
    value = counts.get(MARK)
    if isinstance(value, int) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    return None

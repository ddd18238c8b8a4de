"""Analytics queries: orders and their items, inventory levels and the orders sync's high-water
mark, scoped to one tenant. Writes are set-based: one INSERT … ON CONFLICT per batch."""

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from shelfwise.analytics.documents import ItemRow, LevelRow, OrderRow
from shelfwise.analytics.models import InventoryLevel, Order, OrderItem
from shelfwise.market.models import SyncRun, SyncStatus
from shelfwise.platform.db import dialect_insert
from shelfwise.platform.ids import new_id
from shelfwise.platform.keyset import SortKey, load_datetime, load_text, paginate, split_page
from shelfwise.platform.repository import TenantRepository

# Rows per statement: within SQLite's bound-variable limit at every table's width.
CHUNK = 500
ORDER_UPDATED = (
    "status", "ordered_at", "last_updated_at", "sales_channel", "marketplace_id",
    "fulfillment_channel", "total_amount", "total_currency", "item_count", "programs",
    "synced_at",
)  # fmt: skip
ITEM_UPDATED = (
    "sku", "asin", "title", "quantity_ordered", "quantity_shipped", "item_price", "item_currency",
)  # fmt: skip
LEVEL_UPDATED = (
    "asin", "fnsku", "condition", "fulfillable", "inbound", "reserved", "unfulfillable",
    "total", "vendor_updated_at", "synced_at", "missing_since",
)  # fmt: skip
NEWEST_UPDATE = SortKey(Order.last_updated_at, load_datetime)
BY_SKU = SortKey(InventoryLevel.sku, load_text)


def _chunks(rows: Sequence[Any]) -> list[Sequence[Any]]:
    return [rows[start : start + CHUNK] for start in range(0, len(rows), CHUNK)]


class OrderRepository(TenantRepository[Order]):
    model = Order

    def stored(
        self, account_id: uuid.UUID, amazon_order_ids: Sequence[str]
    ) -> dict[str, tuple[uuid.UUID, OrderRow]]:
        """These orders as stored (row id, values with items), by Amazon order id."""
        if not amazon_order_ids:
            return {}
        orders = self.session.execute(
            self.scoped(
                select(
                    Order.id,
                    Order.amazon_order_id,
                    Order.status,
                    Order.ordered_at,
                    Order.last_updated_at,
                    Order.sales_channel,
                    Order.marketplace_id,
                    Order.fulfillment_channel,
                    Order.total_amount,
                    Order.total_currency,
                    Order.item_count,
                    Order.programs,
                )
            ).where(
                Order.marketplace_account_id == account_id,
                Order.amazon_order_id.in_(amazon_order_ids),
            )
        ).all()
        items: dict[uuid.UUID, list[ItemRow]] = defaultdict(list)
        if orders:
            rows = self.session.execute(
                self.scoped(
                    select(
                        OrderItem.order_id,
                        OrderItem.order_item_id,
                        OrderItem.sku,
                        OrderItem.asin,
                        OrderItem.title,
                        OrderItem.quantity_ordered,
                        OrderItem.quantity_shipped,
                        OrderItem.item_price,
                        OrderItem.item_currency,
                    ),
                    OrderItem,
                ).where(OrderItem.order_id.in_([order.id for order in orders]))
            )
            for row in rows:
                items[row.order_id].append(
                    ItemRow(
                        order_item_id=row.order_item_id,
                        sku=row.sku,
                        asin=row.asin,
                        title=row.title,
                        quantity_ordered=row.quantity_ordered,
                        quantity_shipped=row.quantity_shipped,
                        item_price=row.item_price,
                        item_currency=row.item_currency,
                    )
                )
        return {
            order.amazon_order_id: (
                order.id,
                OrderRow(
                    amazon_order_id=order.amazon_order_id,
                    status=order.status,
                    ordered_at=order.ordered_at,
                    last_updated_at=order.last_updated_at,
                    sales_channel=order.sales_channel,
                    marketplace_id=order.marketplace_id,
                    fulfillment_channel=order.fulfillment_channel,
                    total_amount=order.total_amount,
                    total_currency=order.total_currency,
                    item_count=order.item_count,
                    programs=tuple(order.programs or ()),
                    items=tuple(sorted(items[order.id], key=lambda item: item.order_item_id)),
                ),
            )
            for order in orders
        }

    def upsert(
        self, account_id: uuid.UUID, orders: Sequence[OrderRow], synced_at: datetime
    ) -> dict[str, uuid.UUID]:
        """Insert or update these orders (unique by Amazon order id); their row ids."""
        written: dict[str, uuid.UUID] = {}
        for chunk in _chunks(orders):
            values = [
                {
                    "id": new_id(),
                    "organization_id": self.organization_id,
                    "marketplace_account_id": account_id,
                    "amazon_order_id": order.amazon_order_id,
                    "status": order.status,
                    "ordered_at": order.ordered_at,
                    "last_updated_at": order.last_updated_at,
                    "sales_channel": order.sales_channel,
                    "marketplace_id": order.marketplace_id,
                    "fulfillment_channel": order.fulfillment_channel,
                    "total_amount": order.total_amount,
                    "total_currency": order.total_currency,
                    "item_count": order.item_count,
                    "programs": list(order.programs),
                    "synced_at": synced_at,
                }
                for order in chunk
            ]
            statement = dialect_insert(self.session, Order).values(values)
            statement = statement.on_conflict_do_update(
                index_elements=["organization_id", "marketplace_account_id", "amazon_order_id"],
                set_={name: statement.excluded[name] for name in ORDER_UPDATED},
            ).returning(Order.amazon_order_id, Order.id)
            written.update({row[0]: row[1] for row in self.session.execute(statement)})
        return written

    def replace_items(
        self, stored_ids: Sequence[uuid.UUID], items: Sequence[tuple[uuid.UUID, ItemRow]]
    ) -> None:
        """Write `items` ((order row id, item) pairs) as their orders' items, and drop the other
        items of the orders in `stored_ids` (those stored before: new orders have none)."""
        for chunk in _chunks(stored_ids):
            doomed = self.scoped(select(OrderItem.id), OrderItem).where(
                OrderItem.order_id.in_(chunk)
            )
            self.session.execute(
                delete(OrderItem).where(OrderItem.id.in_(doomed)),
                execution_options={"synchronize_session": False},  # no ORM objects to update
            )
        if not items:
            return
        values = [
            {
                "id": new_id(),
                "organization_id": self.organization_id,
                "order_id": order_id,
                "order_item_id": item.order_item_id,
                "sku": item.sku,
                "asin": item.asin,
                "title": item.title,
                "quantity_ordered": item.quantity_ordered,
                "quantity_shipped": item.quantity_shipped,
                "item_price": item.item_price,
                "item_currency": item.item_currency,
            }
            for order_id, item in items
        ]
        # An upsert, should a concurrent sync have written the same new order's items first;
        # executed as the driver's multi-row batches.
        statement = dialect_insert(self.session, OrderItem)
        self.session.execute(
            statement.on_conflict_do_update(
                index_elements=["organization_id", "order_id", "order_item_id"],
                set_={name: statement.excluded[name] for name in ITEM_UPDATED},
            ),
            values,
        )

    def page(
        self,
        account_id: uuid.UUID,
        status: str | None,
        updated_since: datetime | None,
        cursor: str | None,
        limit: int,
    ) -> tuple[list[Order], str | None]:
        """The account's orders, most recently updated first."""
        statement = self.select().where(Order.marketplace_account_id == account_id)
        if status is not None:
            statement = statement.where(Order.status == status)
        if updated_since is not None:
            statement = statement.where(Order.last_updated_at >= updated_since)
        paged = paginate(statement, Order.id, NEWEST_UPDATE, True, cursor, limit)
        return split_page(list(self.session.execute(paged)), limit)

    def items_of(self, order_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[OrderItem]]:
        found: dict[uuid.UUID, list[OrderItem]] = defaultdict(list)
        if order_ids:
            statement = (
                self.scoped(select(OrderItem), OrderItem)
                .where(OrderItem.order_id.in_(order_ids))
                .order_by(OrderItem.order_item_id)
            )
            for item in self.session.scalars(statement):
                found[item.order_id].append(item)
        return found


class InventoryRepository(TenantRepository[InventoryLevel]):
    model = InventoryLevel

    def stored(
        self, account_id: uuid.UUID, skus: Sequence[str]
    ) -> dict[str, tuple[LevelRow, datetime | None]]:
        """These SKUs' levels as stored and since when each is missing (None: present)."""
        if not skus:
            return {}
        statement = self.scoped(
            select(
                InventoryLevel.sku,
                InventoryLevel.asin,
                InventoryLevel.fnsku,
                InventoryLevel.condition,
                InventoryLevel.fulfillable,
                InventoryLevel.inbound,
                InventoryLevel.reserved,
                InventoryLevel.unfulfillable,
                InventoryLevel.total,
                InventoryLevel.vendor_updated_at,
                InventoryLevel.missing_since,
            )
        ).where(InventoryLevel.marketplace_account_id == account_id, InventoryLevel.sku.in_(skus))
        return {row[0]: (LevelRow(*row[:10]), row[10]) for row in self.session.execute(statement)}

    def upsert(
        self, account_id: uuid.UUID, levels: Sequence[LevelRow], synced_at: datetime
    ) -> None:
        """Insert or update these levels as present (reported) at `synced_at`."""
        for chunk in _chunks(levels):
            values = [
                {
                    "id": new_id(),
                    "organization_id": self.organization_id,
                    "marketplace_account_id": account_id,
                    "sku": level.sku,
                    "asin": level.asin,
                    "fnsku": level.fnsku,
                    "condition": level.condition,
                    "fulfillable": level.fulfillable,
                    "inbound": level.inbound,
                    "reserved": level.reserved,
                    "unfulfillable": level.unfulfillable,
                    "total": level.total,
                    "vendor_updated_at": level.vendor_updated_at,
                    "synced_at": synced_at,
                    "missing_since": None,
                }
                for level in chunk
            ]
            statement = dialect_insert(self.session, InventoryLevel).values(values)
            self.session.execute(
                statement.on_conflict_do_update(
                    index_elements=["organization_id", "marketplace_account_id", "sku"],
                    set_={name: statement.excluded[name] for name in LEVEL_UPDATED},
                )
            )

    def present_skus(self, account_id: uuid.UUID) -> set[str]:
        statement = self.scoped(select(InventoryLevel.sku)).where(
            InventoryLevel.marketplace_account_id == account_id,
            InventoryLevel.missing_since.is_(None),
        )
        return set(self.session.scalars(statement))

    def mark_missing(self, account_id: uuid.UUID, skus: Sequence[str], since: datetime) -> None:
        for chunk in _chunks(skus):
            gone = self.scoped(select(InventoryLevel.id)).where(
                InventoryLevel.marketplace_account_id == account_id, InventoryLevel.sku.in_(chunk)
            )
            self.session.execute(
                update(InventoryLevel)
                .where(InventoryLevel.id.in_(gone))
                .values(missing_since=since),
                execution_options={"synchronize_session": False},
            )

    def page(
        self, account_id: uuid.UUID, cursor: str | None, limit: int
    ) -> tuple[list[InventoryLevel], str | None]:
        """The account's levels by SKU, the missing ones included (marked)."""
        statement = self.select().where(InventoryLevel.marketplace_account_id == account_id)
        paged = paginate(statement, InventoryLevel.id, BY_SKU, False, cursor, limit)
        return split_page(list(self.session.execute(paged)), limit)


class SyncMarkRepository(TenantRepository[SyncRun]):
    """Where an incremental sync resumes: the latest run of its data set that read to the end."""

    model = SyncRun

    def last_completed(self, account_id: uuid.UUID, dataset: str) -> SyncRun | None:
        statement = (
            self.select()
            .where(
                SyncRun.marketplace_account_id == account_id,
                SyncRun.dataset == dataset,
                SyncRun.status.in_([SyncStatus.SUCCEEDED, SyncStatus.PARTIAL]),
            )
            .order_by(SyncRun.started_at.desc(), SyncRun.id.desc())
            .limit(1)
        )
        found: SyncRun | None = self.session.scalar(statement)
        return found

"""Analytics API per marketplace account: its orders (with items) and FBA inventory levels."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime
from sqlalchemy.orm import Session

from shelfwise.accounts.auth import Context, DbSession, Viewer
from shelfwise.analytics.models import InventoryLevel, Order, OrderItem
from shelfwise.analytics.repository import InventoryRepository, OrderRepository
from shelfwise.analytics.schemas import (
    Amount,
    InventoryLevelOut,
    InventoryPage,
    OrderItemOut,
    OrderOut,
    OrderPage,
    OrderStatus,
)
from shelfwise.catalog.repository import MarketplaceAccountRepository
from shelfwise.operations.json_body import JsonRoute
from shelfwise.platform.errors import NotFoundError
from shelfwise.platform.pagination import clamp_limit

router = APIRouter(prefix="/api/marketplace-accounts", tags=["analytics"], route_class=JsonRoute)

Limit = Annotated[int | None, Query(ge=1, description="Page size (clamped to the server maximum)")]
Cursor = Annotated[str | None, Query(max_length=500, description="next_cursor of the last page")]


def _amount(amount: object, currency: str | None) -> Amount | None:
    if amount is None or currency is None:
        return None
    return Amount.model_validate({"amount": amount, "currency": currency})


def item_out(item: OrderItem) -> OrderItemOut:
    return OrderItemOut(
        order_item_id=item.order_item_id,
        sku=item.sku,
        asin=item.asin,
        title=item.title,
        quantity_ordered=item.quantity_ordered,
        quantity_shipped=item.quantity_shipped,
        item_price=_amount(item.item_price, item.item_currency),
    )


def order_out(order: Order, items: list[OrderItem]) -> OrderOut:
    return OrderOut(
        id=order.id,
        marketplace_account_id=order.marketplace_account_id,
        amazon_order_id=order.amazon_order_id,
        status=order.status,
        ordered_at=order.ordered_at,
        last_updated_at=order.last_updated_at,
        sales_channel=order.sales_channel,
        marketplace_id=order.marketplace_id,
        fulfillment_channel=order.fulfillment_channel,
        total=_amount(order.total_amount, order.total_currency),
        item_count=order.item_count,
        programs=list(order.programs or []),
        items=[item_out(item) for item in items],
        synced_at=order.synced_at,
    )


def level_out(level: InventoryLevel) -> InventoryLevelOut:
    return InventoryLevelOut.model_validate(level, from_attributes=True)


def _account(session: Session, organization_id: uuid.UUID, account_id: uuid.UUID) -> None:
    if MarketplaceAccountRepository(session, organization_id).get(account_id) is None:
        raise NotFoundError("No such marketplace account.")


@router.get(
    "/{account_id}/orders",
    response_model=OrderPage,
    summary="The account's orders with their items, most recently updated first",
)
def list_orders(
    account_id: uuid.UUID,
    principal: Viewer,
    context: Context,
    session: DbSession,
    status: Annotated[OrderStatus | None, Query(description="Fulfillment status")] = None,
    updated_since: Annotated[
        AwareDatetime | None, Query(description="Updated at or after (ISO 8601 with offset)")
    ] = None,
    cursor: Cursor = None,
    limit: Limit = None,
) -> OrderPage:
    _account(session, principal.organization_id, account_id)
    size = clamp_limit(limit, context.settings.default_page_size, context.settings.max_page_size)
    orders = OrderRepository(session, principal.organization_id)
    page, next_cursor = orders.page(
        account_id, status.value if status else None, updated_since, cursor, size
    )
    items = orders.items_of([order.id for order in page])
    return OrderPage(
        items=[order_out(order, items.get(order.id, [])) for order in page],
        next_cursor=next_cursor,
    )


@router.get(
    "/{account_id}/inventory",
    response_model=InventoryPage,
    summary="The account's FBA inventory by SKU (SKUs Amazon stopped reporting are marked)",
)
def list_inventory(
    account_id: uuid.UUID,
    principal: Viewer,
    context: Context,
    session: DbSession,
    cursor: Cursor = None,
    limit: Limit = None,
) -> InventoryPage:
    _account(session, principal.organization_id, account_id)
    size = clamp_limit(limit, context.settings.default_page_size, context.settings.max_page_size)
    page, next_cursor = InventoryRepository(session, principal.organization_id).page(
        account_id, cursor, size
    )
    return InventoryPage(items=[level_out(level) for level in page], next_cursor=next_cursor)

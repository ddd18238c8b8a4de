"""Marketplace account pages (every role): the accounts, then per account its orders, FBA
inventory, watched competitors and syncs; per watched item its offers and ranks over time.
The same repositories and services as /api/marketplace-accounts/{id}/orders, /inventory,
/watched-asins, /offers/{asin}/history, /ranks/{asin}/history, /sync and /sync/runs."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from shelfwise.accounts.auth import Context, DbSession
from shelfwise.accounts.models import Role
from shelfwise.accounts.principal import Principal
from shelfwise.analytics.repository import InventoryRepository, OrderRepository
from shelfwise.analytics.schemas import OrderStatus
from shelfwise.catalog.models import MarketplaceAccount
from shelfwise.catalog.repository import MarketplaceAccountRepository
from shelfwise.market import status
from shelfwise.market.repository import OfferSnapshotRepository, SyncRunRepository
from shelfwise.market.schemas import Dataset, WatchedAsinCreate
from shelfwise.market.service import WatchlistService
from shelfwise.platform.context import AppContext
from shelfwise.platform.errors import NotFoundError
from shelfwise.web.forms import checked
from shelfwise.web.history import HISTORY_DAYS, item_history
from shelfwise.web.layout import page_values
from shelfwise.web.session import (
    AdminForm,
    PagePrincipal,
    redirect,
    render,
)

router = APIRouter(include_in_schema=False)
PAGE = "/dashboard/accounts"
TABS = ("orders", "inventory", "competitors", "sync")
PAGE_SIZE = 50
RUNS_SHOWN = 20
CHANGES_SHOWN = 200
watchlist = WatchlistService()
Cursor = Annotated[str | None, Query(max_length=500)]


@router.get(PAGE)
def accounts_page(
    request: Request, principal: PagePrincipal, context: Context, session: DbSession
) -> Response:
    organization_id = principal.organization_id
    runs = SyncRunRepository(session, organization_id)
    accounts = MarketplaceAccountRepository(session, organization_id).all()
    values = page_values(context, session, principal, "accounts", "Marketplace accounts")
    values |= {
        "accounts": [(account, runs.latest_per_dataset(account.id)) for account in accounts],
        "is_admin": principal.role.at_least(Role.ADMIN),
    }
    return render(request, "accounts.html", values)


def _orders(
    session: Session,
    principal: Principal,
    account_id: uuid.UUID,
    state: str | None,
    cursor: str | None,
) -> dict[str, Any]:
    orders = OrderRepository(session, principal.organization_id)
    page, next_cursor = orders.page(account_id, state, None, cursor, PAGE_SIZE)
    items = orders.items_of([order.id for order in page])
    return {"orders": [(order, items.get(order.id, [])) for order in page], "next": next_cursor}


def _inventory(
    session: Session, principal: Principal, account_id: uuid.UUID, cursor: str | None
) -> dict[str, Any]:
    inventory = InventoryRepository(session, principal.organization_id)
    page, next_cursor = inventory.page(account_id, cursor, PAGE_SIZE)
    return {"levels": page, "next": next_cursor}


def _competitors(session: Session, principal: Principal, account_id: uuid.UUID) -> dict[str, Any]:
    watched = watchlist.list(session, principal, account_id)
    latest = OfferSnapshotRepository(session, principal.organization_id).latest_of(
        account_id, [entry.asin for entry in watched]
    )
    return {"watched": [(entry, latest.get(entry.asin)) for entry in watched]}


def _sync(
    session: Session,
    principal: Principal,
    account_id: uuid.UUID,
    context: AppContext,
    run_id: uuid.UUID | None,
) -> dict[str, Any]:
    runs = SyncRunRepository(session, principal.organization_id)
    chosen = runs.get(run_id) if run_id else None
    if chosen is not None and chosen.marketplace_account_id != account_id:
        chosen = None  # a run of another of the organization's accounts: none chosen here
    return {
        "status": status.sync_status(session, principal, account_id, context.settings),
        "runs": runs.recent(account_id, RUNS_SHOWN),
        "run": chosen,
        "changes": runs.changes(chosen.id, CHANGES_SHOWN) if chosen else [],
        "datasets": [dataset.value for dataset in Dataset],
    }


@router.get(PAGE + "/{account_id}")
def account_page(
    account_id: uuid.UUID,
    request: Request,
    principal: PagePrincipal,
    context: Context,
    session: DbSession,
    tab: Annotated[str, Query(max_length=20)] = "orders",
    order_status: Annotated[OrderStatus | None, Query(alias="status")] = None,
    cursor: Cursor = None,
    run: uuid.UUID | None = None,
) -> Response:
    account: MarketplaceAccount = watchlist.account(session, principal, account_id)  # 404
    tab = tab if tab in TABS else "orders"
    state = order_status.value if order_status else None
    values = page_values(context, session, principal, "accounts", account.name)
    values |= {
        "account": account,
        "tab": tab,
        "tabs": TABS,
        "order_status": state or "",
        "order_statuses": [each.value for each in OrderStatus],
        "is_admin": principal.role.at_least(Role.ADMIN),
        "can_sync": principal.role.at_least(Role.ANALYST),
    }
    if tab == "orders":
        values |= _orders(session, principal, account_id, state, cursor)
    elif tab == "inventory":
        values |= _inventory(session, principal, account_id, cursor)
    elif tab == "competitors":
        values |= _competitors(session, principal, account_id)
    else:
        values |= _sync(session, principal, account_id, context, run)
    return render(request, "account.html", values)


@router.get(PAGE + "/{account_id}/items/{asin}")
def item_page(
    account_id: uuid.UUID,
    asin: str,
    request: Request,
    principal: PagePrincipal,
    context: Context,
    session: DbSession,
) -> Response:
    """One item's offers and ranks over time on the account: a watched competitor or one of
    the seller's own listings."""
    account = watchlist.account(session, principal, account_id)
    asin = asin.strip().upper()
    history = item_history(session, principal.organization_id, account_id, asin)
    watched = {entry.asin for entry in watchlist.list(session, principal, account_id)}
    if not history.offers and not history.ranks and asin not in watched:
        raise NotFoundError(f"{asin} is neither watched nor swept on {account.name}.")
    values = page_values(context, session, principal, "accounts", f"{asin} · {account.name}")
    values |= {
        "account": account,
        "asin": asin,
        "history": history,
        "latest": history.offers[0] if history.offers else None,
        "days": HISTORY_DAYS,
    }
    return render(request, "account_item.html", values)


@router.post(PAGE + "/{account_id}/watched")
def watch(
    account_id: uuid.UUID,
    request: Request,
    principal: AdminForm,
    session: DbSession,
    asin: Annotated[str, Form(max_length=20)],
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    body = checked(WatchedAsinCreate, asin=asin, note=note.strip() or None)
    watched = watchlist.add(session, principal, account_id, body.asin, body.note)
    back = f"{PAGE}/{account_id}?tab=competitors"
    return redirect(request, back, f"Watching {watched.asin}: its offers join the next sweep.")


@router.post(PAGE + "/{account_id}/watched/{asin}/remove")
def unwatch(
    account_id: uuid.UUID,
    asin: str,
    request: Request,
    principal: AdminForm,
    session: DbSession,
) -> Response:
    watchlist.remove(session, principal, account_id, asin.strip().upper())
    back = f"{PAGE}/{account_id}?tab=competitors"
    return redirect(request, back, f"Stopped watching {asin.strip().upper()}.")

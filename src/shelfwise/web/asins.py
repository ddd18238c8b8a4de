"""ASIN manager: fetch items by ASIN, the organization's cache, and sync into the catalog.

The same calls as GET /api/amazon/items, /api/cache/stats, POST /api/cache/clear and
POST /api/admin/asin-sync; the tabs are links (?tab=), so the page needs no script."""

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from shelfwise.accounts.auth import Context, DbSession
from shelfwise.accounts.models import Role
from shelfwise.bridge.asins import MAX_ASINS, parse_asins
from shelfwise.bridge.repository import BridgeAccountRepository, FetchedItemRepository
from shelfwise.bridge.service import amazon_marketplace, bridge
from shelfwise.bridge.sync import IMPORT_JOB, SOURCE_PLATFORM
from shelfwise.catalog.marketplaces import MARKETPLACES
from shelfwise.ingest import imports
from shelfwise.ingest.import_endpoints import run_out
from shelfwise.ingest.repository import ImportRunRepository
from shelfwise.platform.cache import shared_cache
from shelfwise.web.layout import page_values
from shelfwise.web.session import (
    AdminForm,
    PagePrincipal,
    redirect,
    render,
)

router = APIRouter(include_in_schema=False)
TABS = ("fetch", "cache", "sync")
HISTORY_SHOWN = 20
REVIEW_SHOWN = 100  # fetched items listed for review on the Sync tab
AMAZON = sorted(code for code in MARKETPLACES if code.startswith("amazon."))


@router.get("/dashboard/asins")
def asin_manager(
    request: Request,
    principal: PagePrincipal,
    context: Context,
    session: DbSession,
    tab: str = "fetch",
    asins: Annotated[str, Query(max_length=MAX_ASINS * 20)] = "",
    marketplace: Annotated[str, Query(max_length=40)] = "amazon.com",
) -> Response:
    tab = tab if tab in TABS else "fetch"
    organization_id = principal.organization_id
    items: list[dict[str, Any]] = []
    if tab == "fetch" and asins.strip():
        found = amazon_marketplace(marketplace)
        settings = context.settings
        answer = bridge.lookup(
            session,
            context.vault,
            settings,
            shared_cache(settings),
            organization_id,
            found,
            parse_asins(asins),
            deadline=settings.asin_fetch_deadline,
        )
        if answer.kept or answer.pending:
            # As the API does: the page's transaction only reads, a short one of its own writes.
            with context.database.unit_of_work(organization_id=organization_id) as write:
                bridge.record(write, organization_id, answer, settings)
        items = [orjson.loads(entry) for entry in answer.entries]
    values = page_values(context, session, principal, "asins", "ASIN manager")
    values |= {
        "tab": tab,
        "tabs": TABS,
        "asins": asins,
        "marketplace": marketplace,
        "marketplaces": AMAZON,
        "items": items,
        "demo_items": any(item.get("demo") for item in items),
        "can_sync": principal.role.at_least(Role.ADMIN),
    }
    if tab == "cache":
        values["stats"] = shared_cache(context.settings).stats(organization_id)
    if tab == "sync":
        kept = FetchedItemRepository(session, organization_id).recent(
            amazon_marketplace(marketplace).code, REVIEW_SHOWN
        )
        values["items"] = [row.item | {"asin": row.asin, "demo": row.is_demo} for row in kept]
        values["demo_items"] = any(row.is_demo for row in kept)
        runs = ImportRunRepository(session, organization_id).page(None, HISTORY_SHOWN * 5)
        values["runs"] = [
            run_out(session, principal, run)
            for run in runs
            if run.source_platform == SOURCE_PLATFORM
        ][:HISTORY_SHOWN]
    return render(request, "asins.html", values)


@router.post("/dashboard/asins/cache/clear")
def clear_cache(
    request: Request,
    principal: AdminForm,
    context: Context,
) -> Response:
    cache = shared_cache(context.settings)
    cleared = cache.stats(principal.organization_id).items_cached
    cache.clear(principal.organization_id)
    return redirect(request, "/dashboard/asins?tab=cache", f"Cleared {cleared} cached items.")


@router.post("/dashboard/asins/sync")
def sync(
    request: Request,
    principal: AdminForm,
    session: DbSession,
    marketplace: Annotated[str, Form(max_length=40)],
    asins: Annotated[list[str] | None, Form()] = None,
) -> Response:
    parsed = parse_asins(",".join(asins or []))
    if not parsed.asins or parsed.invalid:
        return redirect(request, "/dashboard/asins", "Select fetched items to sync.", "error")
    found = amazon_marketplace(marketplace)
    organization_id = principal.organization_id
    # The steps of POST /api/admin/asin-sync: items fetched before are taken as kept.
    kept = FetchedItemRepository(session, organization_id).by_asins(found.code, parsed.asins)
    accounts = BridgeAccountRepository(session, organization_id).amazon_accounts(found.code)
    payload = {
        "marketplace": found.code,
        "asins": list(parsed.asins),
        "items": [kept[asin].item for asin in parsed.asins if asin in kept],
    }
    imports.start_items_import(
        session,
        principal,
        orjson.dumps(payload),
        SOURCE_PLATFORM,
        IMPORT_JOB,
        accounts[0].id if accounts else None,
    )
    return redirect(
        request,
        f"/dashboard/asins?tab=sync&marketplace={found.code}",
        f"Syncing {len(parsed.asins)} items into the catalog.",
    )

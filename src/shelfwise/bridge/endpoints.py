"""ASIN bridge API: items by ASIN, the organization's cache stats and clear, and asin-sync."""

from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from shelfwise.accounts.auth import Admin, Context, DbSession, Viewer
from shelfwise.bridge.asins import MAX_ASINS, parse_asins
from shelfwise.bridge.repository import BridgeAccountRepository, FetchedItemRepository
from shelfwise.bridge.schemas import (
    AsinSyncBody,
    CacheCleared,
    CacheStatsOut,
    ItemsOut,
    render_items,
)
from shelfwise.bridge.service import amazon_marketplace, bridge
from shelfwise.bridge.sync import IMPORT_JOB, SOURCE_PLATFORM
from shelfwise.ingest import imports
from shelfwise.ingest.import_endpoints import run_out
from shelfwise.ingest.schemas import ImportRunOut
from shelfwise.operations.json_body import JsonRoute
from shelfwise.platform.cache import shared_cache
from shelfwise.platform.errors import InvalidInputError

router = APIRouter(tags=["asin bridge"], route_class=JsonRoute)

Asins = Annotated[
    str,
    Query(
        max_length=MAX_ASINS * 20,  # E4: room for any separators
        description=f"Up to {MAX_ASINS} ASINs, comma or space separated (any case).",
    ),
]
MarketplaceCode = Annotated[
    str, Query(max_length=40, description="The storefront's domain, e.g. amazon.de.")
]


class AsinSyncOut(BaseModel):
    import_run: ImportRunOut


@router.get(
    "/api/amazon/items",
    response_model=ItemsOut,
    summary="Amazon items by ASIN, from the cache or the best source",
    description=(
        "One entry per distinct ASIN, in order: an item, or `{asin, error: {code, message,"
        " retry_after_seconds}}` (codes invalid_asin, not_found, unavailable, refused). Items"
        " from the demo marketplace carry `demo: true`."
    ),
)
def amazon_items(
    principal: Viewer,
    context: Context,
    session: DbSession,
    asins: Asins,
    marketplace: MarketplaceCode = "amazon.com",
) -> Response:
    found = amazon_marketplace(marketplace)
    asin_list = parse_asins(asins)
    settings = context.settings
    organization_id = principal.organization_id
    answer = bridge.lookup(
        session,
        context.vault,
        settings,
        shared_cache(settings),
        organization_id,
        found,
        asin_list,
        deadline=settings.asin_fetch_deadline,
    )
    if answer.kept or answer.pending:
        # The request's own transaction only reads: a short one of its own writes.
        with context.database.unit_of_work(organization_id=organization_id) as write:
            bridge.record(write, organization_id, answer, settings)
    body = render_items(answer.marketplace, answer.entries, demo=answer.is_demo)
    return Response(body, media_type="application/json")


@router.get("/api/cache/stats", response_model=CacheStatsOut, summary="The organization's cache")
def cache_stats(principal: Viewer, context: Context) -> CacheStatsOut:
    stats = shared_cache(context.settings).stats(principal.organization_id)
    return CacheStatsOut(
        hit_rate=round(stats.hit_rate, 4),
        cache_size=stats.cache_size,
        items_cached=stats.items_cached,
        hits=stats.hits,
        misses=stats.misses,
    )


@router.post(
    "/api/cache/clear", response_model=CacheCleared, summary="Forget the organization's cache"
)
def cache_clear(principal: Admin, context: Context) -> CacheCleared:
    cache = shared_cache(context.settings)
    cleared = cache.stats(principal.organization_id).items_cached
    cache.clear(principal.organization_id)
    return CacheCleared(status="cleared", cleared_items=cleared)


@router.post(
    "/api/admin/asin-sync",
    response_model=AsinSyncOut,
    status_code=202,
    summary="Fetched items into the catalog, as an import job",
    description=(
        "Products (source platform `amazon`, source id the ASIN) and, when the organization"
        " has an Amazon account on the marketplace, listings there (SKU: the ASIN). Items"
        " fetched before are taken as kept; the job fetches the others first."
    ),
)
def asin_sync(
    body: AsinSyncBody, principal: Admin, context: Context, session: DbSession
) -> AsinSyncOut:
    found = amazon_marketplace(body.marketplace)
    asins = parse_asins(",".join(body.asins))
    if asins.invalid:
        message = f"Not ASINs: {', '.join(sorted(asins.invalid))[:300]}."
        raise InvalidInputError(message, [{"field": "asins", "message": message}])
    organization_id = principal.organization_id
    kept = FetchedItemRepository(session, organization_id).by_asins(found.code, asins.asins)
    accounts = BridgeAccountRepository(session, organization_id).amazon_accounts(found.code)
    payload = {
        "marketplace": found.code,
        "asins": list(asins.asins),
        "items": [kept[asin].item for asin in asins.asins if asin in kept],
    }
    run = imports.start_items_import(
        session,
        principal,
        orjson.dumps(payload),
        SOURCE_PLATFORM,
        IMPORT_JOB,
        accounts[0].id if accounts else None,
    )
    return AsinSyncOut(import_run=run_out(session, principal, run))

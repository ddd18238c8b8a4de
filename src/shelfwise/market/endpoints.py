"""Market API, per marketplace account: sync status, runs and their changes, on-demand syncs,
quota use, watched ASINs and offer history."""

import uuid
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Response

from shelfwise.accounts.auth import Admin, Analyst, Context, DbSession, Viewer
from shelfwise.market import status
from shelfwise.market.models import SyncChange, SyncRun, WatchedAsin
from shelfwise.market.repository import (
    OfferSnapshotRepository,
    RankSnapshotRepository,
    SyncRunRepository,
)
from shelfwise.market.schemas import (
    ConnectionOut,
    OfferSnapshotOut,
    RankSnapshotOut,
    SyncChangeOut,
    SyncQueued,
    SyncRequest,
    SyncRunOut,
    SyncStatusOut,
    WatchedAsinCreate,
    WatchedAsinOut,
)
from shelfwise.market.service import WatchlistService
from shelfwise.operations.json_body import JsonRoute
from shelfwise.platform.errors import NotFoundError
from shelfwise.platform.types import utcnow

router = APIRouter(prefix="/api/marketplace-accounts", tags=["market"], route_class=JsonRoute)
watchlist = WatchlistService()
Limit = Annotated[int, Query(ge=1, le=500, description="How many, newest first")]


def run_out(run: SyncRun) -> SyncRunOut:
    return SyncRunOut.model_validate(run, from_attributes=True)


@router.get(
    "/{account_id}/sync",
    response_model=SyncStatusOut,
    summary="Sync status: connection, last sync per data set, offer coverage, quota use",
)
def read_sync_status(
    account_id: uuid.UUID, principal: Viewer, session: DbSession, context: Context
) -> SyncStatusOut:
    return status.sync_status(session, principal, account_id, context.settings)


@router.post(
    "/{account_id}/connection",
    response_model=ConnectionOut,
    summary="Check the account's credentials with Amazon now (and record the outcome)",
)
def verify_connection(
    account_id: uuid.UUID, principal: Admin, session: DbSession, context: Context
) -> ConnectionOut:
    return status.verify_connection(session, principal, account_id, context.vault, context.settings)


@router.post(
    "/{account_id}/sync",
    response_model=SyncQueued,
    status_code=202,
    summary="Sync a data set now (offers, orders or inventory)",
)
def request_sync(
    account_id: uuid.UUID, body: SyncRequest, principal: Analyst, session: DbSession
) -> SyncQueued:
    job_id = status.request_sync(session, principal, account_id, body.dataset)
    return SyncQueued(dataset=body.dataset, job_id=job_id)


@router.get("/{account_id}/sync/runs", response_model=list[SyncRunOut], summary="Recent sync runs")
def list_sync_runs(
    account_id: uuid.UUID, principal: Viewer, session: DbSession, limit: Limit = 50
) -> list[SyncRunOut]:
    watchlist.account(session, principal, account_id)
    runs = SyncRunRepository(session, principal.organization_id).recent(account_id, limit)
    return [run_out(run) for run in runs]


@router.get(
    "/{account_id}/sync/runs/{run_id}/changes",
    response_model=list[SyncChangeOut],
    summary="What a sync run changed: item, field, old and new value",
)
def list_sync_changes(
    account_id: uuid.UUID,
    run_id: uuid.UUID,
    principal: Viewer,
    session: DbSession,
    limit: Limit = 500,
) -> list[SyncChangeOut]:
    runs = SyncRunRepository(session, principal.organization_id)
    run = runs.get(run_id)
    if run is None or run.marketplace_account_id != account_id:
        raise NotFoundError("No such sync run on this account.")
    changes: list[SyncChange] = runs.changes(run_id, limit)
    return [SyncChangeOut.model_validate(change, from_attributes=True) for change in changes]


@router.get(
    "/{account_id}/watched-asins",
    response_model=list[WatchedAsinOut],
    summary="ASINs whose offers are swept with the account's own",
)
def list_watched(
    account_id: uuid.UUID, principal: Viewer, session: DbSession
) -> list[WatchedAsinOut]:
    watched: list[WatchedAsin] = watchlist.list(session, principal, account_id)
    return [WatchedAsinOut.model_validate(entry, from_attributes=True) for entry in watched]


@router.post(
    "/{account_id}/watched-asins",
    response_model=WatchedAsinOut,
    status_code=201,
    summary="Watch an ASIN's offers",
)
def add_watched(
    account_id: uuid.UUID, body: WatchedAsinCreate, principal: Admin, session: DbSession
) -> WatchedAsinOut:
    watched = watchlist.add(session, principal, account_id, body.asin, body.note)
    return WatchedAsinOut.model_validate(watched, from_attributes=True)


@router.delete(
    "/{account_id}/watched-asins/{asin}", status_code=204, summary="Stop watching an ASIN"
)
def remove_watched(
    account_id: uuid.UUID, asin: str, principal: Admin, session: DbSession
) -> Response:
    watchlist.remove(session, principal, account_id, asin.strip().upper())
    return Response(status_code=204)


@router.get(
    "/{account_id}/offers/{asin}/history",
    response_model=list[OfferSnapshotOut],
    summary="An item's offer snapshots, newest first (each holds until its confirmed_at)",
)
def offer_history(
    account_id: uuid.UUID,
    asin: str,
    principal: Viewer,
    session: DbSession,
    since: Annotated[datetime | None, Query(description="Default: 30 days ago")] = None,
    limit: Limit = 200,
) -> list[OfferSnapshotOut]:
    watchlist.account(session, principal, account_id)
    start = since or utcnow() - timedelta(days=30)
    snapshots = OfferSnapshotRepository(session, principal.organization_id).history(
        account_id, asin.strip().upper(), start, limit
    )
    return [OfferSnapshotOut.model_validate(s, from_attributes=True) for s in snapshots]


@router.get(
    "/{account_id}/ranks/{asin}/history",
    response_model=list[RankSnapshotOut],
    summary="An item's Best Sellers Ranks, newest first (each holds until its next change)",
)
def rank_history(
    account_id: uuid.UUID,
    asin: str,
    principal: Viewer,
    session: DbSession,
    since: Annotated[datetime | None, Query(description="Default: 30 days ago")] = None,
    limit: Limit = 500,
) -> list[RankSnapshotOut]:
    watchlist.account(session, principal, account_id)
    start = since or utcnow() - timedelta(days=30)
    ranks = RankSnapshotRepository(session, principal.organization_id).history(
        account_id, asin.strip().upper(), start, limit
    )
    return [RankSnapshotOut.model_validate(rank, from_attributes=True) for rank in ranks]

"""Quality score API: a listing's score and breakdown, its history, and recomputing."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from shelfwise.accounts.auth import Analyst, Context, DbSession, Viewer
from shelfwise.catalog.marketplaces import marketplace as find_marketplace
from shelfwise.intelligence.product_types import ProductTypeSchema, cached_definition
from shelfwise.intelligence.score_schemas import (
    RescoreQueued,
    ScoreHistoryEntry,
    ScoreOut,
    SectionOut,
)
from shelfwise.intelligence.score_service import StoredScore, score
from shelfwise.intelligence.score_tasks import RESCORE_ORGANIZATION
from shelfwise.jobs.service import enqueue
from shelfwise.operations.json_body import JsonRoute
from shelfwise.platform.cache import shared_cache
from shelfwise.platform.context import AppContext
from shelfwise.platform.errors import ConflictError
from shelfwise.platform.types import utcnow

router = APIRouter(prefix="/api", tags=["intelligence"], route_class=JsonRoute)
RESCORE_SPACING_SECONDS = 60
HistoryLimit = Annotated[int, Query(ge=1, le=500, description="Newest scores first")]


def score_out(stored: StoredScore) -> ScoreOut:
    return ScoreOut(
        listing_id=stored.listing_id,
        score=stored.score,
        content_version=stored.content_version,
        computed_at=stored.computed_at,
        is_stored=stored.is_stored,
        previous_score=stored.previous_score,
        sections=[SectionOut.model_validate(section) for section in stored.breakdown["sections"]],
    )


@router.get(
    "/listings/{listing_id}/score",
    response_model=ScoreOut,
    summary="The listing's quality score, 0-100, with every rule's points, reason and fix",
)
def get_score(listing_id: uuid.UUID, principal: Viewer, session: DbSession) -> ScoreOut:
    return score_out(score.current(session, principal.organization_id, listing_id))


@router.get(
    "/listings/{listing_id}/score/history",
    response_model=list[ScoreHistoryEntry],
    summary="The listing's past scores, newest first",
)
def get_score_history(
    listing_id: uuid.UUID, principal: Viewer, session: DbSession, limit: HistoryLimit = 100
) -> list[ScoreHistoryEntry]:
    found = score.history(session, principal.organization_id, listing_id, limit)
    return [
        ScoreHistoryEntry(
            score=entry.score,
            previous_score=entry.previous_score,
            content_version=entry.content_version,
            computed_at=entry.computed_at,
        )
        for entry in found
    ]


def _cached_schema(
    context: AppContext, session: DbSession, organization_id: uuid.UUID, listing_id: uuid.UUID
) -> ProductTypeSchema | None:
    """The listing's product type definition if already cached (a request fetches nothing
    from Amazon; the content-change job does)."""
    listing, _product = score.listing(session, organization_id, listing_id)
    product_type = listing.attributes.get("product_type") if listing.attributes else None
    found = find_marketplace(listing.marketplace)
    if not product_type or found is None or found.amazon_marketplace_id is None:
        return None
    return cached_definition(
        shared_cache(context.settings),
        organization_id,
        found.amazon_marketplace_id,
        str(product_type).upper(),
    )


@router.post(
    "/listings/{listing_id}/score",
    response_model=ScoreOut,
    summary="Score the listing now and keep the score",
)
def recompute_score(
    listing_id: uuid.UUID, principal: Analyst, session: DbSession, context: Context
) -> ScoreOut:
    organization_id = principal.organization_id
    schema = _cached_schema(context, session, organization_id, listing_id)
    return score_out(score.recompute(session, organization_id, listing_id, schema))


@router.post(
    "/scores/recompute",
    response_model=RescoreQueued,
    status_code=202,
    summary="Rescore every listing of the organization (a job)",
)
def recompute_all_scores(principal: Analyst, session: DbSession) -> RescoreQueued:
    # One a minute at most: a double click queues one rescore, not two.
    window = int(utcnow().timestamp() // RESCORE_SPACING_SECONDS)
    job_id = enqueue(
        session,
        RESCORE_ORGANIZATION,
        {},
        organization_id=principal.organization_id,
        created_by=principal.actor.label,
        dedupe_key=f"{RESCORE_ORGANIZATION}:{principal.organization_id}:{window}",
    )
    if job_id is None:
        raise ConflictError("A rescore of the organization was just queued.")
    return RescoreQueued(job_id=job_id)

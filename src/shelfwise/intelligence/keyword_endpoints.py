"""Keywords API: a listing's ranked search terms and the ones its competitors use that it lacks."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from shelfwise.accounts.auth import Context, DbSession, Viewer
from shelfwise.bridge.asins import MAX_ASINS, parse_asins
from shelfwise.intelligence.keyword_schemas import KeywordReportOut
from shelfwise.intelligence.keyword_service import listing_keywords
from shelfwise.operations.json_body import JsonRoute
from shelfwise.platform.errors import InvalidInputError

router = APIRouter(prefix="/api", tags=["keywords"], route_class=JsonRoute)

MAX_TERMS = 200


@router.get(
    "/listings/{listing_id}/keywords",
    response_model=KeywordReportOut,
    summary="Search terms of a listing, ranked, and those it lacks",
    description=(
        "Candidate terms (1-3 words) from the listing and its competitors, ranked by BM25"
        " relevance to the listing's title and key attributes, and the terms at least two"
        " competitors use (or the only one) that the listing's title, bullets, description"
        " and search terms lack, with where each competitor uses them. Competitors are the"
        " given ASINs, else the ASINs the listing's account watches; their text is the item"
        " last fetched through the ASIN bridge on the listing's marketplace."
    ),
)
def listing_keywords_route(
    listing_id: uuid.UUID,
    principal: Viewer,
    context: Context,
    session: DbSession,
    competitors: Annotated[
        str | None,
        Query(
            max_length=MAX_ASINS * 20,  # room for any separators
            description=f"Up to {MAX_ASINS} competitor ASINs, comma or space separated; "
            "default: the account's watched ASINs.",
        ),
    ] = None,
    limit: Annotated[
        int, Query(ge=1, le=MAX_TERMS, description="Most candidates and missing terms.")
    ] = 50,
) -> KeywordReportOut:
    asins = None
    if competitors is not None:
        found = parse_asins(competitors, field="query.competitors")
        if found.invalid:
            message = f"Not ASINs: {', '.join(sorted(found.invalid))[:300]}."
            raise InvalidInputError(message, [{"field": "query.competitors", "message": message}])
        asins = list(found.asins)
    return listing_keywords(
        session,
        principal,
        listing_id,
        asins,
        limit,
        is_semantic=context.settings.keywords_semantic,
    )

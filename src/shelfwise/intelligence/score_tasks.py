"""Quality score jobs: rescoring a listing whose content changed (subscribed to the catalog's
`listing.content_changed`), and rescoring every listing of an organization."""

import uuid
from typing import Any

from shelfwise.catalog.marketplaces import marketplace as find_marketplace
from shelfwise.catalog.models import Platform
from shelfwise.catalog.repository import ListingRepository, MarketplaceAccountRepository
from shelfwise.catalog.service import LISTING_CONTENT_CHANGED
from shelfwise.events.registry import subscribe
from shelfwise.integrations.errors import AccountDisconnectedError, VendorRejectedError
from shelfwise.intelligence.product_types import (
    ProductTypeSchema,
    cached_definition,
    load_definition,
)
from shelfwise.intelligence.score_repository import ScoredListingRepository
from shelfwise.intelligence.score_service import content_of, score
from shelfwise.jobs.context import JobContext
from shelfwise.jobs.errors import JobGone, PermanentJobError
from shelfwise.jobs.registry import job
from shelfwise.market.connections import account_client
from shelfwise.platform.cache import shared_cache
from shelfwise.platform.errors import NotFoundError

RESCORE_LISTING = "intelligence.rescore_listing"
RESCORE_ORGANIZATION = "intelligence.rescore_organization"
BATCH = 200  # listings per transaction of the organization-wide rescore

subscribe(RESCORE_LISTING, LISTING_CONTENT_CHANGED)

# (account id, product type) -> schema or None, for one job run.
Definitions = dict[tuple[uuid.UUID, str], ProductTypeSchema | None]


def _organization(context: JobContext) -> uuid.UUID:
    if context.organization_id is None:
        raise PermanentJobError("A rescore belongs to an organization.")
    return context.organization_id


def definition_for(
    context: JobContext, organization_id: uuid.UUID, listing_id: uuid.UUID, known: Definitions
) -> ProductTypeSchema | None:
    """The listing's product type definition: cached, else fetched through its Amazon account;
    None when the listing names no product type or its account cannot fetch one (the score
    then checks attributes without it)."""
    with context.database.unit_of_work(organization_id=organization_id, write=False) as session:
        listing = ListingRepository(session, organization_id).get(listing_id)
        if listing is None:
            raise JobGone(f"listing {listing_id} was deleted")
        product_type = content_of(listing).product_type
        account = MarketplaceAccountRepository(session, organization_id).get(
            listing.marketplace_account_id
        )
        if product_type is None or account is None or account.platform != Platform.AMAZON:
            return None
        account_id, has_credential = account.id, account.credential_id is not None
        found = find_marketplace(account.marketplace)
    marketplace_id = found.amazon_marketplace_id if found is not None else None
    if marketplace_id is None:
        return None
    if (account_id, product_type) in known:
        return known[account_id, product_type]
    cache = shared_cache(context.settings)
    schema = cached_definition(cache, organization_id, marketplace_id, product_type)
    if schema is None and has_credential:
        try:
            with account_client(context, organization_id, account_id) as (_, client):
                schema = load_definition(
                    cache,
                    organization_id,
                    client,
                    marketplace_id,
                    product_type,
                    context.settings.product_type_definition_ttl,
                )
        except (AccountDisconnectedError, VendorRejectedError):
            schema = None  # an unknown product type, or an account the seller must reconnect
    known[account_id, product_type] = schema
    return schema


@job(RESCORE_LISTING)
def rescore_listing(context: JobContext) -> dict[str, Any]:
    """Rescore the listing an event (or a caller) names; safe to run twice (the second run
    stores the same score again, and a same score raises no alert)."""
    organization_id = _organization(context)
    arguments = context.arguments
    payload = arguments.get("payload", arguments)
    listing_id = uuid.UUID(str(payload["listing_id"]))
    schema = definition_for(context, organization_id, listing_id, {})
    with context.unit_of_work() as session:
        stored = score.recompute(session, organization_id, listing_id, schema)
    return {"listing_id": str(listing_id), "score": stored.score, "severity": stored.severity}


def _definition_or_none(
    context: JobContext, organization_id: uuid.UUID, listing_id: uuid.UUID, known: Definitions
) -> ProductTypeSchema | None:
    try:
        return definition_for(context, organization_id, listing_id, known)
    except JobGone:
        return None  # deleted since the page was read; recompute skips it


@job(RESCORE_ORGANIZATION)
def rescore_organization(context: JobContext) -> dict[str, Any]:
    """Rescore every listing of the organization, a batch per transaction."""
    organization_id = _organization(context)
    known: Definitions = {}
    after: uuid.UUID | None = None
    scored = 0
    while True:
        with context.database.unit_of_work(organization_id=organization_id, write=False) as s:
            ids = ScoredListingRepository(s, organization_id).ids_after(after, BATCH)
        if not ids:
            return {"scored": scored}
        schemas = {listing_id: _definition_or_none(context, organization_id, listing_id, known)
                   for listing_id in ids}  # fmt: skip
        with context.unit_of_work() as session:
            for listing_id in ids:
                try:
                    score.recompute(session, organization_id, listing_id, schemas[listing_id])
                except NotFoundError:
                    continue  # deleted since the page was read: nothing to score
                scored += 1
            context.advance(session, len(ids))
        after = ids[-1]

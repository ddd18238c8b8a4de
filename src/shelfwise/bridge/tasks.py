"""ASIN bridge jobs: fetching what a request's deadline left into the cache, and asin-sync's
import of fetched items into the catalog."""

import uuid
from typing import Any

from shelfwise.bridge.asins import parse_asins
from shelfwise.bridge.service import FETCH_JOB, amazon_marketplace, bridge
from shelfwise.bridge.sync import IMPORT_JOB, run_items_import
from shelfwise.jobs.context import JobContext
from shelfwise.jobs.errors import PermanentJobError
from shelfwise.jobs.registry import job
from shelfwise.platform.cache import shared_cache
from shelfwise.platform.vault import load_key_ring
from shelfwise.vault.service import VaultService


@job(FETCH_JOB)
def fetch_items(context: JobContext) -> dict[str, Any]:
    """Fetch the ASINs into the organization's cache and kept items, with no deadline (the
    sources' own rate limits pace it); safe to run twice (cached ones are not fetched again)."""
    organization_id = context.organization_id
    if organization_id is None:
        raise PermanentJobError("An ASIN fetch belongs to an organization.")
    settings = context.settings
    found = amazon_marketplace(str(context.arguments["marketplace"]))
    asins = parse_asins(",".join(context.arguments["asins"]))
    vault = VaultService(load_key_ring(settings, create=False))
    cache = shared_cache(settings)
    with context.database.unit_of_work(organization_id=organization_id, write=False) as session:
        answer = bridge.lookup(
            session, vault, settings, cache, organization_id, found, asins, deadline=None
        )
    with context.unit_of_work() as session:
        bridge.record(session, organization_id, answer, settings)
    return {"asins": len(asins.asins), "fetched": len(answer.kept)}


@job(IMPORT_JOB)
def import_items(context: JobContext) -> dict[str, Any]:
    return run_items_import(context, uuid.UUID(str(context.arguments["import_id"])))

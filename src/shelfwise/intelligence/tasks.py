"""Batch optimization: one proposal per listing, progress committed with each one."""

import uuid
from dataclasses import dataclass
from typing import Any

from shelfwise.integrations.llm.accounts import llm_connection
from shelfwise.intelligence.clients import open_model
from shelfwise.intelligence.rewrite import Scope
from shelfwise.intelligence.service import proposal
from shelfwise.jobs.context import JobContext
from shelfwise.jobs.errors import PermanentJobError
from shelfwise.jobs.registry import job
from shelfwise.platform.actor import Actor
from shelfwise.platform.errors import NotFoundError
from shelfwise.platform.vault import load_key_ring
from shelfwise.vault.service import VaultService

BATCH_JOB = "intelligence.batch_optimize"


@dataclass(frozen=True)
class Automation:
    """The job acting for its organization (the actor in the audit log)."""

    organization_id: uuid.UUID
    actor: Actor


@job(BATCH_JOB)
def batch_optimize(context: JobContext) -> dict[str, Any]:
    """Propose new content for each listing in turn; a rerun resumes after the last committed
    one (`progress_done`), so no listing gets two proposals from one batch."""
    organization_id = context.organization_id
    if organization_id is None:
        raise PermanentJobError("A batch optimization belongs to an organization.")
    listing_ids = [uuid.UUID(str(value)) for value in context.arguments["listing_ids"]]
    scope = Scope(str(context.arguments.get("scope", Scope.ALL.value)))
    settings = context.settings
    vault = VaultService(load_key_ring(settings, create=False))
    who = Automation(organization_id, context.actor)
    proposed = failed = 0
    with context.database.unit_of_work(organization_id=organization_id, write=False) as session:
        connection = llm_connection(session, vault, organization_id)
    with open_model(connection, settings) as client:
        for listing_id in listing_ids[context.progress_done :]:
            with context.unit_of_work() as work:
                try:
                    proposal.propose(work, who, listing_id, scope, client)
                    proposed += 1
                except NotFoundError as missing:
                    context.item_error(work, str(listing_id), missing.detail)
                    failed += 1
                context.advance(work)
    return {"listings": len(listing_ids), "proposed": proposed, "failed": failed}

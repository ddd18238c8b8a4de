"""AI optimization API (DESIGN 3): proposals for a listing's content, their decisions, batches.

Analysts and up propose; admins and owners approve or reject. Rolling back is the catalog's
`POST /api/listings/{id}/revert` (any earlier content version becomes the current one as a
new version, audited).
"""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from shelfwise.accounts.auth import Admin, Analyst, Context, DbSession, Viewer
from shelfwise.accounts.principal import Principal
from shelfwise.catalog.schemas import FieldDiff
from shelfwise.integrations.llm.accounts import llm_connection
from shelfwise.intelligence.clients import open_model
from shelfwise.intelligence.models import ContentProposal
from shelfwise.intelligence.rewrite import Scope
from shelfwise.intelligence.schemas import BatchOptimize, ProposalDecision, ProposalOut
from shelfwise.intelligence.service import proposal as proposals
from shelfwise.intelligence.tasks import BATCH_JOB
from shelfwise.jobs.schemas import JobOut, job_out
from shelfwise.jobs.service import enqueue, jobs
from shelfwise.operations.json_body import JsonRoute
from shelfwise.platform.context import AppContext
from shelfwise.platform.pagination import clamp_limit

router = APIRouter(prefix="/api/ai", tags=["ai"], route_class=JsonRoute)


def proposal_out(proposal: ContentProposal) -> ProposalOut:
    return ProposalOut(
        id=proposal.id,
        listing_id=proposal.listing_id,
        scope=proposal.scope,
        marketplace=proposal.marketplace,
        base_version=proposal.base_version,
        title=proposal.title,
        bullets=list(proposal.bullets),
        description=proposal.description,
        source=proposal.source,
        model=proposal.model,
        prompt_version=proposal.prompt_version,
        fallback_reason=proposal.fallback_reason,
        validation_notes=list(proposal.validation_notes),
        diff=[FieldDiff.model_validate(field) for field in proposal.diff],
        score_before=proposal.score_before,
        score_after=proposal.score_after,
        status=proposal.status,
        created_by=proposal.created_by,
        created_at=proposal.created_at,
        decided_by=proposal.decided_by,
        decided_at=proposal.decided_at,
        decision_note=proposal.decision_note,
        applied_version=proposal.applied_version,
    )


def _propose(
    context: AppContext,
    session: Session,
    principal: Principal,
    listing_id: uuid.UUID,
    scope: Scope,
) -> ProposalOut:
    connection = llm_connection(session, context.vault, principal.organization_id)
    with open_model(connection, context.settings) as client:
        made = proposals.propose(session, principal, listing_id, scope, client)
    return proposal_out(made)


@router.post(
    "/optimize/{listing_id}",
    response_model=ProposalOut,
    status_code=201,
    summary="Propose a new title, bullets and description",
)
def optimize_listing(
    listing_id: uuid.UUID, principal: Analyst, context: Context, session: DbSession
) -> ProposalOut:
    return _propose(context, session, principal, listing_id, Scope.ALL)


@router.post(
    "/optimize-title/{listing_id}",
    response_model=ProposalOut,
    status_code=201,
    summary="Propose a new title",
)
def optimize_title(
    listing_id: uuid.UUID, principal: Analyst, context: Context, session: DbSession
) -> ProposalOut:
    return _propose(context, session, principal, listing_id, Scope.TITLE)


@router.post(
    "/optimize-description/{listing_id}",
    response_model=ProposalOut,
    status_code=201,
    summary="Propose a new description",
)
def optimize_description(
    listing_id: uuid.UUID, principal: Analyst, context: Context, session: DbSession
) -> ProposalOut:
    return _propose(context, session, principal, listing_id, Scope.DESCRIPTION)


@router.post(
    "/batch-optimize",
    response_model=JobOut,
    status_code=202,
    summary="Propose new content for many listings (a job with progress)",
)
def batch_optimize(body: BatchOptimize, principal: Analyst, session: DbSession) -> JobOut:
    listing_ids = proposals.batch_targets(session, principal, body)
    job_id = enqueue(
        session,
        BATCH_JOB,
        {"listing_ids": [str(value) for value in listing_ids], "scope": body.scope},
        organization_id=principal.organization_id,
        created_by=principal.actor.label,
        total=len(listing_ids),
    )
    assert job_id is not None  # no dedupe key: always queued
    return job_out(jobs.get(session, principal, job_id))


@router.get(
    "/proposals",
    response_model=list[ProposalOut],
    summary="Proposals and their decisions, newest first",
)
def list_proposals(
    principal: Viewer,
    context: Context,
    session: DbSession,
    listing_id: Annotated[uuid.UUID | None, Query(description="One listing's history")] = None,
    limit: Annotated[int | None, Query(ge=1)] = None,
) -> list[ProposalOut]:
    size = clamp_limit(limit, context.settings.default_page_size, context.settings.max_page_size)
    found = proposals.history(session, principal, listing_id, size)
    return [proposal_out(each) for each in found]


@router.get("/proposals/{proposal_id}", response_model=ProposalOut, summary="One proposal")
def read_proposal(proposal_id: uuid.UUID, principal: Viewer, session: DbSession) -> ProposalOut:
    return proposal_out(proposals.get(session, principal, proposal_id))


@router.post(
    "/proposals/{proposal_id}/approve",
    response_model=ProposalOut,
    summary="Apply a proposal as the listing's next content version",
)
def approve_proposal(
    proposal_id: uuid.UUID, body: ProposalDecision, principal: Admin, session: DbSession
) -> ProposalOut:
    return proposal_out(proposals.approve(session, principal, proposal_id, body.note))


@router.post(
    "/proposals/{proposal_id}/reject", response_model=ProposalOut, summary="Reject a proposal"
)
def reject_proposal(
    proposal_id: uuid.UUID, body: ProposalDecision, principal: Admin, session: DbSession
) -> ProposalOut:
    return proposal_out(proposals.reject(session, principal, proposal_id, body.note))

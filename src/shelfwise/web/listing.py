"""Listing detail: content, versions with word diffs, AI proposals, rollback, offers, chart."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from shelfwise.accounts.auth import Context, DbSession
from shelfwise.accounts.models import Role
from shelfwise.accounts.repository import AccountsRepository
from shelfwise.catalog import service
from shelfwise.integrations.llm.accounts import llm_connection
from shelfwise.intelligence.clients import open_model
from shelfwise.intelligence.models import ProposalStatus
from shelfwise.intelligence.rewrite import Scope
from shelfwise.intelligence.score_service import score
from shelfwise.intelligence.service import proposal as proposals
from shelfwise.web.history import item_history
from shelfwise.web.layout import page_values
from shelfwise.web.session import (
    AdminForm,
    AnalystForm,
    PagePrincipal,
    redirect,
    render,
)

router = APIRouter(include_in_schema=False)
PROPOSALS_SHOWN = 10


@router.get("/dashboard/listings/{listing_id}")
def detail(
    listing_id: uuid.UUID,
    request: Request,
    principal: PagePrincipal,
    context: Context,
    session: DbSession,
    diff_from: Annotated[int | None, Query(alias="from", ge=1)] = None,
    diff_to: Annotated[int | None, Query(alias="to", ge=1)] = None,
) -> Response:
    listing = service.listing.get(session, principal, listing_id)  # 404 across organizations
    versions = service.listing.versions(session, principal, listing_id)
    diff = None
    newest = listing.content_version
    if len(versions) > 1:
        to_version = diff_to or newest
        from_version = diff_from or max(1, to_version - 1)
        diff = service.listing.diff(session, principal, listing_id, from_version, to_version)
    organization_id = principal.organization_id
    history = (
        item_history(session, organization_id, listing.marketplace_account_id, listing.asin)
        if listing.asin
        else None
    )
    offers = history.offers if history else []
    values = page_values(context, session, principal, "catalog", listing.title[:60])
    values |= {
        "listing": listing,
        "versions": versions,
        "diff": diff,
        "proposals": proposals.history(session, principal, listing_id, PROPOSALS_SHOWN),
        "offers": offers[0].offers if offers else [],
        "latest_offer": offers[0] if offers else None,
        "chart": history.chart if history else "",
        "can_decide": principal.role.at_least(Role.ADMIN),
        "can_edit": principal.role.at_least(Role.ANALYST),
        "proposed": ProposalStatus.PROPOSED,
        # The quality score as the API gives it (stored, else computed now): every rule's
        # points, reason and fix.
        "score": score.current(session, organization_id, listing_id),
        # Versions name their author as an actor label (user:<id>); show members' e-mails.
        "actors": {
            f"user:{user.id}": user.email
            for _, user in AccountsRepository(session).members_of(organization_id)
        },
    }
    return render(request, "listing.html", values)


def _back(listing_id: uuid.UUID) -> str:
    return f"/dashboard/listings/{listing_id}"


@router.post("/dashboard/listings/{listing_id}/optimize")
def optimize(
    listing_id: uuid.UUID,
    request: Request,
    principal: AnalystForm,
    context: Context,
    session: DbSession,
) -> Response:
    connection = llm_connection(session, context.vault, principal.organization_id)
    with open_model(connection, context.settings) as client:
        proposals.propose(session, principal, listing_id, Scope.ALL, client)
    return redirect(request, _back(listing_id), "A new proposal is ready for review.")


@router.post("/dashboard/listings/{listing_id}/proposals/{proposal_id}/{decision}")
def decide(
    listing_id: uuid.UUID,
    proposal_id: uuid.UUID,
    decision: str,
    request: Request,
    principal: AdminForm,
    session: DbSession,
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    if decision == "approve":
        made = proposals.approve(session, principal, proposal_id, note or None)
        message = f"Approved: the listing is now at version {made.applied_version}."
    elif decision == "reject":
        proposals.reject(session, principal, proposal_id, note or None)
        message = "Proposal rejected; the listing is unchanged."
    else:
        return redirect(request, _back(listing_id), "Unknown decision.", "error")
    return redirect(request, _back(listing_id), message)


@router.post("/dashboard/listings/{listing_id}/revert")
def revert(
    listing_id: uuid.UUID,
    request: Request,
    principal: AnalystForm,
    session: DbSession,
    version: Annotated[int, Form(ge=1)],
) -> Response:
    listing = service.listing.revert(session, principal, listing_id, version, None)
    return redirect(
        request,
        _back(listing_id),
        f"Rolled back to version {version}'s content as version {listing.content_version}.",
    )

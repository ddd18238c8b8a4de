"""Catalog page: searchable, filterable, sortable listings with keyset pages and bulk actions."""

import uuid
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError

from shelfwise.accounts.auth import Context, DbSession
from shelfwise.accounts.models import Role
from shelfwise.catalog import export_rows, service
from shelfwise.catalog.endpoints import download
from shelfwise.catalog.export_rows import ExportFormat
from shelfwise.catalog.marketplaces import MARKETPLACES
from shelfwise.catalog.models import ListingStatus
from shelfwise.catalog.repository import LISTING_SORTS, ListingFilter, ListingRepository
from shelfwise.intelligence.schemas import BatchOptimize
from shelfwise.intelligence.service import proposal as proposals
from shelfwise.intelligence.tasks import BATCH_JOB
from shelfwise.jobs.service import enqueue
from shelfwise.web.layout import page_values
from shelfwise.web.session import (
    MemberForm,
    PagePrincipal,
    redirect,
    render,
    require_role,
)

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
SORTS = tuple(f"{sign}{key}" for key in LISTING_SORTS for sign in ("", "-"))


def _filters(q: str | None, status: str | None, marketplace: str | None) -> ListingFilter:
    statuses = (ListingStatus(status),) if status in set(ListingStatus) else ()
    return ListingFilter(q=q or None, status=statuses, marketplace=marketplace or None)


@router.get("/dashboard/catalog")
def catalog(
    request: Request,
    principal: PagePrincipal,
    context: Context,
    session: DbSession,
    q: Annotated[str | None, Query(max_length=200)] = None,
    status: str | None = None,
    marketplace: Annotated[str | None, Query(max_length=64)] = None,
    sort: str = "-updated_at",
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    sort = sort if sort in SORTS else "-updated_at"
    items, next_cursor = ListingRepository(session, principal.organization_id).page(
        _filters(q, status, marketplace), sort, cursor, PAGE_SIZE
    )
    query = {"q": q or "", "status": status or "", "marketplace": marketplace or "", "sort": sort}
    values = page_values(context, session, principal, "catalog", "Catalog")
    values |= {
        "items": items,
        "query": query,
        "statuses": [s.value for s in ListingStatus],
        "marketplaces": sorted(MARKETPLACES),
        "sorts": SORTS,
        "next_url": f"?{urlencode(query | {'cursor': next_cursor})}" if next_cursor else None,
        "first_url": f"?{urlencode(query)}" if cursor else None,
        "export_url": f"/dashboard/catalog/export?{urlencode(query)}",
        "can_optimize": principal.role.at_least(Role.ANALYST),
    }
    return render(request, "catalog.html", values)


@router.get("/dashboard/catalog/export")
def export_filtered(
    principal: PagePrincipal,
    context: Context,
    q: Annotated[str | None, Query(max_length=200)] = None,
    status: str | None = None,
    marketplace: Annotated[str | None, Query(max_length=64)] = None,
    sort: str = "-updated_at",
) -> Response:
    """The same streamed CSV as GET /api/listings/export, for the filters on screen."""
    filters = _filters(q, status, marketplace)
    sort = sort if sort in SORTS else "-updated_at"
    rows = export_rows.listing_rows(context.database, principal.organization_id, filters, sort)
    chunks = export_rows.file_chunks(
        rows, export_rows.LISTING_COLUMNS, ExportFormat.CSV, "Listings"
    )
    return download("listings", chunks, ExportFormat.CSV)


@router.post("/dashboard/catalog/bulk")
def bulk(
    request: Request,
    principal: MemberForm,
    session: DbSession,
    action: Annotated[str, Form(pattern="^(optimize|export)$")],
    listing_ids: Annotated[list[uuid.UUID] | None, Form()] = None,
) -> Response:
    if not listing_ids:
        return redirect(request, "/dashboard/catalog", "Select at least one listing.", "error")
    if action == "export":
        rows = [
            export_rows.listing_row(service.listing.get(session, principal, listing_id))
            for listing_id in listing_ids[:PAGE_SIZE]
        ]
        chunks = export_rows.file_chunks(
            iter(rows), export_rows.LISTING_COLUMNS, ExportFormat.CSV, "Listings"
        )
        return download("listings-selected", chunks, ExportFormat.CSV)
    require_role(principal, Role.ANALYST)
    try:
        body = BatchOptimize(listing_ids=listing_ids)
    except ValidationError:
        return redirect(request, "/dashboard/catalog", "Too many listings selected.", "error")
    # The same steps as POST /api/ai/batch-optimize: targets checked, then one job with progress.
    targets = proposals.batch_targets(session, principal, body)
    job_id = enqueue(
        session,
        BATCH_JOB,
        {"listing_ids": [str(value) for value in targets], "scope": body.scope},
        organization_id=principal.organization_id,
        created_by=principal.actor.label,
        total=len(targets),
    )
    return redirect(
        request, f"/dashboard/jobs#job-{job_id}", f"Optimizing {len(targets)} listings."
    )

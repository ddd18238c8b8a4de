"""Jobs API: list, read (with item errors), cancel, retry, and a progress stream (SSE)."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query
from fastapi.sse import EventSourceResponse, ServerSentEvent
from starlette.concurrency import run_in_threadpool

from shelfwise.accounts.auth import (
    MISSING_BEARER,
    Analyst,
    Context,
    DbSession,
    Viewer,
    bearer_credential,
    organization_header,
)
from shelfwise.accounts.principal import Principal
from shelfwise.jobs.models import JobStatus
from shelfwise.jobs.repository import JobRepository
from shelfwise.jobs.schemas import (
    ItemErrorPage,
    JobDetail,
    JobOut,
    JobPage,
    item_error_out,
    job_out,
)
from shelfwise.jobs.service import jobs
from shelfwise.operations.json_body import JsonRoute
from shelfwise.platform.context import AppContext
from shelfwise.platform.errors import AuthenticationError, InvalidInputError, NotFoundError
from shelfwise.platform.pagination import (
    clamp_limit,
    decode_cursor,
    decode_time_cursor,
    encode_cursor,
)

router = APIRouter(prefix="/api", tags=["jobs"], route_class=JsonRoute)
DETAIL_ERRORS = 20
STREAM_INTERVAL_SECONDS = 0.5


@router.get("/jobs", response_model=JobPage, summary="Jobs of this organization, newest first")
def list_jobs(
    principal: Viewer,
    context: Context,
    session: DbSession,
    status: Annotated[list[JobStatus] | None, Query()] = None,
    kind: str | None = None,
    cursor: str | None = None,
    limit: Annotated[int | None, Query(ge=1)] = None,
) -> JobPage:
    size = clamp_limit(limit, context.settings.default_page_size, context.settings.max_page_size)
    found = JobRepository(session, principal.organization_id).page(
        statuses=tuple(status or ()), kind=kind, before=decode_time_cursor(cursor), limit=size + 1
    )
    next_cursor = None
    if len(found) > size:
        found = found[:size]
        next_cursor = encode_cursor([found[-1].created_at.isoformat(), str(found[-1].id)])
    return JobPage(items=[job_out(job) for job in found], next_cursor=next_cursor)


@router.get("/jobs/{job_id}", response_model=JobDetail, summary="A job with its first item errors")
def read_job(job_id: uuid.UUID, principal: Viewer, session: DbSession) -> JobDetail:
    job = jobs.get(session, principal, job_id)
    errors = JobRepository(session, principal.organization_id).item_errors(
        job_id, None, DETAIL_ERRORS
    )
    return JobDetail(**job_out(job).model_dump(), item_errors=[item_error_out(e) for e in errors])


@router.get(
    "/jobs/{job_id}/errors", response_model=ItemErrorPage, summary="All item errors of a job"
)
def list_job_errors(
    job_id: uuid.UUID,
    principal: Viewer,
    context: Context,
    session: DbSession,
    cursor: str | None = None,
    limit: Annotated[int | None, Query(ge=1)] = None,
) -> ItemErrorPage:
    jobs.get(session, principal, job_id)
    size = clamp_limit(limit, context.settings.default_page_size, context.settings.max_page_size)
    after = None
    if cursor is not None:
        try:
            after = uuid.UUID(str(decode_cursor(cursor)[0]))
        except (IndexError, ValueError) as error:
            raise InvalidInputError(
                "Invalid cursor.", [{"field": "query.cursor", "message": "malformed"}]
            ) from error
    found = JobRepository(session, principal.organization_id).item_errors(job_id, after, size + 1)
    next_cursor = encode_cursor([str(found[size - 1].id)]) if len(found) > size else None
    return ItemErrorPage(items=[item_error_out(e) for e in found[:size]], next_cursor=next_cursor)


@router.post(
    "/jobs/{job_id}/cancel", response_model=JobOut, summary="Cancel a queued or running job"
)
def cancel_job(job_id: uuid.UUID, principal: Analyst, session: DbSession) -> JobOut:
    return job_out(jobs.cancel(session, principal, job_id))


@router.post(
    "/jobs/{job_id}/retry",
    response_model=JobOut,
    summary="Run a failed, dead or cancelled job again",
)
def retry_job(job_id: uuid.UUID, principal: Analyst, session: DbSession) -> JobOut:
    return job_out(jobs.retry(session, principal, job_id))


def stream_target(
    job_id: uuid.UUID,
    context: Context,
    authorization: Annotated[str | None, Header()] = None,
    x_organization_id: Annotated[str | None, Header()] = None,
) -> tuple[Principal, JobOut]:
    """Authenticate and find the job before the stream starts (errors are still 401/404), in a
    short transaction of its own: a long stream must not hold a database connection."""
    credential = bearer_credential(authorization)
    if credential is None:
        raise AuthenticationError(MISSING_BEARER)
    with context.database.unit_of_work(write=False) as session:
        principal = context.accounts.authenticate(
            session, credential, organization_header(x_organization_id)
        )
    return principal, _snapshot(context, principal, job_id)


def _snapshot(context: AppContext, principal: Principal, job_id: uuid.UUID) -> JobOut:
    with context.database.unit_of_work(
        organization_id=principal.organization_id, write=False
    ) as session:
        job = JobRepository(session, principal.organization_id).get(job_id)
        if job is None:
            raise NotFoundError("No such job.")
        return job_out(job)


@router.get(
    "/jobs/{job_id}/progress",
    response_class=EventSourceResponse,
    summary="Server-Sent Events with the job's progress until it ends",
)
async def stream_job_progress(
    job_id: uuid.UUID,
    context: Context,
    target: Annotated[tuple[Principal, JobOut], Depends(stream_target)],
) -> AsyncIterator[ServerSentEvent]:
    principal, current = target
    last = None
    while True:
        body = current.model_dump(mode="json")
        if body != last:
            yield ServerSentEvent(data=body, event="progress", id=str(current.progress.done))
            last = body
        if current.status.is_terminal:
            yield ServerSentEvent(data=body, event="end")
            return
        await asyncio.sleep(STREAM_INTERVAL_SECONDS)
        current = await run_in_threadpool(_snapshot, context, principal, job_id)

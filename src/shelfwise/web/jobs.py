"""Jobs page: list with live progress (polled by app.js), retry and cancel."""

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from shelfwise.accounts.auth import Context, DbSession
from shelfwise.accounts.models import Role
from shelfwise.jobs.repository import JobRepository
from shelfwise.jobs.schemas import job_out
from shelfwise.jobs.service import jobs
from shelfwise.web.layout import page_values
from shelfwise.web.session import (
    AnalystForm,
    PagePrincipal,
    redirect,
    render,
)

router = APIRouter(include_in_schema=False)
JOBS_SHOWN = 50


@router.get("/dashboard/jobs")
def job_list(
    request: Request, principal: PagePrincipal, context: Context, session: DbSession
) -> Response:
    found = JobRepository(session, principal.organization_id).page(
        statuses=(), kind=None, before=None, limit=JOBS_SHOWN
    )
    values = page_values(context, session, principal, "jobs", "Jobs")
    values |= {
        "jobs": [job_out(job) for job in found],
        "can_act": principal.role.at_least(Role.ANALYST),
    }
    return render(request, "jobs.html", values)


@router.get("/dashboard/jobs/{job_id}/progress")
def job_progress(job_id: uuid.UUID, principal: PagePrincipal, session: DbSession) -> Response:
    """The JSON twin of one row, polled by the page (the API's SSE stream wants a bearer token)."""
    job = job_out(jobs.get(session, principal, job_id))
    return JSONResponse(
        {
            "status": job.status.value,
            "percent": job.progress.percent,
            "done": job.progress.done,
            "total": job.progress.total,
            "errors": job.item_error_count,
            "terminal": job.status.is_terminal,
        }
    )


@router.post("/dashboard/jobs/{job_id}/{action}")
def act(
    job_id: uuid.UUID,
    action: str,
    request: Request,
    principal: AnalystForm,
    session: DbSession,
) -> Response:
    if action == "cancel":
        jobs.cancel(session, principal, job_id)
        return redirect(request, "/dashboard/jobs", "Cancellation requested.")
    if action == "retry":
        jobs.retry(session, principal, job_id)
        return redirect(request, "/dashboard/jobs", "The job is queued again.")
    return redirect(request, "/dashboard/jobs", "Unknown action.", "error")

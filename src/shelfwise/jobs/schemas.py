"""Jobs API bodies."""

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from shelfwise.jobs.models import Job, JobItemError, JobStatus


class Progress(BaseModel):
    done: int
    total: int | None
    percent: float | None


class JobOut(BaseModel):
    id: uuid.UUID
    kind: str
    status: JobStatus
    attempts: int
    max_attempts: int
    progress: Progress
    item_error_count: int
    result: dict[str, Any] | None
    error: str | None
    cancel_requested: bool
    created_by: str | None
    created_at: datetime
    run_after: datetime
    started_at: datetime | None
    finished_at: datetime | None


class ItemErrorOut(BaseModel):
    id: uuid.UUID
    item: str
    field: str | None
    message: str


class JobDetail(JobOut):
    item_errors: list[ItemErrorOut]


class JobPage(BaseModel):
    items: list[JobOut]
    next_cursor: str | None


class ItemErrorPage(BaseModel):
    items: list[ItemErrorOut]
    next_cursor: str | None


def progress_of(job: Job) -> Progress:
    percent = None
    if job.progress_total:
        percent = round(min(100.0, 100.0 * job.progress_done / job.progress_total), 1)
    elif job.status == JobStatus.SUCCEEDED:
        percent = 100.0
    return Progress(done=job.progress_done, total=job.progress_total, percent=percent)


def job_out(job: Job) -> JobOut:
    return JobOut(
        id=job.id,
        kind=job.kind,
        status=job.status,
        attempts=job.attempts,
        max_attempts=job.max_attempts,
        progress=progress_of(job),
        item_error_count=job.item_error_count,
        result=job.result,
        error=job.error,
        cancel_requested=job.cancel_requested,
        created_by=job.created_by,
        created_at=job.created_at,
        run_after=job.run_after,
        started_at=job.started_at,
        finished_at=job.finished_at,
    )


def item_error_out(error: JobItemError) -> ItemErrorOut:
    return ItemErrorOut(id=error.id, item=error.item, field=error.field, message=error.message)

"""Queueing jobs in the caller's transaction, cancelling and retrying them."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from shelfwise.audit.service import ActsForOrganization
from shelfwise.jobs import registry
from shelfwise.jobs.models import Job, JobStatus
from shelfwise.jobs.relay import wake_relay
from shelfwise.jobs.repository import JobRepository
from shelfwise.platform.db import dialect_insert
from shelfwise.platform.errors import ConflictError, NotFoundError
from shelfwise.platform.ids import new_id
from shelfwise.platform.settings import get_settings
from shelfwise.platform.types import utcnow


def _wake_after_commit(session: Session) -> None:
    if not session.info.get("wakes_relay"):
        session.info["wakes_relay"] = True
        event.listen(session, "after_commit", lambda _session: wake_relay(), once=True)


def enqueue(
    session: Session,
    kind: str,
    arguments: dict[str, Any] | None = None,
    *,
    organization_id: uuid.UUID | None,
    created_by: str | None = None,
    total: int | None = None,
    dedupe_key: str | None = None,
    run_after: datetime | None = None,
    max_attempts: int | None = None,
) -> uuid.UUID | None:
    """Queue a job in the caller's transaction: it runs only if and after that commits (C3).

    With a `dedupe_key`, a second enqueue of the same key is a no-op and returns None.
    """
    declared = registry.kind(kind)
    settings = session.info.get("settings") or get_settings()
    attempts = max_attempts or declared.max_attempts or settings.job_max_attempts
    now = utcnow()
    values = {
        "id": new_id(),
        "organization_id": organization_id,
        "kind": kind,
        "arguments": arguments or {},
        "status": JobStatus.QUEUED,
        "attempts": 0,
        "max_attempts": attempts,
        "progress_done": 0,
        "progress_total": total,
        "item_error_count": 0,
        "dedupe_key": dedupe_key,
        "cancel_requested": False,
        "created_by": created_by,
        "run_after": run_after or now,
        "created_at": now,
        "updated_at": now,
    }
    job_id: uuid.UUID | None = values["id"]  # type: ignore[assignment]
    if dedupe_key is None:
        session.execute(_insert_statement(session, deduplicated=False), values)
    else:
        # RETURNING, not rowcount: psycopg reports -1 for ORM-executed INSERTs.
        inserted = session.execute(_insert_statement(session, deduplicated=True), values)
        job_id = inserted.scalar_one_or_none()
    _wake_after_commit(session)
    return job_id


_INSERTS: dict[tuple[str, bool], Any] = {}


def _insert_statement(session: Session, *, deduplicated: bool) -> Any:
    """The job INSERT, built once per dialect: the values travel as parameters, so queueing a
    job does not build and cache-key a new statement (most of its cost in a batch)."""
    key = (session.get_bind().dialect.name, deduplicated)
    statement = _INSERTS.get(key)
    if statement is None:
        statement = dialect_insert(session, Job.__table__)
        if deduplicated:
            statement = statement.on_conflict_do_nothing(index_elements=["dedupe_key"])
            statement = statement.returning(Job.__table__.c.id)
        _INSERTS[key] = statement
    return statement


class JobService:
    def get(self, session: Session, who: ActsForOrganization, job_id: uuid.UUID) -> Job:
        job = JobRepository(session, who.organization_id).get(job_id)
        if job is None:
            raise NotFoundError("No such job.")
        return job

    def _locked(self, session: Session, who: ActsForOrganization, job_id: uuid.UUID) -> Job:
        """The job re-read under a row lock: a worker's claim may have committed since the first
        read (PostgreSQL), and a cancel or retry must not overwrite a job that just started."""
        job = self.get(session, who, job_id)
        session.refresh(job, with_for_update=True)
        return job

    def cancel(self, session: Session, who: ActsForOrganization, job_id: uuid.UUID) -> Job:
        """Queued jobs stop at once; running ones at their next progress step."""
        job = self._locked(session, who, job_id)
        if job.status.is_terminal:
            raise ConflictError(f"The job has already ended ({job.status.value}).")
        if job.status == JobStatus.QUEUED:
            job.status = JobStatus.CANCELLED
            job.finished_at = utcnow()
            job.error = "cancelled by request"
        job.cancel_requested = True
        session.flush()
        return job

    def retry(self, session: Session, who: ActsForOrganization, job_id: uuid.UUID) -> Job:
        """Run a failed, dead or cancelled job again from where it stopped."""
        job = self._locked(session, who, job_id)
        if job.status not in (JobStatus.FAILED, JobStatus.DEAD, JobStatus.CANCELLED):
            raise ConflictError(
                f"Only failed, dead or cancelled jobs can be retried, not {job.status.value}."
            )
        job.status = JobStatus.QUEUED
        job.attempts = 0
        job.cancel_requested = False
        job.error = None
        job.finished_at = None
        job.dispatched_at = None
        job.run_after = utcnow()
        session.flush()
        _wake_after_commit(session)
        return job


def job_exists(session: Session, dedupe_key: str) -> bool:
    return session.scalar(select(Job.id).where(Job.dedupe_key == dedupe_key)) is not None


jobs = JobService()
